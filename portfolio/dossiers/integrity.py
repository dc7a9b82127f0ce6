"""
Integrity flags and provenance: can a committee trust the numbers a dossier shows?

The numbers a dossier rests on, for some accounts, a review period (posts published from `start` to `end`)
and an as-of date, are:

- each period post's latest snapshot captured on or before `as_of` (what the dossier shows for the post);
- the accounts' follower counts captured from `start` to `as_of` (followers over time);
- each account's latest audience snapshot on or before `as_of`.

`integrity_flags` points at what looks wrong in them:

    actions_exceed_impressions  a post's actions (likes + dislikes + comments + shares + saves + profile
                                visits + follows + clicks) are more than its impressions
    likes_exceed_reach          more likes than accounts reached: each account can like a post once
    reach_exceeds_impressions   more accounts reached than impressions (platforms count them differently,
                                so it is flagged, not refused at the door)
    sudden_jump                 a post's actions, or its rate by impressions, more than 3 interquartile
                                ranges above the median of its account's period posts (at least 8 of them)
    metric_decreased            a post's count, or an account's followers, went down from one snapshot to
                                the next by more than 2% and by more than 1 (counts only grow; a removed
                                like or a spam clean-up moves them by a little)
    follower_jump_without_posts followers rose by 10% or more (and by 100 or more) between two counts
                                while the account published nothing from the earlier count's day to the
                                later one's
    unverified_manual           numbers that came neither from a platform export nor from a platform API
                                (entered by hand, sent through the API) and that no admin has verified

Post checks look at the snapshot the dossier shows; a post's decrease compares it with the snapshot
before it. Follower counts are compared two by two, from the last count before `start` to the last one
on or before `as_of`; a flag carries the later one's date. Every flag carries the numbers that show it.

`provenance_summary` counts those same numbers by source (manual entry, imported file, API, and platform API once
any number came from one) and by whether an admin verified them, and lists the imported files they came from.
The words for each source are those of `metrics.provenance`.

Both take a constant number of queries, however many posts and snapshots there are: the post checks run
in the database, in one query that returns each period post with the snapshot the dossier shows (the sudden
jump compares a post with its account's other posts, so every post is read, not only those that trip a check).

Counts are added and multiplied in floating point: the plausibility ceiling (`metrics.plausibility`) keeps
every count at or below 10^12 at every door, but a row stored before it (or written around it) must not make
the dossier fail with an integer overflow in the database.
"""

import operator
import statistics
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import GreaterThan, LessThan

from accounts.vocabulary import METRIC_FIELDS
from metrics.engagement import ACTION_FIELDS
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics, Provenance, start_of_day
from metrics.provenance import UNCHECKED, WORDS

# A count that goes down by more than this percentage (and by more than 1) between snapshots is flagged.
DECREASE_TOLERANCE_PERCENT = 2
# Followers rising by at least this percentage and this many, with no post in between, are flagged.
FOLLOWER_JUMP_PERCENT = 10
FOLLOWER_JUMP_MINIMUM = 100
# A post whose actions (or rate by impressions) lie more than this many interquartile ranges above the median of
# its account's period posts is flagged, when the account has at least JUMP_MINIMUM_POSTS such posts: a robust
# rule (a median and quartiles are not moved by the one post they judge), and below 8 posts the quartiles say
# too little to judge. Quartiles are interpolated linearly between the sorted values (numpy's default).
JUMP_IQRS = 3
JUMP_MINIMUM_POSTS = 8

