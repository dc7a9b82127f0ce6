"""
The engagement definitions of the design, in one place.

- actions = likes + dislikes + comments + shares + saves + profile_visits
  + follows + clicks; a field that was not reported counts as 0.
- rate by impressions / reach / followers = actions / that denominator, where
  followers are the account's followers on the post's publication day.
- A rate whose denominator is missing or 0 is not computable: None, never 0.
- A post with no snapshot (as of the date) has no known actions either: its
  actions and rates are None, and summaries leave it out of every sum and rate.
- Over many posts: the mean, min and max of the per-post rates (posts whose
  rate is computable) AND the pooled rate: sum of actions / sum of
  denominators, over the same posts.

Worked example (a published nuclear-medicine Instagram post): 184 likes,
10 comments, 11 shares, 36 saves, 42 profile visits and 9 follows are 292
actions; over 6,154 impressions that is 4.7%.

Callers pass plain mappings (a snapshot's counts, `.values()` rows); pandas is
used only inside `summarize_by`, and plain Python values come out.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

import numpy as np
import pandas as pd

ACTION_FIELDS = ("likes", "dislikes", "comments", "shares", "saves", "profile_visits", "follows", "clicks")
# The three denominators, in the order pages show them.
DENOMINATORS = ("impressions", "reach", "followers")
# What the summaries read of each row, besides `snapshot_id` and the grouping key.
COUNTED_FIELDS = (*ACTION_FIELDS, *DENOMINATORS)
_counted = itemgetter(*COUNTED_FIELDS)


def actions(counts: Mapping[str, int | None]) -> int:
    """Sum of the action fields of one snapshot; unreported fields count as 0."""
    return sum(counts.get(field) or 0 for field in ACTION_FIELDS)


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator, or None when the denominator is missing or 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class PostEngagement:
    actions: int | None  # None: no snapshot, so nothing is known
    impressions: int | None
    reach: int | None
    followers: int | None

    @property
    def rate_by_impressions(self) -> float | None:
        return rate(self.actions, self.impressions)

    @property
    def rate_by_reach(self) -> float | None:
        return rate(self.actions, self.reach)

    @property
    def rate_by_followers(self) -> float | None:
        return rate(self.actions, self.followers)

    def as_dict(self) -> dict:
        return {
            "actions": self.actions,
            "rate_by_impressions": self.rate_by_impressions,
            "rate_by_reach": self.rate_by_reach,
            "rate_by_followers": self.rate_by_followers,
        }


def post_engagement(
    counts: Mapping[str, int | None], *, followers: int | None, has_snapshot: bool = True
) -> PostEngagement:
    """Engagement of one post from its snapshot counts and its account's followers on the publication day."""
    return PostEngagement(
        actions=actions(counts) if has_snapshot else None,
        impressions=counts.get("impressions"),
        reach=counts.get("reach"),
        followers=followers,
    )


@dataclass(frozen=True)
class RateSummary:
    """One engagement rate over many posts. `posts` counts the posts whose rate is computable."""

    denominator: str
    posts: int
    actions: int
    denominator_total: int
    mean: float | None
    min: float | None
    max: float | None
    pooled: float | None

    def as_dict(self) -> dict:
        return {"mean": self.mean, "min": self.min, "max": self.max, "pooled": self.pooled}


@dataclass(frozen=True)
class EngagementSummary:
    as_of: date
    posts: int
    posts_with_metrics: int  # posts with a snapshot on or before `as_of`; the others count nowhere else
    actions: int
    impressions: int | None
    reach: int | None
    by_impressions: RateSummary
    by_reach: RateSummary
    by_followers: RateSummary

    @property
    def rates(self) -> tuple[RateSummary, RateSummary, RateSummary]:
        return (self.by_impressions, self.by_reach, self.by_followers)


def summarize(rows: Iterable[Mapping], *, as_of: date) -> EngagementSummary:
    """
    Summary over all `rows`: each a mapping of the metric fields plus `followers` (on the post's
    day) and, optionally, `snapshot_id` (None for a post with no snapshot as of the date).
    """
    return summarize_by(rows, key=None, as_of=as_of).get(None) or empty_summary(as_of)


