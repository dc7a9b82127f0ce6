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

Callers pass plain mappings (a snapshot's counts, `.values()` rows) or, for many
posts, `Counts` columns (`metrics.post_table` reads them straight from the
database); pandas is used only inside `summarize_counts`, and plain Python
values come out.
"""

import math
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
# Those a post's snapshot holds: followers are the account's own count.
SNAPSHOT_COUNTED_FIELDS = tuple(field for field in COUNTED_FIELDS if field != "followers")
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
    keys = None if key is None else [row.get(key) for row in rows]
    return summarize_counts(Counts.from_rows(rows), keys=keys, as_of=as_of)


@dataclass(frozen=True)
class Counts:
    """
    Many posts' counts as columns, the form every summary is computed from: `values` has one row per post and
    one column per field of `COUNTED_FIELDS` (NaN for a blank count), `measured` says which posts have a
    snapshot as of the date.
    """

    values: np.ndarray
    measured: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[Mapping]) -> "Counts":
        """From mappings of the metric fields, `followers` and (optionally) `snapshot_id`."""
        # Straight into one float array (a blank count becomes NaN): several times faster than from_records.
        try:
            values = np.array([_counted(row) for row in rows], dtype="float64")
        except KeyError:  # plain counts that leave unreported fields out
            values = np.array([[row.get(field) for field in COUNTED_FIELDS] for row in rows], dtype="float64")
        # Rows that do not say are plain counts, as in the worked example: they have a snapshot.
        measured = np.array([row.get("snapshot_id", True) is not None for row in rows], dtype=bool)
        return cls(values.reshape(len(rows), len(COUNTED_FIELDS)), measured)

    def __len__(self) -> int:
        return len(self.measured)

    def take(self, selector) -> "Counts":
        """The posts a boolean mask or an index array picks, in that order."""
        return Counts(self.values[selector], self.measured[selector])

    def column(self, field: str) -> np.ndarray:
        return self.values[:, COUNTED_FIELDS.index(field)]

    def actions(self) -> np.ndarray:
        """Each post's actions; NaN for a post with no snapshot."""
        return np.where(self.measured, np.nansum(self.values[:, : len(ACTION_FIELDS)], axis=1), np.nan)

    def usable(self, denominator: str) -> np.ndarray:
        """The posts whose rate by `denominator` is computable: a snapshot and a denominator above 0."""
        # A post without a snapshot has a follower count but no actions: it counts in neither sum of the pooled rate.
        return (self.column(denominator) > 0) & self.measured

    def rates(self, denominator: str, actions: np.ndarray | None = None) -> np.ndarray:
        """Each post's rate by `denominator`; NaN where it is not computable."""
        actions = self.actions() if actions is None else actions
        out = np.full(len(self), np.nan)
        return np.divide(actions, self.column(denominator), out=out, where=self.usable(denominator))

    def post(self, position: int) -> PostEngagement:
        """One post's engagement, as `post_engagement` gives it."""
        row = self.values[position]
        counts = {
            field: None if np.isnan(value) else int(value) for field, value in zip(COUNTED_FIELDS, row, strict=True)
        }
        return post_engagement(counts, followers=counts["followers"], has_snapshot=bool(self.measured[position]))


def summarize_counts(counts: Counts, *, keys, as_of: date) -> dict[Hashable, EngagementSummary]:
    """
    The summaries of `summarize_by`, from columns: one per distinct value of `keys` (a sequence as long as
    `counts`), or one under None when `keys` is None. Every summary in the project is computed here.
    """
    if not len(counts):
        return {}
    # The per-post columns in numpy, then one frame: inserting them one by one into a frame cost more than
    # the arithmetic.
    actions_column = counts.actions()
    columns = {"actions": actions_column}
    for denominator in DENOMINATORS:
        usable = counts.usable(denominator)
        columns[denominator] = counts.column(denominator)
        columns[f"rate_{denominator}"] = counts.rates(denominator, actions_column)
        columns[f"actions_{denominator}"] = np.where(usable, actions_column, np.nan)
        columns[f"total_{denominator}"] = np.where(usable, counts.column(denominator), np.nan)
    # Sums of counts are exact in floats (far below 2**53), and min, max and counts do not depend on the order
    # of the posts; the means come from `_exact_means`, so no figure does.
    frame = pd.DataFrame(columns, copy=False)
    key = "_key"
    frame[key] = None if keys is None else keys

    # Every sum, count, mean, min and max of every group in a few vectorised passes, not pandas calls per group.
    grouped = frame.groupby(key, dropna=False, sort=False)
    rate_columns = [f"rate_{denominator}" for denominator in DENOMINATORS]
    pooled_parts = [f"{part}_{denominator}" for denominator in DENOMINATORS for part in ("actions", "total")]
    summed = ["actions", "impressions", "reach", *pooled_parts]
    # Each result lists the groups in the same order (first appearance), so they are read side by side.
    sizes = grouped.size()
    codes = grouped.ngroup().to_numpy()
    means = {column: _exact_means(frame[column].to_numpy(), codes, len(sizes)) for column in rate_columns}
    statistics = {
        "sum": _records(grouped[summed].sum()),
        "count": _records(grouped[["actions", "impressions", "reach", *rate_columns]].count()),
        "mean": [{column: means[column][position] for column in rate_columns} for position in range(len(sizes))],
        "min": _records(grouped[rate_columns].min()),
        "max": _records(grouped[rate_columns].max()),
    }

    summaries = {}
    for position, (group_key, size) in enumerate(sizes.items()):
        group = {name: records[position] for name, records in statistics.items()}
        sums, group_counts = group["sum"], group["count"]
        summaries[None if keys is None else _plain(group_key)] = EngagementSummary(
            as_of=as_of,
            posts=int(size),
            posts_with_metrics=int(group_counts["actions"]),
            actions=int(sums["actions"]),
            impressions=int(sums["impressions"]) if group_counts["impressions"] else None,
            reach=int(sums["reach"]) if group_counts["reach"] else None,
            by_impressions=_rate_summary(group, "impressions"),
            by_reach=_rate_summary(group, "reach"),
            by_followers=_rate_summary(group, "followers"),
        )
    return summaries


def _exact_means(rates: np.ndarray, codes: np.ndarray, groups: int) -> list[float]:
    """
    The mean of each group's known rates (NaN for a group with none), from their correctly rounded sum
    (`math.fsum`): the same posts give the same mean in whatever order they are read, so a figure equals itself
    on every page. A running sum (pandas' too) can differ in the last digit between two orders.
    """
    known = ~np.isnan(rates)
    group_of = codes[known]
    order = np.argsort(group_of, kind="stable")
    values = rates[known][order].tolist()
    sizes = np.bincount(group_of, minlength=groups).tolist()
    means, start = [], 0
    for size in sizes:
        means.append(math.fsum(values[start : start + size]) / size if size else math.nan)
        start += size
    return means


def _plain(value):
    """
    A group key as Python gives it: numpy's integers and strings become int and str, and a blank key, which
    pandas groups as NaN, becomes None again.
    """
    value = value.item() if isinstance(value, np.generic) else value
    return None if isinstance(value, float) and math.isnan(value) else value


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
    """One group's rate from its statistics (see `summarize_counts`)."""
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
