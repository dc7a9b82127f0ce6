"""
POST /api/v1/post-metrics/bulk/: many snapshots in one request, checked as a whole, written all or nothing.

Alice owns `alice_rads` on Instagram; Peter is her colleague in nuclear medicine; Bob reviews
Northfield radiology; Nora administers Northfield; Charlie administers Southbay and must not
learn that Northfield's posts exist.
"""

import datetime as dt
import math
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.vocabulary import METRIC_FIELDS
from metrics.bulk import WRITE_BATCH
from metrics.models import PostMetrics
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytestmark = pytest.mark.django_db

URL = "/api/v1/post-metrics/bulk/"
PUBLISHED_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2024, 3, 8)
DOES_NOT_EXIST = 'Invalid pk "{}" - object does not exist.'


def client_for(user) -> APIClient:
    client = APIClient()
    # A fresh copy of the user for each client: roles are cached on the user object.
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def send(user, body):
    return client_for(user).post(URL, body, format="json")


def stored(post, day=DAY) -> PostMetrics:
    return PostMetrics.objects.get(post=post, captured_on=day)


def everything() -> list[tuple]:
    """Every stored snapshot, every column: what "nothing changed" compares."""
    return list(PostMetrics.objects.order_by("pk").values_list())


@pytest.fixture
def alice_posts(alice_instagram):
    return [PostFactory(account=alice_instagram, external_id=f"ig-{n}", published_at=PUBLISHED_AT) for n in range(1, 4)]


@pytest.fixture
def peter_post(northfield_nucmed):
    """A post of Alice's colleague Peter (nuclear medicine, no login)."""
    peter = FacultyFactory(name="Peter Park")
    AppointmentFactory(faculty=peter, department=northfield_nucmed, primary=True)
    account = SocialAccountFactory(platform=platform("twitter"), handle="peter_nm", faculty=peter)
    return PostFactory(account=account, external_id="x-1", published_at=PUBLISHED_AT)


@pytest.fixture
def southbay_post(southbay_radiology):
    sam = FacultyFactory(name="Sam Smith")
    AppointmentFactory(faculty=sam, department=southbay_radiology, primary=True)
    account = SocialAccountFactory(handle="sam_rads", faculty=sam)
    return PostFactory(account=account, external_id="sb-1", published_at=PUBLISHED_AT)


