"""
Verification that cannot be undone silently: admins of the institution verify (API and admin alike); a changed
verified value becomes a new unverified one with its history, through every door; faculty cannot delete a
verified value; a frozen version names the exact value of each number it used.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.history import history_of
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import PostMetrics
from portfolio.dossiers.freezing import freeze
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

PUBLISHED_AT = dt.datetime(2026, 9, 24, 15, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 10, 1)


def client_for(user) -> APIClient:
    client = APIClient()
    # A fresh copy of the user for each client: roles are cached on the user object.
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def snapshot(alice_instagram):
    post = PostFactory(account=alice_instagram, published_at=PUBLISHED_AT)
    return PostMetricsFactory(post=post, captured_on=DAY, likes=178)


@pytest.fixture
def verified(snapshot, nora):
    snapshot.verify(nora)
    return snapshot


def records(snapshot) -> int:
    return type(snapshot).history.filter(id=snapshot.pk).count()


# --- verifying -------------------------------------------------------------------------------------


def test_an_institution_admin_verifies_through_the_api(nora, snapshot):
    response = client_for(nora).post(f"/api/v1/post-metrics/{snapshot.pk}/verify/")

    assert response.status_code == 200
    assert response.json()["verified"] is True
    assert response.json()["provenance"]["verified"] is True
    snapshot.refresh_from_db()
    assert snapshot.verified_by == nora
    assert history_of(snapshot)[0]["changes"]["verified_by"] == [None, nora.pk]


def test_follower_counts_are_verified_through_the_api_too(nora, alice_instagram):
    counts = AccountMetricsFactory(account=alice_instagram, captured_on=DAY)

    response = client_for(nora).post(f"/api/v1/account-metrics/{counts.pk}/verify/")

    assert response.status_code == 200
    assert AccountMetrics.objects.get(pk=counts.pk).verified_by == nora


def test_verifying_twice_keeps_the_first_verification(nora, root, verified):
    first = verified.verified_at

    response = client_for(root).post(f"/api/v1/post-metrics/{verified.pk}/verify/")

    assert response.status_code == 200
    verified.refresh_from_db()
    assert (verified.verified_by, verified.verified_at) == (nora, first)


@pytest.mark.parametrize("person", ["alice", "bob"])
def test_faculty_and_reviewers_cannot_verify_and_nothing_changes(person, request, snapshot):
    before = records(snapshot)

    response = client_for(request.getfixturevalue(person)).post(f"/api/v1/post-metrics/{snapshot.pk}/verify/")

    assert response.status_code == 403
    snapshot.refresh_from_db()
    assert snapshot.verified_at is None
    assert records(snapshot) == before


def test_another_institutions_admin_cannot_even_find_it(charlie, snapshot):
    assert client_for(charlie).post(f"/api/v1/post-metrics/{snapshot.pk}/verify/").status_code == 404


def test_the_admin_action_verifies_through_the_same_method(client, nora, snapshot):
    client.force_login(nora)

    client.post(
        reverse("admin:metrics_postmetrics_changelist"), {"action": "mark_verified", "_selected_action": [snapshot.pk]}
    )

    newest = history_of(PostMetrics.objects.get(pk=snapshot.pk))[0]
    assert (newest["by"], newest["source"], newest["changes"]["verified_by"]) == (nora.pk, "manual", [None, nora.pk])


# --- changing a verified value ---------------------------------------------------------------------


def test_a_verified_value_changed_through_the_api_is_a_new_unverified_one(alice, verified):
    response = client_for(alice).patch(f"/api/v1/post-metrics/{verified.pk}/", {"likes": 999}, format="json")

    assert response.status_code == 200
    assert (response.json()["likes"], response.json()["verified"]) == (999, False)
    change = history_of(PostMetrics.objects.get(pk=verified.pk))[0]
    assert change["changes"]["likes"] == [178, 999]
    assert change["changes"]["verified_at"][1] is None


def test_a_verified_value_put_again_unchanged_stays_verified(alice, verified):
    body = {"post": verified.post_id, "captured_on": DAY.isoformat(), "likes": 178}

    response = client_for(alice).put(f"/api/v1/post-metrics/{verified.pk}/", body, format="json")

    assert response.status_code == 200
    assert response.json()["verified"] is True


def test_a_verified_follower_count_changed_in_the_admin_loses_its_verification(client, nora, alice_instagram):
    counts = AccountMetricsFactory(account=alice_instagram, captured_on=DAY, followers=7100)
    counts.verify(nora)
    client.force_login(nora)

    response = client.post(
        reverse("admin:metrics_accountmetrics_change", args=[counts.pk]),
        {
            "account": alice_instagram.pk,
            "captured_on": DAY.isoformat(),
            "followers": 7200,
            "following": "",
            "posts_count": "",
        },
    )

    assert response.status_code == 302
    counts.refresh_from_db()
    assert (counts.followers, counts.is_verified, counts.source) == (7200, False, "manual")
    assert history_of(counts)[0]["changes"]["followers"] == [7100, 7200]


def test_saving_a_verified_snapshot_with_the_same_reading_keeps_its_verification(verified):
    verified = PostMetrics.objects.get(pk=verified.pk)
    verified.save()

    assert PostMetrics.objects.get(pk=verified.pk).is_verified


def test_a_verified_audience_row_changed_in_code_loses_its_verification(nora, alice_instagram):
    row = AudienceSnapshotFactory(account=alice_instagram, captured_on=DAY, count=30)
    row.verify(nora)
    row = AudienceSnapshot.objects.get(pk=row.pk)

    row.count = 31
    row.save(update_fields=["count"])

    assert not AudienceSnapshot.objects.get(pk=row.pk).is_verified


# --- deleting a verified value ---------------------------------------------------------------------


def test_faculty_cannot_delete_a_verified_value_and_nothing_changes(alice, verified):
    before = records(verified)

    response = client_for(alice).delete(f"/api/v1/post-metrics/{verified.pk}/")

    assert response.status_code == 403
    assert PostMetrics.objects.get(pk=verified.pk).likes == 178
    assert records(verified) == before


def test_faculty_delete_an_unverified_value_of_their_own(alice, snapshot):
    assert client_for(alice).delete(f"/api/v1/post-metrics/{snapshot.pk}/").status_code == 204


def test_an_admin_deletes_a_verified_value_and_the_history_keeps_it(nora, verified):
    response = client_for(nora).delete(f"/api/v1/post-metrics/{verified.pk}/")

    assert response.status_code == 204
    assert not PostMetrics.objects.filter(pk=verified.pk).exists()
    deletion = PostMetrics.history.filter(id=verified.pk).latest("history_date")
    assert (deletion.history_type, deletion.likes, deletion.verified_by_id) == ("-", 178, nora.pk)


def test_the_admin_refuses_faculty_a_deletion(client, alice, verified):
    client.force_login(alice)

    client.post(reverse("admin:metrics_postmetrics_delete", args=[verified.pk]), {"post": "yes"})

    assert PostMetrics.objects.filter(pk=verified.pk).exists()


def test_an_admin_deletes_a_verified_value_in_the_admin(client, nora, verified):
    client.force_login(nora)

    response = client.post(reverse("admin:metrics_postmetrics_delete", args=[verified.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not PostMetrics.objects.filter(pk=verified.pk).exists()
    assert PostMetrics.history.filter(id=verified.pk, history_type="-").exists()


# --- frozen versions -------------------------------------------------------------------------------


def test_a_frozen_version_keeps_the_values_it_used_after_they_were_changed_and_verified(
    dossier, worked_post, alice, nora
):
    version = freeze(dossier=dossier, user=alice)
    shown = PostMetrics.objects.get(post=worked_post)
    pinned = dict(version.pinned_values["post_metrics"])

    client_for(alice).patch(f"/api/v1/post-metrics/{shown.pk}/", {"likes": 3000}, format="json")
    client_for(nora).post(f"/api/v1/post-metrics/{shown.pk}/verify/")

    version.refresh_from_db()
    assert version.data["highlights"][0]["metrics"]["likes"] == 184
    assert "3,000" not in version.html
    record = PostMetrics.history.get(history_id=pinned[shown.pk])
    assert (record.id, record.likes, record.verified_at) == (shown.pk, 184, None)
    # The live value moved on; the next version names its new record.
    second = freeze(dossier=dossier, user=alice)
    assert second.data["highlights"][0]["metrics"]["likes"] == 3000
    newer = PostMetrics.history.get(history_id=dict(second.pinned_values["post_metrics"])[shown.pk])
    assert (newer.likes, newer.verified_by_id) == (3000, nora.pk)


def test_a_frozen_version_names_every_post_snapshot_follower_count_and_audience_row(dossier, alice, alice_instagram):
    audience = AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2025, 2, 1))
    version = freeze(dossier=dossier, user=alice)

    pinned = version.pinned_values
    assert len(pinned["post_metrics"]) == 2
    assert [pk for pk, _ in pinned["audience"]] == [audience.pk]
    assert [pk for pk, _ in pinned["follower_counts"]] == list(
        AccountMetrics.objects.filter(account=alice_instagram).values_list("pk", flat=True)
    )
    for numbers, model in (("post_metrics", PostMetrics), ("follower_counts", AccountMetrics)):
        for pk, record in pinned[numbers]:
            assert model.history.get(history_id=record).id == pk


def test_faculty_cannot_delete_a_post_whose_snapshot_was_verified(alice, nora, verified):
    response = client_for(alice).delete(f"/api/v1/posts/{verified.post_id}/")

    assert response.status_code == 403
    assert PostMetrics.objects.filter(pk=verified.pk).exists()
    assert client_for(nora).delete(f"/api/v1/posts/{verified.post_id}/").status_code == 204
    assert PostMetrics.history.filter(id=verified.pk, history_type="-").exists()
