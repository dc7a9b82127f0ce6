from decimal import Decimal

import pytest

from portfolio.dossiers import scoring


def test_the_composite_equals_the_sum_of_its_breakdown_rows():
    counts = {"impressions": 6154, "likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42}
    result = scoring.composite(counts, scoring.default_weights())
    assert Decimal(result.total) == sum(Decimal(row.contribution) for row in result.rows)
    # 6154 x 0.001 + 184 x 0.1 + 10 + 11 + 36 + 42 x 0.5
    assert result.total == "102.554"


def test_every_scored_metric_gets_a_row_even_when_not_reported():
    result = scoring.composite({"likes": 3}, {"likes": "2"})
    assert [row.metric for row in result.rows] == list(scoring.SCORED_METRICS)
    assert {row.metric: row.contribution for row in result.rows if row.contribution != "0"} == {"likes": "6"}


def test_counts_are_grouped_in_the_six_categories_and_never_merged():
    grouped = scoring.category_counts({"likes": 5, "follows": 2})
    assert list(grouped) == ["Reach", "Appreciation", "Discussion", "Dissemination", "Captures", "Conversion"]
    assert grouped["Conversion"] == {"profile_visits": None, "follows": 2, "clicks": None}


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"retweets": 1}, "Unknown metric 'retweets'"),
        ({"likes": "a lot"}, "not a number"),
        ({"likes": -1}, "0 or more"),
        ([1, 2], "must be an object"),
    ],
)
def test_bad_weights_are_refused_with_the_metric_named(weights, message):
    with pytest.raises(ValueError, match=message):
        scoring.validate_weights(weights)


@pytest.mark.django_db
def test_the_default_profile_and_the_2019_instagram_benchmarks_are_seeded():
    from portfolio.dossiers.models import Benchmark
    from portfolio.dossiers.models import ScoringProfile

    assert ScoringProfile.objects.for_institution(None).weights == scoring.default_weights()
    rates = dict(Benchmark.objects.filter(platform__key="instagram", year=2019).values_list("industry", "rate"))
    assert rates["Higher education"] == Decimal("0.0396")
    assert rates["All industries (median)"] == Decimal("0.016")
    assert set(Benchmark.objects.values_list("denominator", flat=True)) == {"followers"}