def test_it_creates_and_updates_snapshots_and_counts_them(nora, alice_posts):
    first, second, third = alice_posts
    PostMetricsFactory(post=first, captured_on=DAY, likes=5, source="import")
    PostMetricsFactory(post=third, captured_on=DAY, likes=9, impressions=100, source="import")

    response = send(
        nora,
        [
            {"post": first.pk, "captured_on": "2024-03-08", "likes": 7},
            {"post": second.pk, "captured_on": "2024-03-08", "likes": 3, "impressions": 40},
            {"post": third.pk, "captured_on": "2024-03-08", "likes": 9, "impressions": 100},
        ],
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert (stored(first).likes, stored(first).source) == (7, "api")
    assert (stored(second).likes, stored(second).impressions, stored(second).source) == (3, 40, "api")
    assert stored(third).source == "import"  # not written at all


def test_sending_the_same_body_twice_changes_nothing(nora, alice_posts):
    body = [
        {"post": post.pk, "captured_on": str(DAY + dt.timedelta(days=days)), "likes": days, "reach": None}
        for post in alice_posts
        for days in range(4)
    ]
    assert send(nora, body).json() == {"created": 12, "updated": 0, "unchanged": 0}
    before = everything()

    with CaptureQueriesContext(connection) as queries:
        response = send(nora, body)

    assert response.json() == {"created": 0, "updated": 0, "unchanged": 12}
    assert everything() == before
    assert not [query for query in queries if query["sql"].startswith(("INSERT", "UPDATE"))]


def test_it_names_posts_by_account_and_external_id(alice, alice_instagram, alice_posts):
    response = send(
        alice,
        [
            {"account": alice_instagram.pk, "external_id": "ig-2", "captured_on": "2024-03-08", "likes": 12},
            {"account": alice_instagram.pk, "external_id": " ig-3 ", "captured_on": "2024-03-08", "likes": 13},
        ],
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert stored(alice_posts[1]).likes == 12
    assert stored(alice_posts[2]).likes == 13


def test_a_metric_left_out_is_not_reported_even_when_it_was_stored(nora, alice_posts):
    post = alice_posts[0]
    PostMetricsFactory(post=post, captured_on=DAY, likes=5, impressions=100)

    response = send(nora, [{"post": post.pk, "captured_on": "2024-03-08", "impressions": 120}])

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert stored(post).counts == {**dict.fromkeys(METRIC_FIELDS), "impressions": 120}


def test_an_empty_list_writes_nothing(nora):
    response = send(nora, [])

    assert response.status_code == 200
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 0}


def test_it_reports_every_error_with_its_index_and_field_and_writes_nothing(nora, alice_instagram, alice_posts):
    post = alice_posts[0].pk
    response = send(
        nora,
        [
            {"post": post, "captured_on": "2024-03-08", "likes": 1},  # valid, yet not written
            {"post": post, "captured_on": "2024-03-09", "likes": -1, "shares": "many"},
            {"post": post, "captured_on": "yesterday", "like": 3},
            {"captured_on": "2024-03-08"},
            "a snapshot",
            {"post": post, "account": alice_instagram.pk, "external_id": "ig-1", "captured_on": "2024-03-10"},
            {"account": alice_instagram.pk, "captured_on": "2024-03-11"},
            {"post": None, "views": 1.5},
        ],
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"index": 1, "field": "likes", "message": "Ensure this value is greater than or equal to 0."},
            {"index": 1, "field": "shares", "message": "A valid biginteger is required."},
            {
                "index": 2,
                "field": "captured_on",
                "message": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            },
            {"index": 2, "field": "like", "message": "Unknown field."},
            {"index": 3, "field": "post", "message": "Name the post by `post`, or by `account` and `external_id`."},
            {"index": 4, "field": None, "message": "Expected an object with a snapshot's fields, got str."},
            {
                "index": 5,
                "field": "post",
                "message": "Name the post either by `post` or by `account` and `external_id`, not both.",
            },
            {
                "index": 6,
                "field": "external_id",
                "message": "This field is required to name the post by `account` and `external_id`.",
            },
            {"index": 7, "field": "post", "message": "This field may not be null."},
            {"index": 7, "field": "views", "message": "A valid biginteger is required."},
            {"index": 7, "field": "captured_on", "message": "This field is required."},
        ]
    }
    assert not PostMetrics.objects.exists()


def test_negative_counts_are_refused(alice, alice_posts):
    response = send(alice, [{"post": alice_posts[0].pk, "captured_on": "2024-03-08", "reach": -5, "likes": 0}])

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "reach", "message": "Ensure this value is greater than or equal to 0."}
    ]
    assert not PostMetrics.objects.exists()


def test_an_unknown_post_does_not_exist(nora, alice_instagram, alice_posts):
    response = send(
        nora,
        [
            {"post": alice_posts[0].pk, "captured_on": "2024-03-08"},
            {"post": 987654, "captured_on": "2024-03-08"},
            {"account": alice_instagram.pk, "external_id": "ig-404", "captured_on": "2024-03-08"},
            {"account": 987654, "external_id": "ig-1", "captured_on": "2024-03-08"},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "post", "message": DOES_NOT_EXIST.format(987654)},
        {
            "index": 2,
            "field": "external_id",
            "message": f'No post with external id "ig-404" on account {alice_instagram.pk}.',
        },
        {"index": 3, "field": "account", "message": DOES_NOT_EXIST.format(987654)},
    ]
    assert not PostMetrics.objects.exists()


def test_another_institutions_post_is_reported_like_an_unknown_one(charlie, alice_instagram, alice_posts):
    post = alice_posts[0]
    response = send(
        charlie,
        [
            {"post": post.pk, "captured_on": "2024-03-08", "likes": 1},
            {"account": alice_instagram.pk, "external_id": "ig-1", "captured_on": "2024-03-09", "likes": 1},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "post", "message": DOES_NOT_EXIST.format(post.pk)},
        {"index": 1, "field": "account", "message": DOES_NOT_EXIST.format(alice_instagram.pk)},
    ]
    assert not PostMetrics.objects.exists()