KINDS = {
    "actions_exceed_impressions": "More actions than impressions",
    "likes_exceed_reach": "More likes than accounts reached",
    "reach_exceeds_impressions": "More accounts reached than impressions",
    "sudden_jump": "Far above the other posts of its account",
    "metric_decreased": "A count went down between snapshots",
    "follower_jump_without_posts": "Followers jumped while nothing was posted",
    "unverified_manual": "Entered by hand or sent through the API, not verified by an admin",
}
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}
# What each flag means, in words, for /methods/ (with the thresholds above).
EXPLANATIONS = {
    "actions_exceed_impressions": (
        "A post's actions (likes, dislikes, comments, shares, saves, profile visits, follows and clicks) are more "
        "than its impressions, in the snapshot the dossier shows."
    ),
    "likes_exceed_reach": "A post has more likes than accounts reached; each account can like a post only once.",
    "reach_exceeds_impressions": (
        "A post reached more accounts than it had impressions, although each account reached saw it at least once. "
        "Platforms count the two differently, so such numbers are accepted and flagged, not refused."
    ),
    "sudden_jump": (
        f"A post's actions, or its rate by impressions, lie more than {JUMP_IQRS} interquartile ranges above the "
        "median of its account's posts of the review period (the middle half of those posts spans one "
        "interquartile range). Judged only for an account with at least "
        f"{JUMP_MINIMUM_POSTS} such posts; with fewer, nothing is flagged. For example, with a median of 150 "
        "actions and quartiles of 100 and 200, a post with more than 450 actions is flagged."
    ),
    "metric_decreased": (
        "A count went down: a post's count in the snapshot the dossier shows is lower than in the snapshot before "
        "it, or an account's followers are lower than at its previous count, by more than "
        f"{DECREASE_TOLERANCE_PERCENT}% and by more than 1. Counts only grow; a removed like or a platform's spam "
        "clean-up moves them by a little, which is not flagged."
    ),
    "follower_jump_without_posts": (
        f"An account's followers rose by {FOLLOWER_JUMP_PERCENT}% or more and by {FOLLOWER_JUMP_MINIMUM} or more "
        "between two counts, while it published nothing from the day of the earlier count to the day of the later."
    ),
    "unverified_manual": (
        "Numbers entered by hand or sent through the API (post metrics, follower counts, audience), not imported "
        "from a platform's export file nor read from a platform's API, that no admin has verified against the "
        "platform."
    ),
}


@dataclass(frozen=True)
class IntegrityFlag:
    kind: str
    label: str
    detail: str  # the numbers that show it
    account_id: int
    post_id: int | None
    captured_on: date | None  # the snapshot the flag is about

    def as_dict(self) -> dict:
        row = asdict(self)
        row["captured_on"] = self.captured_on.isoformat() if self.captured_on else None
        return row


def flag(kind: str, detail: str, *, account_id: int, post_id: int | None = None, captured_on: date | None = None):
    return IntegrityFlag(
        kind=kind, label=KINDS[kind], detail=detail, account_id=account_id, post_id=post_id, captured_on=captured_on
    )


def integrity_flags(
    *, account_ids: Iterable[int], start: date | None, end: date | None, as_of: date
) -> list[IntegrityFlag]:
    """
    Every flag on the numbers of these accounts' period posts, follower counts and audience, as of `as_of`,
    ordered by account, then date. Three queries, and a fourth when a follower count jumped.
    """
    account_ids = list(account_ids)
    flags = [
        *_post_flags(account_ids, start, end, as_of),
        *_follower_flags(account_ids, start, as_of),
        *_audience_flags(account_ids, as_of),
    ]
    return sorted(
        flags,
        key=lambda item: (item.account_id, item.captured_on or date.min, item.post_id or 0, KIND_ORDER[item.kind]),
    )


# The numbers a dossier rests on (see the module docstring).


def period_posts(account_ids: list[int], start: date | None, end: date | None):
    return Post.objects.filter(account_id__in=account_ids).published_between(start, end)


def with_shown_snapshots(posts, as_of: date):
    """
    Join each post to the snapshot the dossier shows (`shown`, the latest captured on or before `as_of`)
    and to the one before it (`before`), with their days as `shown_day` and `previous_day`. A post
    without such a snapshot gets NULLs. A few lookups per post on the (post, captured_on) unique index
    rather than a pass over every snapshot: 5,000 posts with 150,000 snapshots are checked in one query
    of about 70 ms on SQLite, where a window over all snapshots took seconds.
    """
    days = PostMetrics.objects.on_or_before(as_of, post=OuterRef("pk"))
    return posts.annotate(
        shown_day=Subquery(days.values("captured_on")[:1]),
        previous_day=Subquery(days.values("captured_on")[1:2]),
        shown=FilteredRelation("snapshots", condition=Q(snapshots__captured_on=F("shown_day"))),
        before=FilteredRelation("snapshots", condition=Q(snapshots__captured_on=F("previous_day"))),
    )


def shown_post_snapshots(account_ids: list[int], start: date | None, end: date | None, as_of: date):
    """Each period post's latest snapshot on or before `as_of`."""
    return PostMetrics.objects.as_of(as_of, posts=period_posts(account_ids, start, end)).order_by()


def shown_follower_counts(account_ids: list[int], start: date | None, as_of: date):
    return AccountMetrics.objects.filter(account_id__in=account_ids).followers_between(start, as_of).order_by()


def shown_audience(account_ids: list[int], as_of: date):
    """The rows of each account's latest audience snapshot on or before `as_of`."""
    return AudienceSnapshot.objects.as_of(as_of, accounts=account_ids).order_by()


