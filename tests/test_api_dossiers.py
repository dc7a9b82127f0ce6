"""The dossier endpoints: writing highlights and activities, freezing, versions, reviewer links and downloads."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.models import HIGHLIGHT_REFUSED
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import DossierVersion
from portfolio.dossiers.models import Highlight
from portfolio.dossiers.models import ShareAccess
from portfolio.dossiers.models import ShareLink
from tests.factories import ActivityFactory
from tests.factories import DossierFactory
from tests.factories import PostFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytest_plugins = ["tests.api_fixtures", "tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def in_days(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def test_faculty_member_creates_a_dossier_with_accounts_highlights_and_activities(
    alice, alice_instagram, worked_post, api_client
):
    activity = ActivityFactory(faculty=alice.faculty)
    body = {
        "faculty": alice.faculty.pk,
        "title": "Promotion to Associate Professor",
        "period_start": "2025-01-01",
        "period_end": "2026-06-30",
        "as_of": "2026-07-01",
        "narrative": "I teach on Instagram.",
        "accounts": [alice_instagram.pk],
        "activities": [activity.pk],
        "highlights": [{"post": worked_post.pk, "position": 1}],
    }

    response = api_client(alice).post("/api/v1/dossiers/", body)

    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(pk=response.json()["id"])
    assert dossier.created_by == alice
    assert list(dossier.accounts.all()) == [alice_instagram]
    assert list(dossier.activities.all()) == [activity]
    assert response.json()["highlights"] == [
        {
            "post": worked_post.pk,
            "position": 1,
            "note": "",
            "category": "",
            "privacy_flags": [],
            "privacy_acknowledged": False,
            "privacy_acknowledged_at": None,
            "evidence": None,
        }
    ]


def test_writing_highlights_replaces_them_and_keeps_an_acknowledgement(dossier, alice, alice_instagram, api_client):
    flagged = PostFactory(
        account=alice_instagram,
        caption="A 47-year-old fell from a ladder.",
        published_at=dt.datetime(2025, 5, 2, 12, tzinfo=dt.UTC),  # in the dossier's review period
    )
    client = api_client(alice)
    url = f"/api/v1/dossiers/{dossier.pk}/"

    first = client.patch(url, {"highlights": [{"post": flagged.pk, "position": 1, "privacy_acknowledged": True}]})
    acknowledged_at = Highlight.objects.get(dossier=dossier).privacy_acknowledged_at
    again = client.patch(url, {"highlights": [{"post": flagged.pk, "position": 3, "privacy_acknowledged": True}]})

    assert first.status_code == again.status_code == 200
    row = again.json()["highlights"][0]
    assert row["privacy_acknowledged"] is True
    assert row["privacy_flags"][0]["kind"] == "age"
    highlight = Highlight.objects.get(dossier=dossier)
    assert (highlight.position, highlight.privacy_acknowledged_by, highlight.privacy_acknowledged_at) == (
        3,
        alice,
        acknowledged_at,
    )


def test_a_dossier_highlights_only_its_faculty_members_own_posts(dossier, alice, nora, api_client, world):
    peters_post = world.get("posts", "peer")

    response = api_client(nora).patch(f"/api/v1/dossiers/{dossier.pk}/", {"highlights": [{"post": peters_post.pk}]})

    assert response.status_code == 400
    assert response.json() == {"highlights": [HIGHLIGHT_REFUSED]}
    assert Highlight.objects.get(dossier=dossier).post.external_id == "worked-example"


def test_a_dossier_covers_only_its_faculty_members_accounts(dossier, alice, api_client):
    other = SocialAccountFactory(platform=platform("twitter"), faculty=DossierFactory().faculty)

    response = api_client(alice).patch(f"/api/v1/dossiers/{dossier.pk}/", {"accounts": [other.pk]})

    assert response.status_code == 400
    assert "accounts" in response.json()


def test_freeze_answers_the_new_version_with_its_data(dossier, alice, api_client):
    response = api_client(alice).post(f"/api/v1/dossiers/{dossier.pk}/freeze/")

    assert response.status_code == 201
    body = response.json()
    version = DossierVersion.objects.get()
    assert (body["id"], body["number"], body["sha256"]) == (version.pk, 1, version.sha256)
    assert body["data"]["highlights"][0]["actions"] == 292
    assert body["frozen_by"] == "Alice Adams"


def test_freeze_is_refused_with_the_flags_to_resolve(dossier, alice, alice_instagram, api_client):
    flagged = PostFactory(account=alice_instagram, caption="Seen on 3/14/2026, MRN 12345678.")
    Highlight.objects.create(dossier=dossier, post=flagged, position=2)

    response = api_client(alice).post(f"/api/v1/dossiers/{dossier.pk}/freeze/")

    assert response.status_code == 409
    assert response.json()["unresolved"][0]["post"] == flagged.pk
    assert not DossierVersion.objects.exists()


def test_freeze_is_403_for_a_reviewer_and_404_for_another_institution(dossier, bob, charlie, api_client):
    dossier.submit()
    assert api_client(bob).post(f"/api/v1/dossiers/{dossier.pk}/freeze/").status_code == 403
    assert api_client(charlie).post(f"/api/v1/dossiers/{dossier.pk}/freeze/").status_code == 404
    assert not DossierVersion.objects.exists()


def test_versions_are_read_only_and_the_list_leaves_out_their_data(version, alice, api_client):
    client = api_client(alice)

    listed = client.get("/api/v1/dossier-versions/").json()["results"]
    detail = client.get(f"/api/v1/dossier-versions/{version.pk}/").json()

    assert [row["id"] for row in listed] == [version.pk]
    assert "data" not in listed[0]
    assert detail["data"]["composite"] == version.data["composite"]
    assert client.patch(f"/api/v1/dossier-versions/{version.pk}/", {"number": 9}).status_code == 405
    assert client.delete(f"/api/v1/dossier-versions/{version.pk}/").status_code == 405


def test_version_downloads_are_the_stored_documents(version, bob, api_client):
    version.dossier.submit()
    client = api_client(bob)

    pdf = client.get(f"/api/v1/dossier-versions/{version.pk}/export/pdf/")
    html = client.get(f"/api/v1/dossier-versions/{version.pk}/export/html/", HTTP_ACCEPT="application/json")

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == version.pdf_sha256
    assert hashlib.sha256(html.content).hexdigest() == version.sha256


def test_live_downloads_answer_their_file_type(dossier, alice, api_client):
    client = api_client(alice)

    assert client.get(f"/api/v1/dossiers/{dossier.pk}/export/csv/")["Content-Type"] == "application/zip"
    xlsx = client.get(f"/api/v1/dossiers/{dossier.pk}/export/xlsx/")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/api/v1/dossiers/{dossier.pk}/export/docx/").status_code == 404


def test_downloads_of_another_institution_answer_404_in_json(dossier, version, charlie, api_client):
    client = api_client(charlie)

    live = client.get(f"/api/v1/dossiers/{dossier.pk}/export/pdf/", HTTP_ACCEPT="application/pdf")
    missing = client.get("/api/v1/dossiers/987654/export/pdf/", HTTP_ACCEPT="application/pdf")
    frozen = client.get(f"/api/v1/dossier-versions/{version.pk}/export/pdf/")

    assert live.status_code == missing.status_code == frozen.status_code == 404
    assert live["Content-Type"] == "application/json"
    assert live.json() == missing.json()


def test_faculty_member_creates_and_revokes_a_share_link(version, alice, api_client, client):
    api = api_client(alice)

    created = api.post(
        "/api/v1/share-links/", {"version": version.pk, "recipient": "Committee", "expires_at": in_days(10)}
    )
    assert created.status_code == 201, created.content
    link = ShareLink.objects.get()
    assert created.json()["url"] == f"http://testserver/r/{link.token}/"
    assert created.json()["state"] == "open"

    client.get(f"/r/{link.token}/", REMOTE_ADDR="203.0.113.5")
    listed = api.get("/api/v1/share-links/").json()["results"][0]
    assert listed["access_count"] == 1
    assert listed["accesses"][0]["ip"] == "203.0.113.5"

    revoked = api.post(f"/api/v1/share-links/{link.pk}/revoke/")
    assert revoked.json()["state"] == "revoked"
    assert client.get(f"/r/{link.token}/").status_code == 404


def test_share_link_expiry_must_be_within_a_year(version, alice, api_client):
    response = api_client(alice).post(
        "/api/v1/share-links/", {"version": version.pk, "recipient": "Committee", "expires_at": in_days(400)}
    )

    assert response.status_code == 400
    assert response.json() == {"expires_at": ["A link may stay open for a year at most."]}


def test_share_links_cannot_be_edited_or_deleted(version, alice, api_client):
    link = ShareLink.objects.create(version=version, recipient="A", expires_at=timezone.now() + dt.timedelta(days=1))
    client = api_client(alice)

    assert client.patch(f"/api/v1/share-links/{link.pk}/", {"recipient": "B"}).status_code == 405
    assert client.delete(f"/api/v1/share-links/{link.pk}/").status_code == 405


@pytest.mark.parametrize(("person", "status"), [("bob", 403), ("charlie", 400)])
def test_share_link_creation_is_refused_to_reviewers_and_other_institutions(
    version, person, status, api_client, request
):
    response = api_client(request.getfixturevalue(person)).post(
        "/api/v1/share-links/", {"version": version.pk, "recipient": "X", "expires_at": in_days(3)}
    )

    assert response.status_code == status
    assert not ShareLink.objects.exists()


def test_revoking_is_403_for_a_reviewer_and_404_for_another_institution(version, bob, charlie, api_client):
    version.dossier.submit()
    link = ShareLink.objects.create(version=version, recipient="A", expires_at=timezone.now() + dt.timedelta(days=1))

    assert api_client(bob).post(f"/api/v1/share-links/{link.pk}/revoke/").status_code == 403
    assert api_client(charlie).post(f"/api/v1/share-links/{link.pk}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_filtering_versions_by_another_institutions_dossier_answers_as_an_unknown_one(version, charlie, api_client):
    client = api_client(charlie)

    hidden = client.get("/api/v1/dossier-versions/", {"dossier": version.dossier_id})
    missing = client.get("/api/v1/dossier-versions/", {"dossier": 987654})

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()


# Query counts of the lists, with several rows present.


@pytest.fixture
def many_dossiers(alice, alice_instagram, worked_post):
    for index in range(4):
        dossier = DossierFactory(faculty=alice.faculty, title=f"Dossier {index}")
        dossier.accounts.add(alice_instagram)
        dossier.activities.add(ActivityFactory(faculty=alice.faculty))
        Highlight.objects.create(dossier=dossier, post=worked_post)
        Highlight.objects.create(dossier=dossier, post=PostFactory(account=alice_instagram))
        version = freeze(dossier=dossier, user=alice)
        for recipient in ("A", "B"):
            link = ShareLink.objects.create(
                version=version, recipient=recipient, expires_at=timezone.now() + dt.timedelta(days=2)
            )
            ShareAccess.objects.bulk_create(ShareAccess(link=link, ip="192.0.2.1") for _ in range(2))


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # Roles (2), count, page, then accounts, activities, highlights with their posts, versions.
        ("/api/v1/dossiers/", 8),
        ("/api/v1/dossier-versions/", 4),
        # Roles (2), count, page, the links' latest accesses.
        ("/api/v1/share-links/", 5),
        ("/api/v1/activities/", 4),
    ],
)
def test_dossier_lists_run_a_fixed_number_of_queries(
    many_dossiers, nora, api_client, django_assert_num_queries, path, queries
):
    client = api_client(nora)

    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200
    assert response.json()["count"] >= 4


def test_a_dossier_stays_with_its_faculty_member(dossier, nora, world, api_client):
    peter = world.get("faculty", "peer")

    response = api_client(nora).patch(f"/api/v1/dossiers/{dossier.pk}/", {"faculty": peter.pk, "title": "Moved?"})

    assert response.status_code == 200
    dossier.refresh_from_db()
    assert (dossier.faculty.name, dossier.title) == ("Alice Adams", "Moved?")


def test_a_patch_that_leaves_out_the_acknowledgement_keeps_it(dossier, alice, alice_instagram, api_client):
    flagged = PostFactory(
        account=alice_instagram,
        caption="A 47-year-old fell from a ladder.",
        published_at=dt.datetime(2025, 5, 2, 12, tzinfo=dt.UTC),
    )
    client = api_client(alice)
    url = f"/api/v1/dossiers/{dossier.pk}/"
    client.patch(url, {"highlights": [{"post": flagged.pk, "position": 1, "privacy_acknowledged": True}]})

    response = client.patch(url, {"highlights": [{"post": flagged.pk, "position": 2}]})

    assert response.status_code == 200, response.content
    assert response.json()["highlights"][0]["privacy_acknowledged"] is True
    assert Highlight.objects.get(dossier=dossier).privacy_acknowledged_by == alice
