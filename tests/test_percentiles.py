from portfolio.lib.percentiles import percentile
from portfolio.lib.percentiles import percentile_ranks


def test_the_middle_of_five_values_is_at_50():
    assert percentile(3, [1, 2, 3, 4, 5]) == 50


def test_the_highest_of_four_distinct_values_is_at_87_5():
    # (3 below + 1/2 equal) / 4
    assert percentile(40, [10, 20, 30, 40]) == 87.5


def test_ties_share_one_rank():
    assert percentile_ranks({"a": 0.02, "b": 0.02, "c": 0.05, "d": 0.01}) == {
        "a": 50.0,  # (1 below + 2/2) / 4
        "b": 50.0,
        "c": 87.5,
        "d": 12.5,
    }


def test_values_that_are_not_computable_are_left_out_and_have_no_rank():
    assert percentile_ranks({"a": None, "b": 0.1, "c": 0.3}) == {"a": None, "b": 25.0, "c": 75.0}


def test_no_computable_peer_means_no_percentile():
    assert percentile(0.5, [None, None]) is None
    assert percentile(None, [1, 2]) is None


def test_a_value_outside_the_peer_group_is_ranked_against_it():
    assert percentile(100, [1, 2, 3, 4]) == 100
    assert percentile(0, [1, 2, 3, 4]) == 0
