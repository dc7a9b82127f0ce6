"""
The comparison pages' charts, drawn by the site's one SVG chart module (`portfolio.lib.charts`): the spread of
the accounts' mean engagement rates, followers over time of the first accounts of a page, and a series' posts
per week. Each returns the chart's SVG, or None when there is nothing to draw (the page then says so in words).
The ids are fixed, so the page can point at its charts.
"""

from datetime import date

from django.utils.safestring import SafeString

from metrics.formatting import percent
from portfolio.comparisons.rows import ComparisonRow
from portfolio.lib import charts


def rate_distribution(rows: list[ComparisonRow]) -> tuple[SafeString | None, list[tuple[str, int]]]:
    """A histogram of the rows' mean rate by impressions, and its bins for the table beside it."""
    rates = [row.rate_by_impressions for row in rows]
    if all(rate is None for rate in rates):
        return None, []
    return charts.histogram(
        title="Mean engagement rate by impressions, per account",
        description="Accounts whose mean engagement rate by impressions falls in each range.",
        values=rates,
        value_format=percent,
        unit="accounts",
        chart_id="rate-distribution",
    )


def followers_over_time(lines: list[tuple[str, list[tuple[date, int]]]]) -> tuple[SafeString | None, list[dict]]:
    """One line per (label, [(day, followers)]), and its legend, which the page prints under the chart."""
    key = charts.legend([label for label, _ in lines])
    if not any(points for _, points in lines):
        return None, key
    svg = charts.line_chart(
        title="Followers over time",
        description="Follower counts of each account in the period.",
        series=dict(lines),
        with_legend=False,
        chart_id="followers-over-time",
    )
    return svg, key


def posts_per_week(hashtag: str, weeks: list[tuple[date, int]]) -> SafeString | None:
    if not weeks:
        return None
    return charts.bars_over_time(
        title=f"Posts with #{hashtag} per week",
        description=f"Posts with #{hashtag} in each week, weeks starting on Monday.",
        weeks=weeks,
        unit="posts",
        chart_id="series-weeks",
    )
