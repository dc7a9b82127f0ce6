"""
The comparison table as CSV and XLSX: the rows the user may read, in the order and search of the page,
written by the site's one spreadsheet writer (`portfolio.lib.spreadsheets`): every cell formula-safe, so that no
handle or caption runs as a formula, and the CSV with a byte-order mark, so that Excel reads accents.
Rates are fractions (0.047 = 4.7%), as in the API; blank = not computable or not reported.
"""

from collections.abc import Callable

from portfolio.comparisons.rows import PERCENTILE_COLUMNS, Comparison, ComparisonRow
from portfolio.lib.spreadsheets import Table, csv_bytes, xlsx_bytes


def _mix(row: ComparisonRow, kind: str) -> str:
    return "; ".join(f"{label}: {n}" for label, n in row.mix(kind))


COLUMNS: list[tuple[str, Callable[[ComparisonRow], object]]] = [
    ("account_id", lambda row: row.pk),
    ("handle", lambda row: row.handle),
    ("platform", lambda row: row.platform),
    ("kind", lambda row: row.kind),
    ("owner", lambda row: row.owner),
    ("followers", lambda row: row.followers),
    ("followers_counted_on", lambda row: row.followers_on),
    ("follower_growth", lambda row: row.growth),
    ("follower_growth_from", lambda row: row.followers_at_start_on),
    ("posts", lambda row: row.posts),
    ("posts_per_week", lambda row: round(row.posts_per_week, 4)),
    ("posts_with_metrics", lambda row: row.summary.posts_with_metrics),
    ("actions", lambda row: row.actions),
    ("impressions", lambda row: row.impressions),
    ("reach", lambda row: row.reach),
    ("mean_rate_by_impressions", lambda row: row.rate_by_impressions),
    ("pooled_rate_by_impressions", lambda row: row.pooled_rate_by_impressions),
    ("mean_rate_by_reach", lambda row: row.rate_by_reach),
    ("pooled_rate_by_reach", lambda row: row.pooled_rate_by_reach),
    ("mean_rate_by_followers", lambda row: row.rate_by_followers),
    ("pooled_rate_by_followers", lambda row: row.pooled_rate_by_followers),
    ("career_categories", lambda row: _mix(row, "categories")),
    ("content_types", lambda row: _mix(row, "content_types")),
    ("top_post_url", lambda row: row.top_post.url if row.top_post else None),
    ("top_post_actions", lambda row: row.top_post.actions if row.top_post else None),
]


def table(comparison: Comparison) -> Table:
    """Header and rows; percentile columns only when the page shows them."""
    selection = comparison.selection
    columns = list(COLUMNS)
    if comparison.percentiles_shown:
        columns += [(f"percentile_{key}", _percentile(key)) for key in PERCENTILE_COLUMNS]
    header = ["period_start", "period_end", "as_of", *(name for name, _ in columns)]
    period = [selection.start, selection.end, selection.as_of]
    return Table("Comparison", header, [[*period, *(get(row) for _, get in columns)] for row in comparison.rows])


def _percentile(key: str) -> Callable[[ComparisonRow], object]:
    return lambda row: row.percentiles.get(key)


def as_csv(comparison: Comparison) -> bytes:
    return csv_bytes(table(comparison))


def as_xlsx(comparison: Comparison) -> bytes:
    return xlsx_bytes([table(comparison)])
