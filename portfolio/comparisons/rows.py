"""
One row per account: the comparison table, its percentiles, and the data every other comparison view reads.

`load(selection)` reads, in at most four queries whatever the number of accounts, the accounts of every chosen
place (with their followers on three days, whether the user may read each one, and which places it belongs
to), their posts published in the period with their metrics as of the as-of date, and each account's top post.
Every figure then comes from what the account engagement endpoint uses (`PostTable`, whose summaries are
`engagement.summarize_counts`), so a row always equals what `/api/v1/accounts/{id}/engagement/` reports for
the same period and as-of date.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Appointment, SocialAccount
from accounts.vocabulary import ContentType
from metrics import engagement
from metrics.models import AccountMetrics, Post, with_followers_as_of, with_followers_nearest
from metrics.post_table import PostTable
from metrics.vocabulary import CareerCategory
from portfolio.comparisons.selection import Selection, aggregate_is_shown
from portfolio.lib.percentiles import MIN_PEERS, group_size, ranks_in_group

# What the table reads of each post besides its metrics; the top post's link and date are read on their own.
POST_FIELDS = ("content_type", "category")
# The columns that get a percentile within the chosen set, and how each reads from a row.
PERCENTILE_COLUMNS = {
    "followers": "Followers",
    "posts_per_week": "Posts per week",
    "actions": "Actions",
    "rate_by_impressions": "Mean rate by impressions",
    "rate_by_reach": "Mean rate by reach",
    "rate_by_followers": "Mean rate by followers",
}
# The follower counts (and the days they were counted) as of the as-of date, the period's start and its end.
FOLLOWER_COLUMNS = tuple(f"followers{day}{on}" for day in ("", "_at_start", "_at_end") for on in ("", "_on"))
CATEGORY_LABELS = dict(CareerCategory.choices)
# `get_kind_display()` rebuilds its choices on each call: a tenth of a second over 1,000 rows.
KIND_LABELS = dict(SocialAccount.Kind.choices)
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
class ComparisonRow:
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
        Followers gained in the period: the latest count by its end (or the as-of day) minus the count nearest
        its first day (the latest on or before it, else the first within the period; `followers_at_start_on`
        says which day). None when either is missing, or when both are the same count: nothing was counted since.
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
    accounts: list[ComparisonRow]
    table: PostTable  # their posts in the period, with their metrics

    def in_place(self, key: str) -> list[ComparisonRow]:
        return [row for row in self.accounts if key in row.place_keys]

    @property
    def peers(self) -> list[ComparisonRow]:
        """Accounts of the chosen places in the user's own institutions: the set rows and percentiles are of."""
        home = {place.key for place in self.selection.home_places}
        return [row for row in self.accounts if row.place_keys & home]

    def aggregate_peers(self) -> tuple[list[ComparisonRow], int]:
        """
        The peers an aggregate (heatmap, what works) may cover, and how many were left out: all of them when
        the accounts the user may not read are enough to hide any one of them, otherwise the readable ones.
        """
        peers = self.peers
        hidden = sum(not row.visible for row in peers)
        if aggregate_is_shown(hidden_accounts=hidden):
            return peers, 0
        return [row for row in peers if row.visible], hidden

    def posts_of(self, accounts: list[ComparisonRow]) -> PostTable:
        return self.table.of_accounts(row.pk for row in accounts)


@dataclass
class Comparison:
    """The comparison table: peer rows with percentiles, and which of them the user may read."""

    selection: Selection
    peers: list[ComparisonRow]
    rows: list[ComparisonRow]  # the rows shown: readable, matching the search, sorted
    percentiles_shown: bool
    # Per column of `PERCENTILE_COLUMNS`: the peers whose value is computable, the group its percentiles rank in.
    percentile_peers: dict[str, int] = field(default_factory=dict)

    @property
    def hidden(self) -> int:
        return sum(not row.visible for row in self.peers)

    @property
    def small_groups(self) -> list[str]:
        """The labels of the columns with no percentile: fewer than `MIN_PEERS` peers have a value there."""
        return [PERCENTILE_COLUMNS[column] for column, peers in self.percentile_peers.items() if peers < MIN_PEERS]


def load(selection: Selection, *, hashtag: str = "") -> Loaded:
    """
    Read the chosen places' accounts and their posts (optionally only those with `hashtag`): four queries, or
    three when no post has a snapshot (no top posts).
    """
    if not selection.places:
        return Loaded(selection, [], PostTable.read(Post.objects.none(), selection.as_of, POST_FIELDS))
    flags = {
        f"in_{n}": ExpressionWrapper(place.accounts_q(), output_field=BooleanField())
        for n, place in enumerate(selection.places)
    }
    accounts = with_followers_as_of(selection.accounts(), selection.as_of)
    # Growth starts from the count nearest the period's start, so that an account first counted within the
    # period still has a growth; it ends with the latest count by the end (or the as-of day).
    accounts = with_followers_nearest(
        accounts, selection.start, until=selection.metrics_until, name="followers_at_start"
    )
    accounts = with_followers_as_of(accounts, selection.metrics_until, name="followers_at_end")
    accounts = (
        accounts.annotate(
            visible=ExpressionWrapper(selection.visible_q, output_field=BooleanField()),
            # The owner as `str()` names it: the faculty member, else the department, else the institution.
            owner=Coalesce("faculty__name", "department__name", "institution__name"),
            time_zone_name=_time_zone_name(),
            **flags,
        )
        .order_by("pk")
        # Plain values: building five model objects per account took longer than the query.
        .values(
            "pk",
            "handle",
            "url",
            "kind",
            "platform__name",
            "platform__key",
            "owner",
            "time_zone_name",
            "visible",
            *flags,
            *FOLLOWER_COLUMNS,
        )
    )
    empty = engagement.empty_summary(selection.as_of)
    rows = [_account_row(account, selection, empty) for account in accounts]

    posts = Post.objects.filter(account__in=[row.pk for row in rows]).published_between(selection.start, selection.end)
    if hashtag:
        posts = posts.with_hashtag(hashtag)
    table = PostTable.read(posts, selection.as_of, POST_FIELDS)
    summaries = table.summaries_by("account_id")
    mixes = {field: _mix(table, field) for field in POST_FIELDS}
    top_posts = _top_posts(table)
    for row in rows:
        row.summary = summaries.get(row.pk) or empty
        row.categories = mixes["category"].get(row.pk, {})
        row.content_types = mixes["content_type"].get(row.pk, {})
        row.top_post = top_posts.get(row.pk)
    return Loaded(selection, rows, table)


