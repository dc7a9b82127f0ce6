"""
One row per account: the comparison table, its percentiles, and the data every other comparison view reads.

`load(selection)` reads, in three queries whatever the number of accounts, the accounts of every chosen
place (with their followers on three days, whether the user may read each one, and which places it belongs
to) and their posts published in the period with their metrics as of the as-of date. Every figure then comes
from the functions the account engagement endpoint uses (`PostQuerySet.with_engagement`,
`engagement.summarize_by`), so a row always equals what `/api/v1/accounts/{id}/engagement/` reports for the
same period and as-of date.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Subquery

from accounts.models import Appointment, SocialAccount
from metrics import engagement
from metrics.models import AccountMetrics, Post
from metrics.vocabulary import METRIC_FIELDS, CareerCategory, ContentType
from portfolio.comparisons.selection import Selection, aggregate_is_shown
from portfolio.percentiles import percentile_ranks

POST_FIELDS = ("id", "account_id", "published_at", "content_type", "category", "url", "external_id")
# The columns that get a percentile within the chosen set, and how each reads from a row.
PERCENTILE_COLUMNS = {
    "followers": "Followers",
    "posts_per_week": "Posts per week",
    "actions": "Actions",
    "rate_by_impressions": "Mean rate by impressions",
    "rate_by_reach": "Mean rate by reach",
    "rate_by_followers": "Mean rate by followers",
}
CATEGORY_LABELS = dict(CareerCategory.choices)
CONTENT_TYPE_LABELS = dict(ContentType.choices)


@dataclass(frozen=True)
class TopPost:
    """The account's post with the most actions in the period (the newest, on a tie)."""

    pk: int
    url: str
    external_id: str
    published_at: datetime
    actions: int
    rate_by_impressions: float | None


@dataclass
class AccountRow:
    pk: int
    handle: str
    url: str
    platform: str
    platform_key: str
    kind: str
    kind_label: str
    owner: str
    time_zone: str
    visible: bool  # whether the user may read this account's own row
    place_keys: frozenset[str]
    followers: int | None
    followers_on: date | None
    followers_at_start: int | None
    followers_at_start_on: date | None
    followers_at_end: int | None
    followers_at_end_on: date | None
    weeks: float
    summary: engagement.EngagementSummary
    categories: dict[str, int] = field(default_factory=dict)
    content_types: dict[str, int] = field(default_factory=dict)
    top_post: TopPost | None = None
    percentiles: dict[str, float | None] = field(default_factory=dict)

    @property
    def growth(self) -> int | None:
        """
        Followers gained in the period: the latest count by its end (or the as-of day) minus the latest count by
        its first day. None when either is missing, or when both are the same count: nothing was counted since.
        """
        if self.followers_at_start is None or self.followers_at_end is None:
            return None
        if self.followers_at_start_on == self.followers_at_end_on:
            return None
        return self.followers_at_end - self.followers_at_start

    @property
    def posts(self) -> int:
        return self.summary.posts

    @property
    def posts_per_week(self) -> float:
        return self.summary.posts / self.weeks

    @property
    def actions(self) -> int:
        return self.summary.actions

    @property
    def impressions(self) -> int | None:
        return self.summary.impressions

    @property
    def reach(self) -> int | None:
        return self.summary.reach

    @property
    def rate_by_impressions(self) -> float | None:
        return self.summary.by_impressions.mean

    @property
    def rate_by_reach(self) -> float | None:
        return self.summary.by_reach.mean

    @property
    def rate_by_followers(self) -> float | None:
        return self.summary.by_followers.mean

    @property
    def pooled_rate_by_impressions(self) -> float | None:
        return self.summary.by_impressions.pooled

    @property
    def pooled_rate_by_reach(self) -> float | None:
        return self.summary.by_reach.pooled

    @property
    def pooled_rate_by_followers(self) -> float | None:
        return self.summary.by_followers.pooled

    @property
    def rate_cells(self) -> list[tuple[float | None, float | None, float | None]]:
        """(mean, pooled, percentile of the mean) for impressions, reach and followers, as the table shows them."""
        return [
            (rate.mean, rate.pooled, self.percentiles.get(f"rate_by_{rate.denominator}")) for rate in self.summary.rates
        ]

    @property
    def mix_categories(self) -> list[tuple[str, int]]:
        return self.mix("categories")

    @property
    def mix_content_types(self) -> list[tuple[str, int]]:
        return self.mix("content_types")

    def mix(self, kind: str) -> list[tuple[str, int]]:
        """[(label, posts)] of career categories or content types, most posts first."""
        counts, labels = (
            (self.categories, CATEGORY_LABELS) if kind == "categories" else (self.content_types, CONTENT_TYPE_LABELS)
        )
        return [(labels.get(key, key or "none"), n) for key, n in sorted(counts.items(), key=lambda kv: -kv[1])]