# The checks.

FIELDS = list(METRIC_FIELDS)


def _post_flags(account_ids, start, end, as_of) -> list[IntegrityFlag]:
    """Every flag on the period posts, from one query over the posts with a snapshot the dossier shows."""

    def condition(q: Q) -> ExpressionWrapper:
        return ExpressionWrapper(q, output_field=BooleanField())

    # Every check is an annotation, and the filter only reads them: a filter() that named `shown__...` itself
    # would join the snapshots a second time (a reverse relation is joined anew in each filter() call).
    actions = reduce(operator.add, (Coalesce(_real(f"shown__{field}"), 0.0) for field in ACTION_FIELDS))
    went_down = {f"down_{f}": condition(_went_down(_real(f"shown__{f}"), _real(f"before__{f}"))) for f in FIELDS}
    checks = {
        "actions_exceed": condition(Q(GreaterThan(F("actions"), F("shown__impressions")))),
        "likes_exceed": condition(Q(GreaterThan(F("shown__likes"), F("shown__reach")))),
        "reach_exceeds": condition(Q(GreaterThan(F("shown__reach"), F("shown__impressions")))),
        "manual": condition(Q(shown__source__in=UNCHECKED, shown__verified_at__isnull=True)),
        **went_down,
    }
    rows = list(
        with_shown_snapshots(period_posts(account_ids, start, end), as_of)
        .annotate(actions=actions)
        .annotate(**checks)
        .filter(shown_day__isnull=False)
        .order_by()
        .values(
            "pk", "account_id", "shown_day", "previous_day", "actions", "shown__source", *checks,
            *(f"shown__{f}" for f in FIELDS), *(f"before__{f}" for f in FIELDS),
        )
    )  # fmt: skip
    jumps = _sudden_jumps(rows)
    flags = []
    for row in rows:
        where = {"account_id": row["account_id"], "post_id": row["pk"], "captured_on": row["shown_day"]}
        day = row["shown_day"].isoformat()
        actions = round(row["actions"])
        if row["actions_exceed"]:
            detail = f"{actions:,} actions over {row['shown__impressions']:,} impressions (snapshot of {day})."
            flags.append(flag("actions_exceed_impressions", detail, **where))
        if row["likes_exceed"]:
            detail = (
                f"{row['shown__likes']:,} likes over a reach of {row['shown__reach']:,} accounts (snapshot of {day})."
            )
            flags.append(flag("likes_exceed_reach", detail, **where))
        if row["reach_exceeds"]:
            detail = (
                f"A reach of {row['shown__reach']:,} accounts over {row['shown__impressions']:,} impressions "
                f"(snapshot of {day})."
            )
            flags.append(flag("reach_exceeds_impressions", detail, **where))
        changes = [
            f"{METRIC_FIELDS[field].lower()} {row[f'before__{field}']:,} → {row[f'shown__{field}']:,}"
            for field in FIELDS
            if row[f"down_{field}"]
        ]
        if changes:
            detail = f"{'; '.join(changes)} (snapshots of {row['previous_day']} and {day})."
            flags.append(flag("metric_decreased", detail, **where))
        if row["manual"]:
            detail = f"Post metrics of {day}, {WORDS[row['shown__source']]}."
            flags.append(flag("unverified_manual", detail, **where))
        if row["pk"] in jumps:
            flags.append(flag("sudden_jump", f"{jumps[row['pk']]} (snapshot of {day}).", **where))
    return flags


def _real(name: str) -> Cast:
    """A count read as a float, so that adding or multiplying counts in SQL cannot overflow a 64-bit integer."""
    return Cast(name, FloatField())


@dataclass(frozen=True)
class _Spread:
    """The median and quartiles of an account's values, and the value above which a post is far outside them."""

    posts: int
    median: float
    lower: float
    upper: float

    @property
    def limit(self) -> float:
        return self.median + JUMP_IQRS * (self.upper - self.lower)

    @classmethod
    def of(cls, values: list[float]) -> "_Spread | None":
        if len(values) < JUMP_MINIMUM_POSTS:
            return None
        lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
        return cls(posts=len(values), median=median, lower=lower, upper=upper)

    def words(self, show) -> str:
        return (
            f"above {show(self.limit)}: the median of the account's {self.posts} posts of the period, "
            f"{show(self.median)}, plus {JUMP_IQRS} times the interquartile range {show(self.lower)} to "
            f"{show(self.upper)}"
        )