def summarize_by(rows: Iterable[Mapping], *, key: str | None, as_of: date) -> dict[Hashable, EngagementSummary]:
    """
    One summary per value of `rows[key]` (or one under None when key is None).

    Groups with no rows do not appear; callers fall back to `empty_summary`.
    """
    rows = list(rows)
    if not rows:
        return {}
    # Straight into one float array (a blank count becomes NaN): several times faster than from_records.
    try:
        counts = np.array([_counted(row) for row in rows], dtype="float64")
    except KeyError:  # plain counts that leave unreported fields out
        counts = np.array([[row.get(field) for field in COUNTED_FIELDS] for row in rows], dtype="float64")
    # Rows that do not say are plain counts, as in the worked example: they have a snapshot.
    has_snapshot = np.array([row.get("snapshot_id", True) is not None for row in rows])
    # The per-post columns in numpy, then one frame: inserting them one by one into a frame cost more than
    # the arithmetic.
    actions_column = np.where(has_snapshot, np.nansum(counts[:, : len(ACTION_FIELDS)], axis=1), np.nan)
    columns = {"actions": actions_column}
    for position, denominator in enumerate(DENOMINATORS, start=len(ACTION_FIELDS)):
        values = counts[:, position]
        columns[denominator] = values
        # A post without a snapshot has a follower count but no actions: it counts in neither sum of the pooled rate.
        usable = (values > 0) & has_snapshot
        columns[f"rate_{denominator}"] = np.divide(actions_column, values, out=np.full(len(rows), np.nan), where=usable)
        columns[f"actions_{denominator}"] = np.where(usable, actions_column, np.nan)
        columns[f"total_{denominator}"] = np.where(usable, values, np.nan)
    # copy=False also keeps each column a block of its own: pandas' grouped mean over one 2-D block rounds
    # differently when a neighbouring column has NaN, and the same posts in another order then differ in the
    # last digit.
    frame = pd.DataFrame(columns, copy=False)
    if key is None:
        key = "_all"
        frame[key] = None
    else:
        frame[key] = [row.get(key) for row in rows]

    # Every sum, count, mean, min and max of every group in a few vectorised passes, not pandas calls per group.
    grouped = frame.groupby(key, dropna=False, sort=False)
    rate_columns = [f"rate_{denominator}" for denominator in DENOMINATORS]
    pooled_parts = [f"{part}_{denominator}" for denominator in DENOMINATORS for part in ("actions", "total")]
    summed = ["actions", "impressions", "reach", *pooled_parts]
    # Each result lists the groups in the same order (first appearance), so they are read side by side.
    sizes = grouped.size()
    statistics = {
        "sum": _records(grouped[summed].sum()),
        "count": _records(grouped[["actions", "impressions", "reach", *rate_columns]].count()),
        "mean": _records(grouped[rate_columns].mean()),
        "min": _records(grouped[rate_columns].min()),
        "max": _records(grouped[rate_columns].max()),
    }

    summaries = {}
    for position, (group_key, size) in enumerate(sizes.items()):
        group = {name: records[position] for name, records in statistics.items()}
        sums, counts = group["sum"], group["count"]
        summaries[None if key == "_all" else group_key] = EngagementSummary(
            as_of=as_of,
            posts=int(size),
            posts_with_metrics=int(counts["actions"]),
            actions=int(sums["actions"]),
            impressions=int(sums["impressions"]) if counts["impressions"] else None,
            reach=int(sums["reach"]) if counts["reach"] else None,
            by_impressions=_rate_summary(group, "impressions"),
            by_reach=_rate_summary(group, "reach"),
            by_followers=_rate_summary(group, "followers"),
        )
    return summaries


def _records(table: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts, as `to_dict("records")` but without its per-row overhead."""
    return [dict(zip(table.columns, row, strict=True)) for row in table.to_numpy().tolist()]


def empty_summary(as_of: date) -> EngagementSummary:
    return EngagementSummary(
        as_of=as_of,
        posts=0,
        posts_with_metrics=0,
        actions=0,
        impressions=None,
        reach=None,
        by_impressions=_empty_rate("impressions"),
        by_reach=_empty_rate("reach"),
        by_followers=_empty_rate("followers"),
    )


def _rate_summary(group: dict, denominator: str) -> RateSummary:
    """One group's rate from its statistics (see `summarize_by`)."""
    column = f"rate_{denominator}"
    posts = int(group["count"][column])
    if not posts:
        return _empty_rate(denominator)
    action_total = int(group["sum"][f"actions_{denominator}"])
    denominator_total = int(group["sum"][f"total_{denominator}"])
    return RateSummary(
        denominator=denominator,
        posts=posts,
        actions=action_total,
        denominator_total=denominator_total,
        mean=float(group["mean"][column]),
        min=float(group["min"][column]),
        max=float(group["max"][column]),
        pooled=rate(action_total, denominator_total),
    )


def _empty_rate(denominator: str) -> RateSummary:
    return RateSummary(
        denominator=denominator, posts=0, actions=0, denominator_total=0, mean=None, min=None, max=None, pooled=None
    )
