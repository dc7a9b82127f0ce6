"""
Roll-ups: the figures of the table aggregated per chosen department and per chosen institution, so that
radiology at one institution compares with radiology at another.

Per group: accounts, total followers (as of the as-of date, over the accounts that report them), posts,
actions, impressions and reach; medians over the accounts of followers, posts per week and the mean rate by
impressions; and the group's engagement summary over all its posts (mean of per-post rates and pooled rates,
the same `engagement.summarize_counts` as everywhere). A group with accounts the user may not read one by one is
shown only when it has at least `MIN_PEERS` of them (see `selection.aggregate_is_shown`).
"""

from dataclasses import dataclass
from statistics import median

from metrics import engagement
from portfolio.comparisons.rows import ComparisonRow, Loaded
from portfolio.comparisons.selection import Place, aggregate_is_shown
from portfolio.lib.percentiles import MIN_PEERS


@dataclass(frozen=True)
class Rollup:
    place: Place
    accounts: int
    hidden: int  # accounts of the group whose own rows the user may not read
    shown: bool
    followers: int | None
    median_followers: float | None
    median_posts_per_week: float | None
    median_rate_by_impressions: float | None
    summary: engagement.EngagementSummary | None  # None when not shown

    @property
    def withheld_reason(self) -> str:
        return (
            f"Not shown: it covers {self.hidden} account{'s' if self.hidden != 1 else ''} you may not see one by one, "
            f"fewer than {MIN_PEERS}."
        )


def rollups(loaded: Loaded, *, active_only: bool = False) -> list[Rollup]:
    """One roll-up per chosen place, in the order chosen. `active_only`: count only accounts that posted."""
    return [
        rollup(loaded, place=place, accounts=_members(loaded, place.key, active_only))
        for place in loaded.selection.places
    ]


def rollup(loaded: Loaded, *, place: Place, accounts: list[ComparisonRow]) -> Rollup:
    hidden = sum(not row.visible for row in accounts)
    if not aggregate_is_shown(hidden_accounts=hidden):
        return Rollup(place, len(accounts), hidden, False, None, None, None, None, None)
    followers = [row.followers for row in accounts if row.followers is not None]
    return Rollup(
        place=place,
        accounts=len(accounts),
        hidden=hidden,
        shown=True,
        followers=sum(followers) if followers else None,
        median_followers=_median(followers),
        median_posts_per_week=_median([row.posts_per_week for row in accounts]),
        median_rate_by_impressions=_median([row.rate_by_impressions for row in accounts]),
        summary=loaded.posts_of(accounts).summary(),
    )


def _members(loaded: Loaded, key: str, active_only: bool) -> list[ComparisonRow]:
    members = loaded.in_place(key)
    return [row for row in members if row.posts] if active_only else members


def _median(values) -> float | None:
    known = [value for value in values if value is not None]
    return float(median(known)) if known else None
