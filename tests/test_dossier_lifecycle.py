"""
A dossier's status and life: who reads a draft and a submitted dossier (pages, API, admin alike), submitting,
archiving, deleting a draft, and duplicating a dossier for a new cycle.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import DossierVersion
from portfolio.dossiers.models import ShareLink
from tests.factories import ActivityFactory
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import UserFactory

pytest_plugins = ["tests.dossier_fixtures", "tests.api_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def erin(northfield_radiology):
    """Alice's colleague in the same department: a faculty member, not a reviewer."""
    user = UserFactory(username="erin")
    AppointmentFactory(faculty=FacultyFactory(user=user, name="Erin Evans"), department=northfield_radiology)
    return user


@pytest.fixture
def ivy(northfield):
    """A reviewer for the whole of Alice's institution."""
    user = UserFactory(username="ivy")
    MembershipFactory(user=user, institution=northfield, role=Membership.Role.REVIEWER)
    return user


def detail(dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.pk])


def lifecycle_url(name: str, dossier) -> str:
    return reverse(f"dossiers:{name}", args=[dossier.pk])


# Who reads what ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "draft", "submitted"),
    [
        ("alice", 200, 200),  # the faculty member who owns it
        ("nora", 200, 200),  # an admin of her institution
        ("bob", 404, 200),  # a reviewer of her department
        ("ivy", 404, 200),  # a reviewer of her institution
        ("erin", 404, 404),  # another faculty member of the same department
        ("charlie", 404, 404),  # an admin of another institution
    ],
)
def test_a_draft_is_private_until_submitted_on_the_pages(request, signed_in, dossier, who, draft, submitted):
    client = signed_in(request.getfixturevalue(who))
    assert client.get(detail(dossier)).status_code == draft
    assert client.get(lifecycle_url("versions", dossier)).status_code == draft
    dossier.submit()
    assert client.get(detail(dossier)).status_code == submitted


@pytest.mark.parametrize(
    ("who", "draft", "submitted"),
    [("alice", 200, 200), ("nora", 200, 200), ("bob", 404, 200), ("erin", 404, 404), ("charlie", 404, 404)],
)
def test_a_draft_is_private_until_submitted_in_the_api(request, api_client, version, who, draft, submitted):
    client = api_client(request.getfixturevalue(who))
    dossier = version.dossier
    assert client.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == draft
    assert client.get(f"/api/v1/dossier-versions/{version.pk}/").status_code == draft
    dossier.submit()
    assert client.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == submitted
    assert client.get(f"/api/v1/dossier-versions/{version.pk}/").status_code == submitted
    listed = [row["id"] for row in client.get("/api/v1/dossiers/").json()["results"]]
    assert listed == ([dossier.pk] if submitted == 200 else [])


def test_an_archived_dossier_stays_readable_by_its_reviewers(signed_in, version, bob):
    version.dossier.submit()
    version.dossier.archive()
    assert signed_in(bob).get(detail(version.dossier)).status_code == 200


def test_an_archived_dossier_that_was_never_submitted_stays_private(signed_in, version, bob):
    version.dossier.archive()
    assert signed_in(bob).get(detail(version.dossier)).status_code == 404


def test_only_the_owner_or_an_admin_submits(signed_in, dossier, bob, charlie, alice):
    assert signed_in(charlie).post(lifecycle_url("submit", dossier)).status_code == 404
    assert signed_in(bob).post(lifecycle_url("submit", dossier)).status_code == 404  # a draft: not theirs to see
    response = signed_in(alice).post(lifecycle_url("submit", dossier))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.SUBMITTED
    assert dossier.submitted_at is not None
    assert signed_in(bob).post(lifecycle_url("archive", dossier)).status_code == 403