def _sudden_jumps(rows: list[dict]) -> dict[int, str]:
    """
    The posts far above their account's other posts of the period (`JUMP_IQRS`, `JUMP_MINIMUM_POSTS`), by
    actions or by rate by impressions (posts with impressions), each with the numbers that show it.
    """
    actions, rates = defaultdict(list), defaultdict(list)
    for row in rows:
        actions[row["account_id"]].append(row["actions"])
        if row["shown__impressions"]:
            rates[row["account_id"]].append(row["actions"] / row["shown__impressions"])
    action_spreads = {account_id: _Spread.of(values) for account_id, values in actions.items()}
    rate_spreads = {account_id: _Spread.of(values) for account_id, values in rates.items()}
    found = {}
    for row in rows:
        reasons = []
        spread = action_spreads[row["account_id"]]
        if spread is not None and row["actions"] > spread.limit:
            reasons.append(f"{round(row['actions']):,} actions, {spread.words(lambda value: f'{value:,.0f}')}")
        spread = rate_spreads.get(row["account_id"])
        if spread is not None and row["shown__impressions"]:
            rate = row["actions"] / row["shown__impressions"]
            if rate > spread.limit:
                reasons.append(f"a rate by impressions of {rate:.1%}, {spread.words(lambda value: f'{value:.1%}')}")
        if reasons:
            text = "; ".join(reasons)
            found[row["pk"]] = text[0].upper() + text[1:]
    return found


def _went_down(current, previous) -> Q:
    """
    The rule of `_dropped`, in SQL for post snapshots (followers are compared in Python), on counts read as
    floats (`_real`). NULL on either side (not reported) never counts as a decrease.
    """
    return Q(LessThan(current * 100, previous * (100 - DECREASE_TOLERANCE_PERCENT))) & Q(
        LessThan(current, previous - 1)
    )


def _dropped(previous: int | None, current: int | None) -> bool:
    if previous is None or current is None:
        return False
    return current * 100 < previous * (100 - DECREASE_TOLERANCE_PERCENT) and current < previous - 1


def _follower_flags(account_ids, start, as_of) -> list[IntegrityFlag]:
    counts = shown_follower_counts(account_ids, None, as_of)
    if start is not None:
        # The period's counts and the last one before it, which the first of the period is compared with.
        before = min(start - timedelta(days=1), as_of)
        baseline = AccountMetrics.objects.followers_on_or_before(before, account=OuterRef("account"))
        counts = counts.filter(Q(captured_on__gte=start) | Q(captured_on=Subquery(baseline.values("captured_on")[:1])))
    rows = counts.order_by("account_id", "captured_on").values(
        "account_id", "captured_on", "followers", "source", "verified_at"
    )
    flags, jumps = [], []
    previous = None
    for row in rows:
        earlier = previous if previous and previous["account_id"] == row["account_id"] else None
        previous = row
        account_id, day = row["account_id"], row["captured_on"]
        if start is not None and day < start:
            continue  # the baseline: compared with, not checked
        if row["source"] in UNCHECKED and row["verified_at"] is None:
            detail = f"{row['followers']:,} followers on {day}, {WORDS[row['source']]}."
            flags.append(flag("unverified_manual", detail, account_id=account_id, captured_on=day))
        if earlier is None:
            continue
        change = f"followers {earlier['followers']:,} on {earlier['captured_on']} → {row['followers']:,} on {day}"
        if _dropped(earlier["followers"], row["followers"]):
            flags.append(flag("metric_decreased", change + ".", account_id=account_id, captured_on=day))
        elif _jumped(earlier["followers"], row["followers"]):
            jumps.append((account_id, earlier["captured_on"], day, change))
    return flags + _jumps_without_posts(jumps)


def _jumped(earlier: int, later: int) -> bool:
    gain = later - earlier
    return gain >= FOLLOWER_JUMP_MINIMUM and gain * 100 >= earlier * FOLLOWER_JUMP_PERCENT