def test_charlie_writes_his_own_institutions_posts(charlie, southbay_post):
    response = send(charlie, [{"post": southbay_post.pk, "captured_on": "2024-03-08", "likes": 4}])

    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}


def test_a_reviewer_gets_403_and_nothing_is_written(bob, alice_posts):
    response = send(bob, [{"post": alice_posts[0].pk, "captured_on": "2024-03-08", "likes": 1}])

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role allows reading this, not changing it."}
    assert not PostMetrics.objects.exists()


def test_alice_may_bulk_write_her_own_posts(alice, alice_posts):
    body = [{"post": post.pk, "captured_on": "2024-03-08", "likes": 1} for post in alice_posts]

    response = send(alice, body)

    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert PostMetrics.objects.filter(source="api").count() == 3


def test_alice_may_not_write_a_colleagues_post_which_she_cannot_see(alice, alice_posts, peter_post):
    response = send(
        alice,
        [
            {"post": alice_posts[0].pk, "captured_on": "2024-03-08", "likes": 1},
            {"post": peter_post.pk, "captured_on": "2024-03-08", "likes": 1},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 1, "field": "post", "message": DOES_NOT_EXIST.format(peter_post.pk)}]
    assert not PostMetrics.objects.exists()


def test_a_post_alice_may_read_but_not_change_refuses_the_whole_request(
    alice, alice_posts, peter_post, northfield_nucmed
):
    # Alice also reviews nuclear medicine: she sees Peter's post, and may not change its numbers.
    MembershipFactory(
        user=alice,
        institution=northfield_nucmed.institution,
        department=northfield_nucmed,
        role=Membership.Role.REVIEWER,
    )

    response = send(
        alice,
        [
            {"post": alice_posts[0].pk, "captured_on": "2024-03-08", "likes": 1},
            {"post": peter_post.pk, "captured_on": "2024-03-08", "likes": 1},
        ],
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "You may read but not change the post of item 1; nothing was saved."}
    assert not PostMetrics.objects.exists()


def test_more_than_ten_thousand_rows_are_refused(nora, alice_posts):
    body = [{"post": alice_posts[0].pk, "captured_on": "2024-03-08"}] * 10_001

    response = send(nora, body)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "index": None,
                "field": None,
                "message": "Send at most 10,000 snapshots per request; this body has 10,001.",
            }
        ]
    }


@pytest.mark.parametrize("body", [{"post": 1, "captured_on": "2024-03-08"}, "2024-03-08", 42])
def test_a_body_that_is_not_a_list_is_refused(nora, body):
    response = send(nora, body)

    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": None, "field": None, "message": "Send a JSON list of snapshots."}]}


def test_a_body_that_is_not_json_is_refused_in_the_same_shape(nora):
    response = client_for(nora).post(URL, "[{", content_type="application/json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (None, None)
    assert error["message"].startswith("JSON parse error")


def test_two_items_for_the_same_post_and_day_are_refused_naming_both(nora, alice_instagram, alice_posts):
    post = alice_posts[0]
    response = send(
        nora,
        [
            {"post": post.pk, "captured_on": "2024-03-08", "likes": 1},
            {"post": post.pk, "captured_on": "2024-03-09", "likes": 1},
            {"account": alice_instagram.pk, "external_id": "ig-1", "captured_on": "2024-03-08", "likes": 2},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": 2,
            "field": "captured_on",
            "message": "Item 0 already sends a snapshot of this post on this day; send one per post and day.",
        }
    ]
    assert not PostMetrics.objects.exists()


def test_a_snapshot_dated_before_publication_is_refused(nora, alice_posts):
    response = send(
        nora,
        [
            {"post": alice_posts[0].pk, "captured_on": "2024-03-01", "likes": 1},  # the publication day itself
            {"post": alice_posts[1].pk, "captured_on": "2024-02-29", "likes": 1},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "captured_on", "message": "A snapshot cannot be dated before the post was published."}
    ]
    assert not PostMetrics.objects.exists()


def test_verification_is_cleared_only_on_changed_rows(nora, root, alice_posts):
    changed, unchanged = (
        PostMetricsFactory(post=post, captured_on=DAY, likes=5, source="manual") for post in alice_posts[:2]
    )
    for snapshot in (changed, unchanged):
        snapshot.mark_verified(root)
        snapshot.save()

    response = send(
        nora,
        [
            {"post": changed.post_id, "captured_on": "2024-03-08", "likes": 6},
            {"post": unchanged.post_id, "captured_on": "2024-03-08", "likes": 5},
        ],
    )

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 1}
    changed.refresh_from_db()
    unchanged.refresh_from_db()
    assert (changed.source, changed.verified_by, changed.verified_at) == ("api", None, None)
    assert (unchanged.source, unchanged.verified_by, unchanged.is_verified) == ("manual", root, True)


