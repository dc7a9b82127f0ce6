"""
One declaration of an engagement summary's shape (`metrics.serializers.SummarySerializer`): the account
engagement endpoint, the comparison rows, roll-ups and series answer in it, field for field and in its order.
"""

import datetime as dt
import json

import pytest

from metrics.engagement import empty_summary
from metrics.models import Post
from metrics.serializers import EngagementSummarySerializer
from metrics.serializers import SummarySerializer
from portfolio.comparisons.api import RowSerializer
from tests.comparison_data import PERIOD
from tests.comparison_data import add_post
from tests.comparison_data import personal_account
from tests.factories import AccountMetricsFactory

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db

SUMMARY = list(SummarySerializer().fields)


@pytest.fixture
def alice_posts(alice_instagram, northfield_radiology):
    """Alice's two posts of March 2024, counted a week later, and her colleague Carol's account."""
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1), followers=7000)
    add_post(alice_instagram, snapshot={"impressions": 6154, "reach": 5000, "likes": 184, "comments": 10})
    add_post(alice_instagram, published_at=dt.datetime(2024, 3, 20, 9, tzinfo=dt.UTC), snapshot={"likes": 5})
    personal_account(northfield_radiology, handle="carol_rads", rates=(0.02, 0.04))
    return alice_instagram


def test_the_summary_is_counts_then_the_rates_per_denominator():
    assert SUMMARY == [
        "posts",
        "posts_with_metrics",
        "actions",
        "impressions",
        "reach",
        "rate_by_impressions",
        "rate_by_reach",
        "rate_by_followers",
    ]


def test_an_empty_summary_has_no_rate_and_no_posts_rather_than_zeros():
    figures = SummarySerializer.from_summary(empty_summary(dt.date(2024, 12, 31)))

    assert list(figures) == SUMMARY
    assert figures["posts"] == figures["posts_with_metrics"] == figures["actions"] == 0
    for denominator in ("impressions", "reach", "followers"):
        assert figures[f"rate_by_{denominator}"] == {"mean": None, "min": None, "max": None, "pooled": None, "posts": 0}


def test_the_engagement_endpoint_answers_the_window_then_the_summary(api_client, alice, alice_posts):
    response = api_client(alice).get(f"/api/v1/accounts/{alice_posts.pk}/engagement/", PERIOD)
    body = json.loads(response.content)

    assert list(body) == ["account", "start", "end", "as_of", *SUMMARY]
    assert list(EngagementSummarySerializer().fields) == list(body)
    summary = Post.objects.filter(account=alice_posts).engagement_summary(dt.date(2024, 12, 31))
    assert {name: body[name] for name in SUMMARY} == SummarySerializer.from_summary(summary)


def test_a_comparison_row_has_the_summary_among_its_columns_in_the_tables_order():
    assert list(RowSerializer().fields) == [
        "account",
        "handle",
        "url",
        "platform",
        "kind",
        "owner",
        "followers",
        "followers_counted_on",
        "follower_growth",
        "follower_growth_from",
        "follower_growth_to",
        "posts",
        "posts_per_week",
        *SUMMARY[1:],
        "career_categories",
        "content_types",
        "top_post",
        "percentiles",
    ]


def test_the_comparison_and_the_endpoint_report_the_same_summary_of_an_account(
    api_client, alice, nora, alice_posts, northfield_radiology
):
    endpoint = api_client(alice).get(f"/api/v1/accounts/{alice_posts.pk}/engagement/", PERIOD).json()
    parameters = {"department": northfield_radiology.pk, **PERIOD}
    (row,) = [
        row
        for row in api_client(nora).get("/api/v1/compare/", parameters).json()["results"]
        if row["handle"] == "alice_rads"
    ]
    series = api_client(nora).get("/api/v1/compare/series/", {**parameters, "hashtag": "MSKMonday"}).json()
    (participant,) = [item for item in series["participants"] if item["handle"] == "alice_rads"]
    rollup = api_client(nora).get("/api/v1/compare/rollups/", parameters).json()["results"][0]

    assert {name: row[name] for name in SUMMARY} == {name: endpoint[name] for name in SUMMARY}
    assert participant["summary"] == {name: endpoint[name] for name in SUMMARY}
    assert list(rollup["summary"]) == SUMMARY


def test_the_schema_declares_every_summary_field_once_for_all(client):
    components = client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    declared = components["Summary"]["properties"]

    assert list(declared) == SUMMARY
    for name in ("EngagementSummary", "Row"):
        properties = components[name]["properties"]
        assert {field: properties[field] for field in SUMMARY} == declared, name
