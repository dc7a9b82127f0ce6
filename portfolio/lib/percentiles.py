"""
Percentile ranks: where one value stands among its peers.

The definition (the "mid-rank" percentile, shown on /methods/):

    percentile of x among values V = 100 x (number of values below x + half the number equal to x) / len(V)

V holds the computable values only (None is left out of V, and a None value has no percentile). With this
definition a value in the middle of its peers is at 50, ties share one rank, and the answer does not depend on
the order of the peers. The value itself counts among V when it belongs to the group, as it does when an
account is ranked within a comparison or against its own department.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Mapping


def percentile(value: float | None, values: Iterable[float | None]) -> float | None:
    """The percentile of `value` among `values`; None when `value` is None or no value is computable."""
    return _Ranks(values).of(value)


def percentile_ranks(values: Mapping[Hashable, float | None]) -> dict[Hashable, float | None]:
    """Each key's percentile among all the values of the mapping (in O(n log n))."""
    ranks = _Ranks(values.values())
    return {key: ranks.of(value) for key, value in values.items()}


class _Ranks:
    def __init__(self, values: Iterable[float | None]):
        self.sorted = sorted(value for value in values if value is not None)

    def of(self, value: float | None) -> float | None:
        if value is None or not self.sorted:
            return None
        below = bisect_left(self.sorted, value)
        equal = bisect_right(self.sorted, value) - below
        return 100 * (below + equal / 2) / len(self.sorted)