def _mix(table: PostTable, field: str) -> dict[int, dict[str, int]]:
    """Each account's posts counted by a post field: {account id: {value: posts}}."""
    mix: dict[int, dict[str, int]] = {}
    for (account, value), n in Counter(zip(table["account_id"].tolist(), table[field].tolist(), strict=True)).items():
        mix.setdefault(account, {})[value] = n
    return mix


def _top_posts(table: PostTable) -> dict[int, TopPost]:
    """Each account's post with the most actions in the period (the newest on a tie): one query for their links."""
    measured = np.flatnonzero(table.counts.measured)  # a post with no snapshot is never the top post
    if not measured.size:
        return {}
    accounts = table["account_id"][measured]
    # Sorted by account, actions, publication time and id, each account's top post comes last.
    order = np.lexsort(
        (table["id"][measured], table["published_epoch"][measured], table.counts.actions()[measured], accounts)
    )
    last = np.append(accounts[order][1:] != accounts[order][:-1], True)
    positions = measured[order][last].tolist()
    details = {
        post["id"]: post
        for post in Post.objects.filter(pk__in=table["id"][positions].tolist()).values(
            "id", "url", "external_id", "published_at"
        )
    }
    top_posts = {}
    for position in positions:
        post = details[int(table["id"][position])]
        result = table.counts.post(position)
        top_posts[int(table["account_id"][position])] = TopPost(
            pk=post["id"],
            url=post["url"],
            external_id=post["external_id"],
            published_at=post["published_at"],
            actions=result.actions,
            rate_by_impressions=result.rate_by_impressions,
        )
    return top_posts


def compare(loaded: Loaded) -> Comparison:
    """
    Percentiles within the peer set (each column's only when at least `MIN_PEERS` peers have a value there),
    then the rows the user may read, searched and sorted.
    """
    selection = loaded.selection
    peers = loaded.peers
    percentile_peers = {}
    for column in PERCENTILE_COLUMNS:
        values = {row.pk: getattr(row, column) for row in peers}
        percentile_peers[column] = group_size(values.values())
        ranks = ranks_in_group(values)
        for row in peers:
            row.percentiles[column] = ranks[row.pk]
    hidden = sum(not row.visible for row in peers)
    shown = [row for row in peers if row.visible and _matches(row, selection.search)]
    return Comparison(
        selection=selection,
        peers=peers,
        rows=sort_rows(shown, selection.sort),
        percentiles_shown=aggregate_is_shown(hidden_accounts=hidden),
        percentile_peers=percentile_peers,
    )


def sort_rows(rows: list[ComparisonRow], sort: str) -> list[ComparisonRow]:
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


def _matches(row: ComparisonRow, search: str) -> bool:
    needle = search.lower()
    return not needle or needle in row.handle.lower() or needle in row.owner.lower()


def _account_row(account: dict, selection: Selection, empty: engagement.EngagementSummary) -> ComparisonRow:
    return ComparisonRow(
        pk=account["pk"],
        handle=account["handle"],
        url=account["url"],
        platform=account["platform__name"],
        platform_key=account["platform__key"],
        kind=account["kind"],
        kind_label=KIND_LABELS.get(account["kind"], account["kind"]),
        owner=account["owner"] or "",
        time_zone=account["time_zone_name"] or settings.TIME_ZONE,
        visible=bool(account["visible"]),
        place_keys=frozenset(place.key for n, place in enumerate(selection.places) if account[f"in_{n}"]),
        **{name: account[name] for name in FOLLOWER_COLUMNS},
        weeks=selection.weeks,
        summary=empty,
    )


def _time_zone_name():
    """
    The name of `SocialAccount.time_zone()`, in the query: the owning institution's, the department's
    institution's, else (a personal account) that of the owner's first appointment, primary first.
    """
    # Appointment's default ordering (primary first), as `.first()` in `time_zone()` uses it.
    appointments = Appointment.objects.filter(faculty=OuterRef("faculty")).order_by(*Appointment._meta.ordering)
    return Coalesce(
        "institution__timezone",
        "department__institution__timezone",
        Subquery(appointments.values("department__institution__timezone")[:1]),
    )


def follower_history(selection: Selection, rows: list[ComparisonRow]) -> dict[int, list[tuple[date, int]]]:
    """Each account's reported follower counts from the period's start to its end (or the as-of day): one query."""
    history: dict[int, list[tuple[date, int]]] = {row.pk: [] for row in rows}
    counts = (
        AccountMetrics.objects.filter(account__in=list(history))
        .followers_between(selection.start, selection.metrics_until)
        .order_by("account", "captured_on")
    )
    for account_id, day, followers in counts.values_list("account_id", "captured_on", "followers"):
        history[account_id].append((day, followers))
    return history
