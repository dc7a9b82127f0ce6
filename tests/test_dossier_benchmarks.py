"""
Benchmarks compared like with like: each is stored with its publisher, report and definition, the dossier computes
the faculty member's rate by that definition before setting the two side by side, and a definition the platform
cannot match is listed, not compared.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.content import tables
from portfolio.dossiers.models import Benchmark
from portfolio.dossiers.models import validate_numerator
from tests.factories import DossierFactory
from tests.factories import platform

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

RIVAL_IQ = "https://www.rivaliq.com/blog/2019-social-media-benchmark-report/"


@pytest.fixture
def worked_dossier(alice, alice_instagram, worked_post):
    """Alice's dossier with the worked example as its only post: 7,100 followers on its day, 6,154 impressions."""
    dossier = DossierFactory(faculty=alice.faculty)
    dossier.accounts.add(alice_instagram)
    return dossier


def benchmark(*, numerator=("likes", "comments"), denominator="impressions", key="instagram", industry="Radiology"):
    return Benchmark.objects.create(
        platform=platform(key),
        industry=industry,
        year=2024,
        publisher="Example Analytics",
        report="Engagement of medical accounts",
        numerator=list(numerator),
        denominator=denominator,
        rate=Decimal("0.03"),
        source_url="https://example.org/report",
    )


def entry(data: dict, industry: str) -> dict:
    return next(item for item in data["context"]["benchmarks"] if item["industry"] == industry)


def test_the_2019_instagram_benchmarks_cite_rival_iq_and_count_likes_and_comments_per_follower():
    seeded = Benchmark.objects.filter(platform__key="instagram", year=2019)

    assert {item.industry: item.rate for item in seeded} == {
        "Higher education": Decimal("0.0396"),
        "Nonprofits": Decimal("0.024"),
        "Influencers": Decimal("0.0197"),
        "Media": Decimal("0.0122"),
        "All industries (median)": Decimal("0.016"),
    }
    for item in seeded:
        assert (item.publisher, item.report, item.source_url) == (
            "Rival IQ",
            "2019 Social Media Industry Benchmark Report",
            RIVAL_IQ,
        )
        assert (item.numerator, item.denominator) == (["likes", "comments"], "followers")
        assert item.definition == "likes and comments per follower"


def test_worked_example_against_likes_and_comments_per_impression_counts_194_not_292(worked_dossier):
    benchmark(numerator=("likes", "comments"), denominator="impressions")

    data = dossier_data(worked_dossier)

    (ours,) = entry(data, "Radiology")["compared_with"]
    # 184 likes + 10 comments; the shares, saves, profile visits and follows of its 292 actions are not counted.
    assert (ours["interactions"], ours["denominator_total"], ours["posts"]) == (194, 6154, 1)
    assert ours["mean"] == ours["pooled"] == pytest.approx(194 / 6154)
    assert data["impact"]["accounts"][0]["rates"][0]["pooled"] == pytest.approx(292 / 6154)
    assert entry(data, "Radiology")["definition"] == "likes and comments per impression"
    assert entry(data, "Radiology")["not_compared_reason"] is None


def test_worked_example_against_rival_iq_counts_likes_and_comments_per_follower(client, alice, worked_dossier):
    data = dossier_data(worked_dossier)

    higher_education = entry(data, "Higher education")
    (ours,) = higher_education["compared_with"]
    # 194 interactions over the account's 7,100 followers on the post's day: 2.73%, not 292 / 7,100 = 4.11%.
    assert (ours["interactions"], ours["denominator_total"]) == (194, 7100)
    assert ours["mean"] == pytest.approx(194 / 7100)
    assert higher_education["source"] == "Rival IQ, 2019 Social Media Industry Benchmark Report"
    client.force_login(alice)
    page = client.get(reverse("dossiers:detail", args=[worked_dossier.pk])).content.decode()
    assert "likes and comments per follower, as the benchmark counts them" in page
    assert "Rival IQ, 2019 Social Media Industry Benchmark Report" in page