def test_a_concurrent_write_answers_409_and_keeps_nothing(nora, alice_posts, monkeypatch):
    PostMetricsFactory(post=alice_posts[0], captured_on=DAY, likes=5)
    # As if another request had inserted the snapshot after this one looked.
    monkeypatch.setattr("metrics.snapshots.POST_SNAPSHOTS.stored", lambda snapshots: {})

    response = send(
        nora,
        [
            {"post": alice_posts[1].pk, "captured_on": "2024-03-08", "likes": 1},
            {"post": alice_posts[0].pk, "captured_on": "2024-03-08", "likes": 6},
        ],
    )

    assert response.status_code == 409
    assert "nothing was saved" in response.json()["detail"]
    assert list(PostMetrics.objects.values_list("post", "likes")) == [(alice_posts[0].pk, 5)]


def many_rows(posts, days: int, *, likes: int = 1) -> list[dict]:
    return [
        {"post": post.pk, "captured_on": str(DAY + dt.timedelta(days=n)), "likes": likes + n, "impressions": 100 * n}
        for post in posts
        for n in range(days)
    ]


def test_the_number_of_queries_does_not_grow_with_the_rows(nora, alice_instagram):
    posts = [PostFactory(account=alice_instagram, published_at=PUBLISHED_AT) for _ in range(25)]
    for post in posts:
        PostMetricsFactory(post=post, captured_on=DAY, likes=0)

    def queries_for(body) -> list[str]:
        client = client_for(nora)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, body, format="json")
        # Every request creates snapshots and updates others.
        assert response.json()["created"] and response.json()["updated"], response.json()
        return [query["sql"] for query in queries]

    # 10, 50 and 500 rows, with new numbers each time.
    ten, fifty, five_hundred = (
        queries_for(many_rows(posts[:5], 2, likes=1)),
        queries_for(many_rows(posts, 2, likes=100)),
        queries_for(many_rows(posts, 20, likes=1000)),
    )

    # Roles (2), posts by id, editable posts, existing snapshots, a savepoint (2),
    # one INSERT and one UPDATE run for every row; the changed rows as they were and one INSERT of their history.
    assert len(ten) == len(fifty) == 11
    # 500 rows: the same statements, but the 450 new rows may take several INSERTs: as many
    # as the database's parameter limit calls for (SQLite's), at most 1,000 rows each.
    inserts = [sql for sql in five_hundred if sql.startswith('INSERT INTO "metrics_postmetrics"')]
    history = [sql for sql in five_hundred if sql.startswith('INSERT INTO "metrics_historicalpostmetrics"')]
    assert len(five_hundred) - len(inserts) - len(history) == 9
    columns = [field for field in PostMetrics._meta.concrete_fields if not field.primary_key]
    rows_per_insert = min(connection.ops.bulk_batch_size(columns, [None] * 450), WRITE_BATCH)
    assert len(inserts) == math.ceil(450 / rows_per_insert)


def test_ten_thousand_rows_are_written_in_one_request(nora, alice_instagram):
    posts = [PostFactory(account=alice_instagram, published_at=PUBLISHED_AT) for _ in range(100)]

    def timed(body):
        started, cpu = time.perf_counter(), time.process_time()
        response = send(nora, body)
        return response, f"{time.perf_counter() - started:.2f}s ({time.process_time() - cpu:.2f}s CPU)"

    created, created_in = timed(many_rows(posts, 100))
    updated, updated_in = timed(many_rows(posts, 100, likes=2))

    assert created.json() == {"created": 10_000, "updated": 0, "unchanged": 0}
    assert updated.json() == {"created": 0, "updated": 10_000, "unchanged": 0}
    assert PostMetrics.objects.filter(source="api").count() == 10_000
    print(f"10,000 rows on {connection.vendor}: created in {created_in}, updated in {updated_in}")
