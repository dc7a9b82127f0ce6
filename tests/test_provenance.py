"""
One provenance vocabulary: every number is from a platform export (file name, SHA-256), from a platform API,
entered by hand or sent through the API, and verified or not, in the same words in the API and the integrity
flags; numbers sent through the API are flagged like those entered by hand.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from metrics.models import ImportBatch
from metrics.models import Provenance
from metrics.provenance import describe
from metrics.provenance import label
from portfolio.dossiers.integrity import integrity_flags
from portfolio.dossiers.integrity import provenance_summary
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytestmark = pytest.mark.django_db

PUBLISHED_AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
START, END, AS_OF = dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 30)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def export(alice, alice_instagram):
    return ImportBatch.objects.create(
        account=alice_instagram,
        uploaded_by=alice,
        file_name="instagram-posts.csv",
        sha256="a" * 64,
        status=ImportBatch.Status.IMPORTED,
    )


def test_each_source_has_its_words():
    assert [label(source) for source in Provenance] == [
        "entered by hand",
        "from a platform export",
        "sent through the API",
        "from a platform API",
    ]
    assert label("import", file_name="posts.csv", sha256="ab12") == "from a platform export (posts.csv, SHA-256 ab12)"


def test_an_imported_snapshot_names_its_file_and_its_checksum(alice_instagram, export, nora):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    snapshot = PostMetricsFactory(post=post, source="import", import_batch=export, source_row=2, likes=3)
    snapshot.verify(nora)

    assert describe(snapshot) == {
        "source": "import",
        "label": f"from a platform export (instagram-posts.csv, SHA-256 {'a' * 64})",
        "file_name": "instagram-posts.csv",
        "sha256": "a" * 64,
        "verified": True,
    }


def test_the_api_answers_each_snapshots_provenance_without_a_query_per_row(
    alice, alice_instagram, export, django_assert_num_queries
):
    for n in range(5):
        post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
        PostMetricsFactory(post=post, source="import", import_batch=export, likes=n)
    PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 20), likes=9)
    client = client_for(alice)

    # Roles (2), the count, the page.
    with django_assert_num_queries(4):
        rows = client.get("/api/v1/post-metrics/").json()["results"]

    labels = sorted(row["provenance"]["label"] for row in rows)
    assert labels == ["entered by hand"] + [f"from a platform export (instagram-posts.csv, SHA-256 {'a' * 64})"] * 5
    assert all(row["provenance"]["verified"] is False for row in rows)


def test_a_snapshot_sent_through_the_api_says_so(alice, alice_instagram):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)

    response = client_for(alice).post(
        "/api/v1/post-metrics/", {"post": post.pk, "captured_on": "2026-03-08", "likes": 3000}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["provenance"] == {
        "source": "api",
        "label": "sent through the API",
        "file_name": "",
        "sha256": "",
        "verified": False,
    }


def test_numbers_sent_through_the_api_are_flagged_like_those_entered_by_hand(alice_instagram, nora):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 8), source="api", likes=3000, impressions=6154)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 2, 1), source="api", followers=7100)
    verified = AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 3, 1), source="api")
    verified.verify(nora)

    flags = integrity_flags(account_ids=[alice_instagram.pk], start=START, end=END, as_of=AS_OF)

    assert [(flag.kind, flag.detail) for flag in flags if flag.kind == "unverified_manual"] == [
        ("unverified_manual", "7,100 followers on 2026-02-01, sent through the API."),
        ("unverified_manual", "Post metrics of 2026-03-08, sent through the API."),
    ]


def test_imported_numbers_are_not_flagged_as_unverified(alice_instagram, export):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 8), source="import", import_batch=export, likes=3)

    flags = integrity_flags(account_ids=[alice_instagram.pk], start=START, end=END, as_of=AS_OF)

    assert [flag.kind for flag in flags] == []


def test_the_summary_shows_a_platform_api_row_only_once_a_number_came_from_one(alice_instagram):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 8), likes=3)
    before = provenance_summary(account_ids=[alice_instagram.pk], start=START, end=END, as_of=AS_OF)
    PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 9), source="sync", likes=4)

    after = provenance_summary(account_ids=[alice_instagram.pk], start=START, end=END, as_of=AS_OF)

    assert "sync" not in {row.source for row in before.rows}
    synced = [(row.numbers, row.total) for row in after.rows if row.source == "sync"]
    assert synced == [("post_metrics", 1), ("follower_counts", 0), ("audience", 0)]