def test_a_benchmark_the_platform_cannot_match_is_listed_with_the_reason_not_compared(client, alice, worked_dossier):
    benchmark(numerator=("likes", "comments", "clicks"), denominator="followers")  # Instagram reports no clicks

    data = dossier_data(worked_dossier)

    unmatched = entry(data, "Radiology")
    assert unmatched["compared_with"] == []
    assert (
        unmatched["not_compared_reason"] == "Instagram's analytics do not report clicks, which this benchmark counts."
    )
    client.force_login(alice)
    page = client.get(reverse("dossiers:detail", args=[worked_dossier.pk])).content.decode()
    assert "Not compared: Instagram&#x27;s analytics do not report clicks" in page


def test_a_denominator_the_platform_does_not_report_is_not_matched():
    per_impression = benchmark(key="reddit", numerator=("likes",), denominator="impressions")
    per_follower = benchmark(key="reddit", numerator=("likes",), denominator="followers", industry="Other")

    assert (
        per_impression.unmatched_reason()
        == "Reddit's analytics do not report impressions, which this benchmark counts."
    )
    # Followers come from the account's follower counts, whatever the posts' analytics report.
    assert per_follower.unmatched_reason() is None


def test_a_numerator_lists_known_interactions_once():
    validate_numerator(["likes", "comments"])
    for wrong in ([], ["likes", "impressions"], ["likes", "likes"], "likes"):
        with pytest.raises(ValidationError):
            validate_numerator(wrong)


def test_dossier_data_query_count_does_not_grow_with_benchmarks(worked_dossier):
    dossier_data(worked_dossier)  # warm caches (content types, platforms)
    with CaptureQueriesContext(connection) as few:
        dossier_data(worked_dossier)
    benchmark(numerator=("likes",), industry="A")
    benchmark(numerator=("likes", "comments", "shares"), denominator="followers", industry="B")
    benchmark(numerator=("clicks",), industry="C")
    with CaptureQueriesContext(connection) as many:
        data = dossier_data(worked_dossier)
    assert len(data["context"]["benchmarks"]) == 8
    assert len(many) == len(few)


def test_superuser_records_a_benchmark_with_its_definition_in_the_admin(client, root):
    client.force_login(root)
    response = client.post(
        reverse("admin:dossiers_benchmark_add"),
        {
            "platform": platform("instagram").pk,
            "industry": "Healthcare",
            "year": "2024",
            "publisher": "Example Analytics",
            "report": "Healthcare engagement",
            "source_url": "https://example.org/healthcare",
            "numerator": ["likes", "comments", "shares"],
            "denominator": "followers",
            "rate": "0.012",
            "note": "",
        },
    )

    assert response.status_code == 302
    added = Benchmark.objects.get(industry="Healthcare")
    assert added.numerator == ["likes", "comments", "shares"]
    listing = client.get(reverse("admin:dossiers_benchmark_changelist")).content.decode()
    assert "likes, comments and shares per follower" in listing
    assert "Example Analytics" in listing


def test_the_csv_tables_list_an_unmatched_benchmark_with_its_reason(worked_dossier):
    benchmark(numerator=("clicks",), denominator="followers")

    (table,) = [table for table in tables(dossier_data(worked_dossier)) if table.title == "Benchmarks"]

    rows = {row[1]: dict(zip(table.headers, row, strict=True)) for row in table.rows}
    assert rows["Radiology"]["Our account"] is None
    assert rows["Radiology"]["Not compared because"] == (
        "Instagram's analytics do not report clicks, which this benchmark counts."
    )
    higher_education = rows["Higher education"]
    assert higher_education["Definition (our rates computed by it)"] == "likes and comments per follower"
    assert higher_education["Our mean rate (same denominator)"] == pytest.approx(194 / 7100)
    assert higher_education["Not compared because"] is None