@dataclass
class Loaded:
    """The accounts of every chosen place and their posts in the period, as read by `load`."""

    selection: Selection
    accounts: list[AccountRow]
    posts: dict[int, list[dict]]  # account id -> its post rows (the metric fields, `followers`, `snapshot_id`)

    def in_place(self, key: str) -> list[AccountRow]:
        return [row for row in self.accounts if key in row.place_keys]

    @property
    def peers(self) -> list[AccountRow]:
        """Accounts of the chosen places in the user's own institutions: the set rows and percentiles are of."""
        home = {place.key for place in self.selection.home_places}
        return [row for row in self.accounts if row.place_keys & home]

    def aggregate_peers(self) -> tuple[list[AccountRow], int]:
        """
        The peers an aggregate (heatmap, what works) may cover, and how many were left out: all of them when
        the accounts the user may not read are enough to hide any one of them, otherwise the readable ones.
        """
        peers = self.peers
        hidden = sum(not row.visible for row in peers)
        if aggregate_is_shown(hidden_accounts=hidden):
            return peers, 0
        return [row for row in peers if row.visible], hidden

    def post_rows(self, accounts: list[AccountRow]) -> list[dict]:
        return [post for row in accounts for post in self.posts.get(row.pk, ())]


@dataclass
class Comparison:
    """The comparison table: peer rows with percentiles, and which of them the user may read."""

    selection: Selection
    peers: list[AccountRow]
    rows: list[AccountRow]  # the rows shown: readable, matching the search, sorted
    percentiles_shown: bool

    @property
    def hidden(self) -> int:
        return sum(not row.visible for row in self.peers)


def load(selection: Selection, *, hashtag: str = "") -> Loaded:
    """Read the chosen places' accounts and their posts (optionally only those with `hashtag`): three queries."""
    if not selection.places:
        return Loaded(selection, [], {})
    flags = {
        f"in_{n}": ExpressionWrapper(place.accounts_q(), output_field=BooleanField())
        for n, place in enumerate(selection.places)
    }
    accounts = (
        selection.filter_accounts(SocialAccount.objects.filter(reduce(or_, (p.accounts_q() for p in selection.places))))
        # The owner's name, the platform's and the owning institution's time zone are on every row.
        .select_related("platform", "faculty", "department__institution", "institution")
        .with_followers_as_of(selection.as_of)
        .with_followers_as_of(selection.start, name="followers_at_start")
        .with_followers_as_of(selection.metrics_until, name="followers_at_end")
        .annotate(
            visible=ExpressionWrapper(selection.visible_q, output_field=BooleanField()),
            appointment_time_zone=_appointment_time_zone(),
            **flags,
        )
        .order_by("pk")
    )
    rows = [_account_row(account, selection, flags) for account in accounts]

    posts = Post.objects.filter(account__in=[row.pk for row in rows]).published_between(selection.start, selection.end)
    if hashtag:
        posts = posts.with_hashtag(hashtag)
    columns = (*POST_FIELDS, *METRIC_FIELDS, "followers", "snapshot_id")
    post_rows = list(posts.order_by().with_engagement(selection.as_of).values(*columns))
    summaries = engagement.summarize_by(post_rows, key="account_id", as_of=selection.as_of)
    by_account: dict[int, list[dict]] = {}
    for post in post_rows:
        by_account.setdefault(post["account_id"], []).append(post)
    for row in rows:
        own = by_account.get(row.pk, [])
        row.summary = summaries.get(row.pk) or engagement.empty_summary(selection.as_of)
        row.categories = dict(Counter(post["category"] for post in own))
        row.content_types = dict(Counter(post["content_type"] for post in own))
        row.top_post = _top_post(own)
    return Loaded(selection, rows, by_account)


