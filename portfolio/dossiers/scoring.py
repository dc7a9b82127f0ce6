"""
Transparent scoring: counts by category, and an optional composite with its breakdown.

Counts are reported in six categories and never merged silently:

    Reach          impressions, reach, views, followers
    Appreciation   likes
    Discussion     comments
    Dissemination  shares
    Captures       saves
    Conversion     profile visits, follows, clicks

The optional composite score is the sum over metrics of weight x count, with the weights of the
institution's published `ScoringProfile`. It is computed once (`composite`), stored with the dossier
version as its breakdown rows (metric, count, weight, contribution), and every page, PDF and API response
shows those rows, so a committee member can recompute it by hand.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Reach": ("impressions", "reach", "views", "followers"),
    "Appreciation": ("likes",),
    "Discussion": ("comments",),
    "Dissemination": ("shares",),
    "Captures": ("saves",),
    "Conversion": ("profile_visits", "follows", "clicks"),
}
SCORED_METRICS: tuple[str, ...] = tuple(metric for metrics in CATEGORIES.values() for metric in metrics)
CATEGORY_OF: dict[str, str] = {metric: category for category, metrics in CATEGORIES.items() for metric in metrics}

# The documented default. Weights grow with the effort an action takes and with how clearly it shows that
# the content was used: being shown a post (an impression) is nearly free, a like takes a tap, a comment,
# share or save is a deliberate act, and a follow commits to future content. Reach counts are weighted low
# so that a large audience alone cannot dominate the composite. Institutions publish their own in admin.
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    "impressions": Decimal("0.001"),
    "reach": Decimal("0"),  # counted by impressions already; a second reach count would reward the same eyes twice
    "views": Decimal("0.001"),
    "followers": Decimal("0.01"),
    "likes": Decimal("0.1"),
    "comments": Decimal("1"),
    "shares": Decimal("1"),
    "saves": Decimal("1"),
    "profile_visits": Decimal("0.5"),
    "follows": Decimal("2"),
    "clicks": Decimal("0.5"),
}
DEFAULT_PROFILE_NAME = "SoMe Portfolio default weights"
DEFAULT_PROFILE_DESCRIPTION = (
    "Weights grow with the effort an action takes: an impression or view 0.001, a follower 0.01, a like 0.1, "
    "a profile visit or click 0.5, a comment, share or save 1, a follow 2. Reach weighs 0 because impressions "
    "already count the same audience. The composite is a convenience: the counts by category are the evidence."
)


def default_weights() -> dict[str, str]:
    """The default as JSON-ready strings (exact decimals survive a JSON round trip)."""
    return {metric: str(weight) for metric, weight in DEFAULT_WEIGHTS.items()}


def validate_weights(weights: object) -> None:
    """Raise ValueError naming the first bad entry: unknown metric, not a number, or negative."""
    if not isinstance(weights, Mapping):
        raise ValueError("Weights must be an object of metric: weight.")
    for metric, weight in weights.items():
        if metric not in SCORED_METRICS:
            raise ValueError(f"Unknown metric {metric!r}; use one of: {', '.join(SCORED_METRICS)}.")
        try:
            value = Decimal(str(weight))
        except ArithmeticError:
            raise ValueError(f"The weight of {metric} is not a number: {weight!r}.") from None
        if not value.is_finite() or value < 0:
            raise ValueError(f"The weight of {metric} must be a number of 0 or more, not {weight!r}.")


@dataclass(frozen=True)
class BreakdownRow:
    category: str
    metric: str
    count: int
    weight: str  # exact decimal, as published
    contribution: str  # count x weight, exact

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Composite:
    total: str  # exact decimal: the sum of the rows' contributions
    rows: tuple[BreakdownRow, ...]

    def as_dict(self) -> dict:
        return {"total": self.total, "rows": [row.as_dict() for row in self.rows]}


def category_counts(counts: Mapping[str, int | None]) -> dict[str, dict[str, int | None]]:
    """The counts grouped by category, each metric under its own name (None: not reported)."""
    return {category: {metric: counts.get(metric) for metric in metrics} for category, metrics in CATEGORIES.items()}


def composite(counts: Mapping[str, int | None], weights: Mapping[str, object]) -> Composite:
    """
    weight x count per scored metric, in category order. A metric not reported counts 0 and still gets
    its row, so the breakdown always lists every weight that was applied. Exact decimals throughout: the
    printed rows add up to the printed total.
    """
    rows = []
    total = Decimal(0)
    for metric in SCORED_METRICS:
        weight = Decimal(str(weights.get(metric, 0)))
        count = counts.get(metric) or 0
        contribution = weight * count
        total += contribution
        rows.append(
            BreakdownRow(
                category=CATEGORY_OF[metric],
                metric=metric,
                count=count,
                weight=_plain(weight),
                contribution=_plain(contribution),
            )
        )
    return Composite(total=_plain(total), rows=tuple(rows))


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 12.500 -> '12.5', 1E+1 -> '10'."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"