def _jumps_without_posts(jumps: list[tuple[int, date, date, str]]) -> list[IntegrityFlag]:
    """The jumps with no post of their account published from the earlier count's day to the later one's."""
    if not jumps:
        return []
    # One query for every jump: the publication times of the jumping accounts' posts over the whole span,
    # in the order of the (account, published_at) index.
    rows = (
        Post.objects.filter(
            account_id__in={account_id for account_id, *_ in jumps},
            published_at__gte=start_of_day(min(earlier for _, earlier, _, _ in jumps)),
            published_at__lt=start_of_day(max(later for _, _, later, _ in jumps) + timedelta(days=1)),
        )
        .order_by("account_id", "published_at")
        .values_list("account_id", "published_at")
    )
    published = defaultdict(list)
    for account_id, published_at in rows:
        published[account_id].append(published_at)
    flags = []
    for account_id, earlier, later, change in jumps:
        times = published[account_id]
        first_after = bisect_left(times, start_of_day(earlier))
        if first_after == len(times) or times[first_after] >= start_of_day(later + timedelta(days=1)):
            detail = f"{change}, with no post published in between."
            flags.append(flag("follower_jump_without_posts", detail, account_id=account_id, captured_on=later))
    return flags


def _audience_flags(account_ids, as_of) -> list[IntegrityFlag]:
    rows = (
        shown_audience(account_ids, as_of)
        .filter(source__in=UNCHECKED, verified_at__isnull=True)
        .values("account_id", "captured_on", "source")
        .annotate(buckets=Count("pk"))
    )
    return [
        flag(
            "unverified_manual",
            f"Audience of {row['captured_on']} ({row['buckets']} counts), {WORDS[row['source']]}.",
            account_id=row["account_id"],
            captured_on=row["captured_on"],
        )
        for row in rows
    ]


# Provenance.


@dataclass(frozen=True)
class ProvenanceRow:
    numbers: str  # "post_metrics", "follower_counts" or "audience"
    source: str  # a `Provenance` value
    source_label: str
    total: int
    verified: int

    @property
    def unverified(self) -> int:
        return self.total - self.verified

    def as_dict(self) -> dict:
        return {**asdict(self), "unverified": self.unverified}


@dataclass(frozen=True)
class ImportedFile:
    batch_id: int
    file_name: str
    sha256: str
    imported_at: datetime
    snapshots: int  # of the numbers the dossier shows: post snapshots, follower counts and audience rows

    def as_dict(self) -> dict:
        return {**asdict(self), "imported_at": self.imported_at.isoformat()}


@dataclass(frozen=True)
class ProvenanceSummary:
    rows: tuple[ProvenanceRow, ...]
    files: tuple[ImportedFile, ...]

    def as_dict(self) -> dict:
        return {"rows": [row.as_dict() for row in self.rows], "files": [file.as_dict() for file in self.files]}


NUMBERS = {
    "post_metrics": "Post metrics",
    "follower_counts": "Follower counts",
    "audience": "Audience counts",
}


def provenance_summary(*, account_ids: Iterable[int], start: date | None, end: date | None, as_of: date):
    """The numbers of the dossier by source and verification, and the files they were imported from. 3 queries."""
    account_ids = list(account_ids)
    querysets = {
        "post_metrics": shown_post_snapshots(account_ids, start, end, as_of),
        "follower_counts": shown_follower_counts(account_ids, start, as_of),
        "audience": shown_audience(account_ids, as_of),
    }
    totals = defaultdict(lambda: [0, 0])
    files: dict[int, dict] = {}
    for numbers, queryset in querysets.items():
        grouped = queryset.values(
            "source",
            "import_batch_id",
            "import_batch__file_name",
            "import_batch__sha256",
            "import_batch__created_at",
        ).annotate(total=Count("pk"), verified=Count("pk", filter=Q(verified_at__isnull=False)))
        for group in grouped:
            totals[numbers, group["source"]][0] += group["total"]
            totals[numbers, group["source"]][1] += group["verified"]
            if group["import_batch_id"] is not None:
                file = files.setdefault(
                    group["import_batch_id"],
                    {
                        "batch_id": group["import_batch_id"],
                        "file_name": group["import_batch__file_name"],
                        "sha256": group["import_batch__sha256"],
                        "imported_at": group["import_batch__created_at"],
                        "snapshots": 0,
                    },
                )
                file["snapshots"] += group["total"]
    rows = tuple(
        ProvenanceRow(
            numbers=numbers,
            source=source.value,
            source_label=source.label,
            total=totals[numbers, source.value][0],
            verified=totals[numbers, source.value][1],
        )
        for numbers in NUMBERS
        for source in Provenance
        # No door reads numbers from a platform's API yet: its row is shown once a number came from one.
        if source != Provenance.SYNC or any(totals[kind, source.value][0] for kind in NUMBERS)
    )
    ordered_files = sorted(files.values(), key=lambda file: (file["imported_at"], file["batch_id"]))
    return ProvenanceSummary(rows=rows, files=tuple(ImportedFile(**file) for file in ordered_files))
