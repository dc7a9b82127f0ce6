"""
What works: the mean engagement rate by content type and by career category, with a 95% confidence interval,
so that "case images beat news links" can be checked rather than believed.

For each group, over its posts whose rate is computable (n of them): the mean of the per-post rates (from
`engagement.summarize_counts`, the same mean as everywhere) and a 95% t-interval on those per-post rates,
mean +/- t(0.975, n - 1) x s / sqrt(n), where s is their sample standard deviation (n - 1 in the denominator).
It treats the posts as independent draws, which posts of one account are not quite; with n < 2 there is no
interval. The pooled rate is given beside it.
"""

import math
from dataclasses import dataclass
from statistics import stdev

from scipy import stats

from accounts.vocabulary import ContentType
from metrics.vocabulary import CareerCategory
from portfolio.comparisons.rows import Loaded

CONFIDENCE = 0.95
GROUPINGS = {
    "content_type": ("Content type", dict(ContentType.choices)),
    "category": ("Career category", {**dict(CareerCategory.choices), "": "No category"}),
}


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class GroupRate:
    key: str
    label: str
    posts: int  # posts whose rate is computable (n)
    mean: float | None
    ci: Interval | None
    pooled: float | None


@dataclass(frozen=True)
class WhatWorks:
    denominator: str
    by: dict[str, tuple[str, list[GroupRate]]]  # grouping key -> (its label, a row per group, highest mean first)
    accounts: int
    left_out: int


def t_interval(rates: list[float], *, confidence: float = CONFIDENCE) -> Interval | None:
    """The t-interval of the mean of `rates`; None for fewer than two rates."""
    n = len(rates)
    if n < 2:
        return None
    mean = sum(rates) / n
    half_width = stats.t.ppf((1 + confidence) / 2, n - 1) * stdev(rates) / math.sqrt(n)
    return Interval(mean - half_width, mean + half_width)


def what_works(loaded: Loaded) -> WhatWorks:
    accounts, left_out = loaded.aggregate_peers()
    posts = loaded.posts_of(accounts)
    denominator = loaded.selection.denominator
    post_rates = posts.counts.rates(denominator).tolist()
    by = {}
    for grouping, (label, labels) in GROUPINGS.items():
        summaries = posts.summaries_by(grouping)
        rates: dict[str, list[float]] = {}
        for key, rate in zip(posts[grouping].tolist(), post_rates, strict=True):
            if not math.isnan(rate):
                rates.setdefault(key, []).append(rate)
        groups = []
        for key, summary in summaries.items():
            rate_summary = {"impressions": summary.by_impressions, "reach": summary.by_reach}.get(
                denominator, summary.by_followers
            )
            groups.append(
                GroupRate(
                    key=key,
                    label=labels.get(key, key),
                    posts=rate_summary.posts,
                    mean=rate_summary.mean,
                    ci=t_interval(rates.get(key, [])),
                    pooled=rate_summary.pooled,
                )
            )
        groups.sort(key=lambda group: (group.mean is None, -(group.mean or 0), group.label))
        by[grouping] = (label, groups)
    return WhatWorks(denominator, by, len(accounts), left_out)
