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
    metric_decreased            a post's count, or an account's followers, went down from one snapshot to
                                the next by more than 2% and by more than 1 (counts only grow; a removed
                                like or a spam clean-up moves them by a little)
    follower_jump_without_posts followers rose by 10% or more (and by 100 or more) between two counts
                                while the account published nothing from the earlier count's day to the
                                later one's
    unverified_manual           numbers entered by hand that no admin has verified

The two ratio checks and the manual-entry check look at the snapshots the dossier shows; a decrease is
found between any two consecutive snapshots up to `as_of` (the later one's date is the flag's). Every flag
carries the numbers that show it.

`provenance_summary` counts those same numbers by source (manual entry, imported file, API) and by
whether an admin verified them, and lists the imported files they came from.

Both take a constant number of queries, however many posts and snapshots there are: the checks on post
snapshots run in the database and return only the rows that trip them.
"""

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, Lag
from django.db.models.lookups import LessThan

from metrics.engagement import ACTION_FIELDS
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics, Provenance, start_of_day
from metrics.vocabulary import METRIC_FIELDS

# A count that goes down by more than this percentage (and by more than 1) between snapshots is flagged.
DECREASE_TOLERANCE_PERCENT = 2
# Followers rising by at least this percentage and this many, with no post in between, are flagged.
FOLLOWER_JUMP_PERCENT = 10
FOLLOWER_JUMP_MINIMUM = 100

KINDS = {
    "actions_exceed_impressions": "More actions than impressions",
    "likes_exceed_reach": "More likes than accounts reached",
    "metric_decreased": "A count went down between snapshots",
    "follower_jump_without_posts": "Followers jumped while nothing was posted",
    "unverified_manual": "Entered by hand, not verified by an admin",
}
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}


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
    """Every flag on the numbers of these accounts' period posts and follower counts, as of `as_of`. 4-5 queries."""
    account_ids = list(account_ids)
    flags = [
        *_shown_snapshot_flags(account_ids, start, end, as_of),
        *_post_decrease_flags(account_ids, start, end, as_of),
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


def shown_post_snapshots(account_ids: list[int], start: date | None, end: date | None, as_of: date):
    """Each period post's latest snapshot on or before `as_of`."""
    latest_day = (
        PostMetrics.objects.filter(post=OuterRef("post"), captured_on__lte=as_of)
        .order_by("-captured_on")
        .values("captured_on")[:1]
    )
    # Served by the (post, captured_on) unique index; the model's default ordering is not needed.
    return PostMetrics.objects.filter(
        post__in=period_posts(account_ids, start, end).values("pk"), captured_on=Subquery(latest_day)
    ).order_by()


def shown_follower_counts(account_ids: list[int], start: date | None, as_of: date):
    counts = AccountMetrics.objects.filter(account_id__in=account_ids, captured_on__lte=as_of, followers__isnull=False)
    return counts.filter(captured_on__gte=start).order_by() if start else counts.order_by()


def shown_audience(account_ids: list[int], as_of: date):
    """The rows of each account's latest audience snapshot on or before `as_of`."""
    latest_day = (
        AudienceSnapshot.objects.filter(account=OuterRef("account"), captured_on__lte=as_of)
        .order_by("-captured_on")
        .values("captured_on")[:1]
    )
    return AudienceSnapshot.objects.filter(account_id__in=account_ids, captured_on=Subquery(latest_day)).order_by()


UNVERIFIED_MANUAL = Q(source=Provenance.MANUAL, verified_at__isnull=True)


# The checks.


def _shown_snapshot_flags(account_ids, start, end, as_of) -> list[IntegrityFlag]:
    actions = reduce(operator.add, (Coalesce(F(field), 0) for field in ACTION_FIELDS))
    rows = (
        shown_post_snapshots(account_ids, start, end, as_of)
        .annotate(actions=actions, manual_unverified=ExpressionWrapper(UNVERIFIED_MANUAL, output_field=BooleanField()))
        .filter(
            Q(impressions__isnull=False, actions__gt=F("impressions"))
            | Q(reach__isnull=False, likes__gt=F("reach"))
            | Q(manual_unverified=True)
        )
        .values(
            "post_id",
            "post__account_id",
            "captured_on",
            "actions",
            "impressions",
            "likes",
            "reach",
            "manual_unverified",
        )
    )
    flags = []
    for row in rows:
        where = {"account_id": row["post__account_id"], "post_id": row["post_id"], "captured_on": row["captured_on"]}
        day = row["captured_on"].isoformat()
        if row["impressions"] is not None and row["actions"] > row["impressions"]:
            detail = f"{row['actions']:,} actions over {row['impressions']:,} impressions (snapshot of {day})."
            flags.append(flag("actions_exceed_impressions", detail, **where))
        if row["reach"] is not None and row["likes"] is not None and row["likes"] > row["reach"]:
            detail = f"{row['likes']:,} likes over a reach of {row['reach']:,} accounts (snapshot of {day})."
            flags.append(flag("likes_exceed_reach", detail, **where))
        if row["manual_unverified"]:
            flags.append(flag("unverified_manual", f"Post metrics of {day}, entered by hand.", **where))
    return flags


def _post_decrease_flags(account_ids, start, end, as_of) -> list[IntegrityFlag]:
    def previous(field: str) -> Window:
        return Window(Lag(field), partition_by=[F("post_id")], order_by=F("captured_on").asc())

    fields = list(METRIC_FIELDS)
    went_down = reduce(operator.or_, (_went_down(F(field), F(f"previous_{field}")) for field in fields))
    rows = (
        PostMetrics.objects.filter(post__in=period_posts(account_ids, start, end).values("pk"), captured_on__lte=as_of)
        .annotate(previous_captured_on=previous("captured_on"), **{f"previous_{f}": previous(f) for f in fields})
        .filter(went_down)
        .order_by()
        .values(
            "post_id",
            "post__account_id",
            "captured_on",
            "previous_captured_on",
            *fields,
            *(f"previous_{f}" for f in fields),
        )
    )
    flags = []
    for row in rows:
        changes = [
            f"{METRIC_FIELDS[field].lower()} {row[f'previous_{field}']:,} → {row[field]:,}"
            for field in fields
            if _dropped(row[f"previous_{field}"], row[field])
        ]
        detail = f"{'; '.join(changes)} (snapshots of {row['previous_captured_on']} and {row['captured_on']})."
        flags.append(
            flag(
                "metric_decreased",
                detail,
                account_id=row["post__account_id"],
                post_id=row["post_id"],
                captured_on=row["captured_on"],
            )
        )
    return flags


def _went_down(current, previous) -> Q:
    """The database form of `_dropped`; NULL on either side (not reported) never counts as a decrease."""
    return Q(LessThan(current * 100, previous * (100 - DECREASE_TOLERANCE_PERCENT))) & Q(
        LessThan(current, previous - 1)
    )


def _dropped(previous: int | None, current: int | None) -> bool:
    if previous is None or current is None:
        return False
    return current * 100 < previous * (100 - DECREASE_TOLERANCE_PERCENT) and current < previous - 1


def _follower_flags(account_ids, start, as_of) -> list[IntegrityFlag]:
    # Every count up to `as_of`, so that the first count of the period is compared with the one before it.
    rows = (
        AccountMetrics.objects.filter(account_id__in=account_ids, captured_on__lte=as_of, followers__isnull=False)
        .order_by("account_id", "captured_on")
        .values("account_id", "captured_on", "followers", "source", "verified_at")
    )
    flags, jumps = [], []
    by_account = defaultdict(list)
    for row in rows:
        by_account[row["account_id"]].append(row)
    for account_id, counts in by_account.items():
        for earlier, later in zip([None, *counts], counts, strict=False):
            if start is not None and later["captured_on"] < start:
                continue
            day = later["captured_on"]
            if later["source"] == Provenance.MANUAL and later["verified_at"] is None:
                detail = f"{later['followers']:,} followers on {day}, entered by hand."
                flags.append(flag("unverified_manual", detail, account_id=account_id, captured_on=day))
            if earlier is None:
                continue
            change = f"followers {earlier['followers']:,} on {earlier['captured_on']} → {later['followers']:,} on {day}"
            if _dropped(earlier["followers"], later["followers"]):
                flags.append(flag("metric_decreased", change + ".", account_id=account_id, captured_on=day))
            elif _jumped(earlier["followers"], later["followers"]):
                jumps.append((account_id, earlier["captured_on"], day, change))
    return flags + _jumps_without_posts(jumps)


def _jumped(earlier: int, later: int) -> bool:
    gain = later - earlier
    return gain >= FOLLOWER_JUMP_MINIMUM and gain * 100 >= earlier * FOLLOWER_JUMP_PERCENT


def _jumps_without_posts(jumps: list[tuple[int, date, date, str]]) -> list[IntegrityFlag]:
    """The jumps with no post of their account published from the earlier count's day to the later one's."""
    if not jumps:
        return []
    # One query for every jump: the publication times of the jumping accounts' posts over the whole span.
    published = defaultdict(list)
    rows = Post.objects.filter(
        account_id__in={account_id for account_id, *_ in jumps},
        published_at__gte=start_of_day(min(earlier for _, earlier, _, _ in jumps)),
        published_at__lt=start_of_day(max(later for _, _, later, _ in jumps) + timedelta(days=1)),
    ).values_list("account_id", "published_at")
    for account_id, published_at in rows:
        published[account_id].append(published_at)
    flags = []
    for account_id, earlier, later, change in jumps:
        window_start, window_end = start_of_day(earlier), start_of_day(later + timedelta(days=1))
        if not any(window_start <= moment < window_end for moment in published[account_id]):
            detail = f"{change}, with no post published in between."
            flags.append(flag("follower_jump_without_posts", detail, account_id=account_id, captured_on=later))
    return flags


def _audience_flags(account_ids, as_of) -> list[IntegrityFlag]:
    rows = (
        shown_audience(account_ids, as_of)
        .filter(UNVERIFIED_MANUAL)
        .values("account_id", "captured_on")
        .annotate(buckets=Count("pk"))
    )
    return [
        flag(
            "unverified_manual",
            f"Audience of {row['captured_on']} ({row['buckets']} counts), entered by hand.",
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
    )
    ordered_files = sorted(files.values(), key=lambda file: (file["imported_at"], file["batch_id"]))
    return ProvenanceSummary(rows=rows, files=tuple(ImportedFile(**file) for file in ordered_files))
