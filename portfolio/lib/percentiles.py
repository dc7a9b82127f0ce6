"""
Percentile ranks: where one value stands among its peers.

The definition (the "mid-rank" percentile, shown on /methods/):

    percentile of x among values V = 100 x (number of values below x + half the number equal to x) / len(V)

V holds the computable values only (None is left out of V, and a None value has no percentile). With this
definition a value in the middle of its peers is at 50, ties share one rank, and the answer does not depend on
the order of the peers. The value itself counts among V when it belongs to the group, as it does when an
account is ranked within a comparison or against its own department.

A percentile is shown only for a group of at least `MIN_PEERS` computable values: in a group of one the account
is ranked against itself, and in a group of two its rank tells whether the one colleague is above it. Every
percentile a page, an export or the API shows comes from `percentile_in_group` or `ranks_in_group`, which
apply that rule; the same number bounds every other aggregate over accounts a viewer may not read one by one.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Mapping

# The smallest group a percentile (or an aggregate over accounts one may not read) is shown for.
MIN_PEERS = 5


def percentile(value: float | None, values: Iterable[float | None]) -> float | None:
    """The percentile of `value` among `values`; None when `value` is None or no value is computable."""
    return _Ranks(values).of(value)


def percentile_ranks(values: Mapping[Hashable, float | None]) -> dict[Hashable, float | None]:
    """Each key's percentile among all the values of the mapping (in O(n log n))."""
    ranks = _Ranks(values.values())
    return {key: ranks.of(value) for key, value in values.items()}


def group_size(values: Iterable[float | None]) -> int:
    """How many of `values` are computable: the size of the group a percentile among them ranks in."""
    return sum(1 for value in values if value is not None)


def percentile_in_group(value: float | None, values: Iterable[float | None]) -> float | None:
    """
    The percentile of `value` among `values`, or None when fewer than `MIN_PEERS` of them are computable (or
    `value` is not): the one rule for every percentile shown against peers.
    """
    return _Ranks(values).in_group(value)


def ranks_in_group(values: Mapping[Hashable, float | None]) -> dict[Hashable, float | None]:
    """Each key's `percentile_in_group` among all the values of the mapping (in O(n log n))."""
    ranks = _Ranks(values.values())
    return {key: ranks.in_group(value) for key, value in values.items()}


class _Ranks:
    def __init__(self, values: Iterable[float | None]):
        self.sorted = sorted(value for value in values if value is not None)

    def of(self, value: float | None) -> float | None:
        if value is None or not self.sorted:
            return None
        below = bisect_left(self.sorted, value)
        equal = bisect_right(self.sorted, value) - below
        return 100 * (below + equal / 2) / len(self.sorted)

    def in_group(self, value: float | None) -> float | None:
        return self.of(value) if len(self.sorted) >= MIN_PEERS else None