def compare(loaded: Loaded) -> Comparison:
    """Percentiles within the peer set, then the rows the user may read, searched and sorted."""
    selection = loaded.selection
    peers = loaded.peers
    for column in PERCENTILE_COLUMNS:
        ranks = percentile_ranks({row.pk: getattr(row, column) for row in peers})
        for row in peers:
            row.percentiles[column] = ranks[row.pk]
    hidden = sum(not row.visible for row in peers)
    shown = [row for row in peers if row.visible and _matches(row, selection.search)]
    return Comparison(
        selection=selection,
        peers=peers,
        rows=sort_rows(shown, selection.sort),
        percentiles_shown=aggregate_is_shown(hidden_accounts=hidden),
    )


def sort_rows(rows: list[AccountRow], sort: str) -> list[AccountRow]:
    """Sorted by a column of `SORT_KEYS` ("-" descending); values that are not computable go last either way."""
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    known = [row for row in rows if getattr(row, key) is not None]
    unknown = [row for row in rows if getattr(row, key) is None]
    # By handle first, then (stably, in either direction) by the column: ties stay in handle order.
    known.sort(key=lambda row: row.handle.lower())
    known.sort(key=lambda row: _sortable(getattr(row, key)), reverse=descending)
    return known + sorted(unknown, key=lambda row: row.handle.lower())


def _sortable(value):
    return value.lower() if isinstance(value, str) else value


def _matches(row: AccountRow, search: str) -> bool:
    needle = search.lower()
    return not needle or needle in row.handle.lower() or needle in row.owner.lower()


def _account_row(account: SocialAccount, selection: Selection, flags: dict) -> AccountRow:
    return AccountRow(
        pk=account.pk,
        handle=account.handle,
        url=account.url,
        platform=account.platform.name,
        platform_key=account.platform.key,
        kind=account.kind,
        kind_label=account.get_kind_display(),
        owner=str(account.faculty or (account.department.name if account.department_id else account.institution)),
        time_zone=_time_zone_name(account),
        visible=bool(account.visible),
        place_keys=frozenset(
            place.key for n, place in enumerate(selection.places) if getattr(account, f"in_{n}", False)
        ),
        followers=account.followers,
        followers_on=account.followers_on,
        followers_at_start=account.followers_at_start,
        followers_at_start_on=account.followers_at_start_on,
        followers_at_end=account.followers_at_end,
        followers_at_end_on=account.followers_at_end_on,
        weeks=selection.weeks,
        summary=engagement.empty_summary(selection.as_of),
    )


def _appointment_time_zone():
    """For a personal account: the time zone `SocialAccount.time_zone()` takes from the owner's appointments."""
    # Appointment's default ordering (primary first), as `.first()` in `time_zone()` uses it.
    appointments = Appointment.objects.filter(faculty=OuterRef("faculty")).order_by(*Appointment._meta.ordering)
    return Subquery(appointments.values("department__institution__timezone")[:1])


def _time_zone_name(account: SocialAccount) -> str:
    """The name of `account.time_zone()`, without its per-account query."""
    if account.institution_id:
        return account.institution.timezone
    if account.department_id:
        return account.department.institution.timezone
    return account.appointment_time_zone or settings.TIME_ZONE


def post_engagement(post: dict) -> engagement.PostEngagement:
    """One post row's engagement (`load` leaves it to the views that need it: per-post work adds up)."""
    return engagement.post_engagement(post, followers=post["followers"], has_snapshot=post["snapshot_id"] is not None)


def _top_post(posts: list[dict]) -> TopPost | None:
    measured = [post for post in posts if post["snapshot_id"] is not None]
    if not measured:
        return None
    best = max(measured, key=lambda post: (engagement.actions(post), post["published_at"], post["id"]))
    result = post_engagement(best)
    return TopPost(
        pk=best["id"],
        url=best["url"],
        external_id=best["external_id"],
        published_at=best["published_at"],
        actions=result.actions,
        rate_by_impressions=result.rate_by_impressions,
    )


def follower_history(selection: Selection, rows: list[AccountRow]) -> dict[int, list[tuple[date, int]]]:
    """Each account's reported follower counts from the period's start to its end (or the as-of day): one query."""
    history: dict[int, list[tuple[date, int]]] = {row.pk: [] for row in rows}
    counts = AccountMetrics.objects.filter(
        account__in=list(history),
        captured_on__range=(selection.start, selection.metrics_until),
        followers__isnull=False,
    ).order_by("account", "captured_on")
    for account_id, day, followers in counts.values_list("account_id", "captured_on", "followers"):
        history[account_id].append((day, followers))
    return history
