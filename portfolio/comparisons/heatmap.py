"""
Best time to post: a weekday x hour grid of the engagement rate by impressions.

Each post falls in the cell of its publication's weekday and hour in its account's institution time zone
(`SocialAccount.time_zone()`), so 9 a.m. means 9 a.m. where the account's audience is. A cell shows the mean of
its posts' rates by impressions (`engagement.summarize_counts`, as everywhere) and n, the number of posts whose rate
is computable; with fewer than `MIN_POSTS_PER_CELL` posts it says "not enough data" instead of a rate.
"""

import zoneinfo
from dataclasses import dataclass

import numpy as np

from portfolio.comparisons.rows import Loaded

MIN_POSTS_PER_CELL = 5
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = tuple(range(24))


@dataclass(frozen=True)
class Cell:
    weekday: int  # 0 = Monday
    hour: int
    posts: int  # posts whose rate by impressions is computable
    rate: float | None  # None when not enough data
    shade: int  # 0 (lowest rate shown) to 4 (highest); -1 for not enough data

    @property
    def enough_data(self) -> bool:
        return self.rate is not None

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


@dataclass(frozen=True)
class Heatmap:
    rows: list[tuple[str, list[Cell]]]  # (weekday name, its 24 cells)
    posts: int  # posts in the grid
    accounts: int
    left_out: int  # accounts left out of the aggregate to protect accounts the user may not see
    best: list[Cell]  # up to three cells with the highest rate and enough data

    @property
    def cells(self) -> list[Cell]:
        return [cell for _, cells in self.rows for cell in cells]


def heatmap(loaded: Loaded) -> Heatmap:
    accounts, left_out = loaded.aggregate_peers()
    zones = {row.pk: zoneinfo.ZoneInfo(row.time_zone) for row in accounts}
    posts = loaded.posts_of(accounts)
    cells = []
    for published_at, account in zip(posts.published_at(), posts["account_id"].tolist(), strict=True):
        local = published_at.astimezone(zones[account])
        cells.append(local.weekday() * 24 + local.hour)
    summaries = posts.summaries_by(np.array(cells, dtype="int64"))
    rates = {}
    for key, summary in summaries.items():
        by_impressions = summary.by_impressions
        rates[key] = (by_impressions.posts, by_impressions.mean)
    shown = sorted(rate for n, rate in rates.values() if n >= MIN_POSTS_PER_CELL)
    grid = []
    for weekday, name in enumerate(WEEKDAYS):
        cells = []
        for hour in HOURS:
            n, rate = rates.get(weekday * 24 + hour, (0, None))
            enough = n >= MIN_POSTS_PER_CELL and rate is not None
            cells.append(Cell(weekday, hour, n, rate if enough else None, _shade(rate, shown) if enough else -1))
        grid.append((name, cells))
    heat = Heatmap(grid, len(posts), len(accounts), left_out, [])
    best = sorted((cell for cell in heat.cells if cell.enough_data), key=lambda cell: -cell.rate)[:3]
    return Heatmap(grid, len(posts), len(accounts), left_out, best)


def _shade(rate: float, shown: list[float]) -> int:
    """0 (the lowest rate shown) to 4 (the highest), by rank: colours rank cells, the numbers say how far apart."""
    below = sum(other < rate for other in shown)
    return below * 4 // max(len(shown) - 1, 1)
