"""
The history of every value that can reach a dossier: each door that writes one (admin, API, bulk API, import)
leaves a record of when, who, how, and the old and new values; the API's `history/` answers it with the object's
own visibility, and the admin shows it within its scope.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.importers.template import HEADER
from metrics.imports import import_file
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytestmark = pytest.mark.django_db

PUBLISHED_AT = dt.datetime(2026, 9, 24, 15, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 23)
ENTRY_KEYS = {"at", "by", "source", "changes"}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> APIClient:
    client = APIClient()
    # A fresh copy of the user for each client: roles are cached on the user object.
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def history(user, resource: str, pk: int):
    response = client_for(user).get(f"/api/v1/{resource}/{pk}/history/")
    assert response.status_code == 200, response.content
    return response.json()


def template(*rows: dict) -> ContentFile:
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join(str(row.get(column, "")) for column in HEADER))
    return ContentFile(("\n".join(lines) + "\n").encode(), name="snapshots.csv")


def row(**values) -> dict:
    return {
        "external_id": "p1",
        "published_at": "2026-09-24T15:30:00",
        "content_type": "image",
        "category": "education",
        "caption": "Case of the week #MSKMonday",
        "captured_on": DAY.isoformat(),
        **values,
    }


@pytest.fixture
def snapshot(alice_instagram):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    return PostMetricsFactory(post=post, captured_on=DAY, likes=178, impressions=6154)


# --- the API's history ---------------------------------------------------------------------------


def test_a_change_through_the_api_is_kept_with_who_how_and_the_old_and_new_values(alice, snapshot):
    response = client_for(alice).patch(f"/api/v1/post-metrics/{snapshot.pk}/", {"likes": 999}, format="json")
    assert response.status_code == 200

    newest, creation = history(alice, "post-metrics", snapshot.pk)

    assert set(newest) == ENTRY_KEYS
    assert (newest["by"], newest["source"]) == (alice.pk, "api")
    assert newest["changes"]["likes"] == [178, 999]
    assert newest["changes"]["source"] == ["manual", "api"]
    assert "impressions" not in newest["changes"]  # unchanged
    assert creation["changes"]["likes"] == [None, 178]
    assert creation["changes"]["impressions"] == [None, 6154]
    assert newest["at"] > creation["at"]


def test_history_is_newest_first_and_shows_a_deletion(alice, nora, snapshot):
    client_for(alice).patch(f"/api/v1/post-metrics/{snapshot.pk}/", {"likes": 200}, format="json")
    client_for(nora).patch(f"/api/v1/post-metrics/{snapshot.pk}/", {"likes": 210}, format="json")

    entries = history(alice, "post-metrics", snapshot.pk)

    assert [entry["changes"].get("likes") for entry in entries] == [[200, 210], [178, 200], [None, 178]]
    assert [entry["by"] for entry in entries[:2]] == [nora.pk, alice.pk]
    assert client_for(nora).delete(f"/api/v1/post-metrics/{snapshot.pk}/").status_code == 204
    deletion = PostMetrics.history.filter(id=snapshot.pk).latest("history_date")
    assert (deletion.history_type, deletion.history_user_id, deletion.history_source, deletion.likes) == (
        "-",
        nora.pk,
        "api",
        210,
    )


def test_another_institutions_history_is_not_found(charlie, snapshot):
    response = client_for(charlie).get(f"/api/v1/post-metrics/{snapshot.pk}/history/")

    assert response.status_code == 404


def test_a_reviewer_of_the_department_reads_the_history(bob, snapshot):
    assert history(bob, "post-metrics", snapshot.pk)[0]["changes"]["likes"] == [None, 178]


def test_follower_counts_audience_rows_and_posts_answer_their_history(alice, alice_instagram):
    counts = AccountMetricsFactory(account=alice_instagram, captured_on=DAY, followers=7100)
    audience = AudienceSnapshotFactory(account=alice_instagram, captured_on=DAY, bucket="US", count=30)
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT, url="https://example.org/p/1")
    client = client_for(alice)
    client.patch(f"/api/v1/account-metrics/{counts.pk}/", {"followers": 7200}, format="json")
    client.patch(f"/api/v1/audience/{audience.pk}/", {"count": 31}, format="json")
    moved = "2026-09-25T10:00:00Z"
    client.patch(f"/api/v1/posts/{post.pk}/", {"published_at": moved, "category": "research"}, format="json")

    assert history(alice, "account-metrics", counts.pk)[0]["changes"]["followers"] == [7100, 7200]
    assert history(alice, "audience", audience.pk)[0]["changes"]["count"] == [30, 31]
    post_change = history(alice, "posts", post.pk)[0]
    assert post_change["changes"]["category"] == ["education", "research"]
    assert post_change["changes"]["published_at"][1] == moved
    assert post_change["source"] == "api"


# --- imports and the bulk API ----------------------------------------------------------------------


def test_an_imported_row_shows_its_batch_and_row_as_its_creation_without_a_history_record(alice, alice_instagram):
    batch = import_file(user=alice, upload=template(row(likes=10)), account=alice_instagram, today=TODAY)
    snapshot = PostMetrics.objects.get()

    (creation,) = history(alice, "post-metrics", snapshot.pk)

    assert not PostMetrics.history.exists()  # a bulk creation writes no history record
    assert (creation["by"], creation["source"]) == (alice.pk, "import")
    assert creation["changes"]["import_batch"] == [None, batch.pk]
    assert creation["changes"]["source_row"] == [None, 2]
    assert creation["changes"]["likes"] == [None, 10]


def test_a_reimport_keeps_the_imported_values_and_the_new_ones(alice, nora, alice_instagram):
    first = import_file(user=alice, upload=template(row(likes=10)), account=alice_instagram, today=TODAY)
    snapshot = PostMetrics.objects.get()
    snapshot.verify(nora)
    second = import_file(user=alice, upload=template(row(likes=11)), account=alice_instagram, today=TODAY)

    change, verification, creation = history(alice, "post-metrics", snapshot.pk)

    assert (change["source"], change["by"]) == ("import", alice.pk)
    assert change["changes"]["likes"] == [10, 11]
    assert change["changes"]["import_batch"] == [first.pk, second.pk]
    assert change["changes"]["verified_by"] == [nora.pk, None]
    assert verification["changes"]["verified_by"] == [None, nora.pk]
    assert (creation["changes"]["import_batch"], creation["by"]) == ([None, first.pk], alice.pk)


def test_the_bulk_api_keeps_the_old_and_new_values_in_bulk(alice, snapshot):
    body = [{"post": snapshot.post_id, "captured_on": DAY.isoformat(), "likes": 180, "impressions": 6154}]
    response = client_for(alice).post("/api/v1/post-metrics/bulk/", body, format="json")
    assert response.json()["updated"] == 1

    change = history(alice, "post-metrics", snapshot.pk)[0]

    assert (change["by"], change["source"]) == (alice.pk, "api")
    assert change["changes"]["likes"] == [178, 180]


def test_a_bulk_reading_equal_to_the_stored_one_leaves_no_history(alice, snapshot):
    body = [{"post": snapshot.post_id, "captured_on": DAY.isoformat(), "likes": 178, "impressions": 6154}]
    client_for(alice).post("/api/v1/post-metrics/bulk/", body, format="json")

    assert PostMetrics.history.filter(id=snapshot.pk).count() == 1  # its creation


# --- the admin -------------------------------------------------------------------------------------


def admin_counts(snapshot, **changed) -> dict:
    counts = {field: "" if value is None else value for field, value in snapshot.counts.items()}
    return {"post": snapshot.post_id, "captured_on": snapshot.captured_on.isoformat(), **counts, **changed}


def test_a_correction_in_the_admin_is_a_manual_change_by_the_admin(client, nora, snapshot):
    snapshot.verify(nora)
    client.force_login(nora)

    response = client.post(
        reverse("admin:metrics_postmetrics_change", args=[snapshot.pk]), admin_counts(snapshot, likes=184)
    )

    assert response.status_code == 302
    snapshot.refresh_from_db()
    assert (snapshot.likes, snapshot.source, snapshot.is_verified) == (184, "manual", False)
    change = history(nora, "post-metrics", snapshot.pk)[0]
    assert (change["by"], change["source"], change["changes"]["likes"]) == (nora.pk, "manual", [178, 184])


def test_the_admin_shows_each_objects_history_to_its_institutions_admin_only(client, nora, charlie, snapshot):
    url = reverse("admin:metrics_postmetrics_history", args=[snapshot.pk])
    client.force_login(nora)
    assert client.get(url).status_code == 200

    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_a_deleted_snapshots_history_stays_readable_in_the_admin(client, nora, charlie, snapshot):
    client_for(nora).patch(f"/api/v1/post-metrics/{snapshot.pk}/", {"likes": 999}, format="json")
    client_for(nora).delete(f"/api/v1/post-metrics/{snapshot.pk}/")
    url = reverse("admin:metrics_postmetrics_history", args=[snapshot.pk])

    client.force_login(nora)
    page = client.get(url)
    assert page.status_code == 200
    assert "999" in page.content.decode()
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_the_post_history_is_in_the_admin_too(client, nora, alice_instagram):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    client.force_login(nora)

    assert client.get(reverse("admin:metrics_post_history", args=[post.pk])).status_code == 200


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "make"),
    [
        ("post-metrics", lambda account: PostMetricsFactory(post=PostFactory(account=account), likes=1)),
        ("account-metrics", lambda account: AccountMetricsFactory(account=account, followers=1)),
        ("audience", lambda account: AudienceSnapshotFactory(account=account, count=1)),
    ],
)
def test_a_history_answers_in_the_same_queries_however_long(
    resource, make, alice, alice_instagram, django_assert_num_queries
):
    obj = make(alice_instagram)
    field = {"post-metrics": "likes", "account-metrics": "followers", "audience": "count"}[resource]
    client = client_for(alice)

    def change(times: int) -> None:
        for _ in range(times):
            value = getattr(type(obj).objects.get(pk=obj.pk), field) + 1
            client.patch(f"/api/v1/{resource}/{obj.pk}/", {field: value}, format="json")

    change(1)
    reader = client_for(alice)
    # Roles (2), the object, its history records.
    with django_assert_num_queries(4):
        short = reader.get(f"/api/v1/{resource}/{obj.pk}/history/")
    change(5)
    reader = client_for(alice)
    with django_assert_num_queries(4):
        long = reader.get(f"/api/v1/{resource}/{obj.pk}/history/")
    assert (len(short.json()), len(long.json())) == (2, 7)


def test_an_imported_rows_history_answers_in_one_query_more(alice, alice_instagram, django_assert_num_queries):
    import_file(user=alice, upload=template(row(likes=10)), account=alice_instagram, today=TODAY)
    snapshot = PostMetrics.objects.get()
    client = client_for(alice)

    # Roles (2), the object, its (absent) history records, the uploader of its batch.
    with django_assert_num_queries(5):
        assert len(client.get(f"/api/v1/post-metrics/{snapshot.pk}/history/").json()) == 1


def test_a_post_changed_by_an_import_keeps_its_old_and_new_fields(alice, alice_instagram):
    import_file(user=alice, upload=template(row(likes=10)), account=alice_instagram, today=TODAY)
    post = Post.objects.get()
    corrected = row(likes=10, category="research", url="https://example.org/p/1")
    import_file(user=alice, upload=template(corrected), account=alice_instagram, today=TODAY)

    change, creation = history(alice, "posts", post.pk)

    assert (change["by"], change["source"]) == (alice.pk, "import")
    assert change["changes"] == {"url": ["", "https://example.org/p/1"], "category": ["education", "research"]}
    assert creation["changes"]["category"] == [None, "education"]