def test_submitting_through_the_api_and_a_reviewer_refused(api_client, dossier, alice, bob):
    response = api_client(alice).post(f"/api/v1/dossiers/{dossier.pk}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    again = api_client(alice).post(f"/api/v1/dossiers/{dossier.pk}/submit/")
    assert again.status_code == 409
    assert api_client(bob).post(f"/api/v1/dossiers/{dossier.pk}/archive/").status_code == 403


def test_the_status_cannot_be_written_in_the_api_body(api_client, dossier, alice):
    response = api_client(alice).patch(f"/api/v1/dossiers/{dossier.pk}/", {"status": "archived"}, format="json")
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DRAFT


# Archiving -----------------------------------------------------------------------------------------------------------


def test_archiving_takes_the_dossier_out_of_the_default_list(signed_in, version, alice):
    client = signed_in(alice)
    dossier = version.dossier
    assert client.post(lifecycle_url("archive", dossier)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.ARCHIVED
    assert f'href="{detail(dossier)}"' not in client.get(reverse("dossiers:list")).content.decode()
    archived = client.get(reverse("dossiers:list") + "?show=archived").content.decode()
    assert f'href="{detail(dossier)}"' in archived
    assert "<td>Archived</td>" in archived


def test_an_archived_versions_reviewer_link_keeps_working(client, version):
    link = ShareLink.objects.create(version=version, recipient="A", expires_at=timezone.now() + dt.timedelta(days=3))
    version.dossier.archive()
    assert client.get(reverse("share", args=[link.token])).status_code == 200
    assert client.get(f"/verify/?sha256={version.sha256}").status_code == 200


def test_a_dossier_without_versions_is_not_archived(signed_in, dossier, alice):
    signed_in(alice).post(lifecycle_url("archive", dossier))
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DRAFT


def test_the_dossier_list_pins_its_queries_with_the_status_filter(signed_in, alice, dossier, django_assert_num_queries):
    client = signed_in(alice)
    # The session, the user, their roles and faculty record, whether they may create one, the dossiers.
    with django_assert_num_queries(6):
        assert client.get(reverse("dossiers:list") + "?show=archived").status_code == 200


# Deleting ------------------------------------------------------------------------------------------------------------


def test_a_draft_is_deleted_after_a_confirmation_page(signed_in, dossier, alice):
    client = signed_in(alice)
    page = client.get(lifecycle_url("delete", dossier))
    assert page.status_code == 200
    assert "Delete the dossier" in page.content.decode()
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert client.post(lifecycle_url("delete", dossier)).status_code == 302
    assert not Dossier.objects.filter(pk=dossier.pk).exists()


def test_a_dossier_with_frozen_versions_is_not_deleted(signed_in, api_client, version, alice, nora):
    dossier = version.dossier
    response = signed_in(alice).post(lifecycle_url("delete", dossier))
    assert response.status_code == 409
    assert "Archive it instead" in response.content.decode()
    api = api_client(nora).delete(f"/api/v1/dossiers/{dossier.pk}/")
    assert api.status_code == 409
    assert DossierVersion.objects.filter(pk=version.pk).exists()


def test_the_admin_offers_no_deletion_of_a_frozen_dossier(client, version, nora):
    client.force_login(nora)
    dossier = version.dossier
    assert client.get(reverse("admin:dossiers_dossier_delete", args=[dossier.pk])).status_code == 403
    changelist = client.get(reverse("admin:dossiers_dossier_changelist") + "?status__exact=draft")
    assert dossier.title in changelist.content.decode()


def test_a_reviewer_cannot_delete_and_another_institution_gets_404(signed_in, api_client, dossier, bob, charlie):
    dossier.submit()
    assert signed_in(bob).post(lifecycle_url("delete", dossier)).status_code == 403
    assert signed_in(charlie).post(lifecycle_url("delete", dossier)).status_code == 404
    assert api_client(charlie).delete(f"/api/v1/dossiers/{dossier.pk}/").status_code == 404
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_a_draft_is_deleted_through_the_api(api_client, dossier, alice):
    assert api_client(alice).delete(f"/api/v1/dossiers/{dossier.pk}/").status_code == 204
    assert not Dossier.objects.filter(pk=dossier.pk).exists()


# Duplicating ---------------------------------------------------------------------------------------------------------


def test_duplicating_for_a_new_cycle(signed_in, version, alice, alice_instagram):
    dossier = version.dossier
    activity = ActivityFactory(faculty=alice.faculty)
    dossier.activities.add(activity)
    # The worked example (3 Mar 2025) lies in the new period; a post of 2024 highlighted in the old one does not.
    old = PostFactory(account=alice_instagram, published_at=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC))
    dossier.period_start = dt.date(2024, 1, 1)
    dossier.save()
    dossier.highlight_rows.create(post=old, position=2, note="Older")
    dossier.highlight_rows.filter(position=1).update(note="Most saved", category="education")

    response = signed_in(alice).post(
        lifecycle_url("duplicate", dossier),
        {
            "title": "Promotion, next cycle",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "as_of": "2026-01-15",
        },
    )

    copy = Dossier.objects.exclude(pk=dossier.pk).get()
    assert response.status_code == 302
    assert response.url == lifecycle_url("edit", copy)
    assert (copy.title, copy.status, copy.faculty, copy.created_by) == (
        "Promotion, next cycle",
        Dossier.Status.DRAFT,
        alice.faculty,
        alice,
    )
    assert list(copy.accounts.all()) == [alice_instagram]
    assert list(copy.activities.all()) == [activity]
    assert [(h.post.external_id, h.note, h.category) for h in copy.highlight_rows.all()] == [
        ("worked-example", "Most saved", "education")
    ]
    assert not copy.versions.exists()
    assert dossier.highlight_rows.count() == 2  # the original is untouched


def test_duplicating_refuses_a_backwards_period_and_keeps_the_input(signed_in, dossier, alice):
    response = signed_in(alice).post(
        lifecycle_url("duplicate", dossier),
        {"title": "Next", "period_start": "2025-12-31", "period_end": "2025-01-01", "as_of": "2026-01-15"},
    )
    assert response.status_code == 200
    assert 'value="Next"' in response.content.decode()
    assert Dossier.objects.count() == 1


def test_a_reviewer_cannot_duplicate(signed_in, dossier, bob):
    dossier.submit()
    assert signed_in(bob).get(lifecycle_url("duplicate", dossier)).status_code == 403
