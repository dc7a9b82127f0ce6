"""
Who reaches the evidence of Alice's highlighted posts: Southbay's admin and a Northfield colleague find none of it
(404, on the pages, in the API and in the admin); Bob, a Northfield reviewer, reads and changes nothing (403).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.dossiers.evidence import attach_evidence
from portfolio.dossiers.evidence_models import HighlightEvidence
from portfolio.dossiers.freezing import freeze
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import UserFactory
from tests.images import picture_bytes

pytest_plugins = ["tests.dossier_fixtures"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def evidence(dossier, alice, monkeypatch):
    """Alice's highlight with a screenshot, frozen into version 1."""
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    highlight = dossier.highlight_rows.select_related("post").get()
    attached = attach_evidence(highlight=highlight, user=alice, url="https://example.org/x", upload=picture_bytes())
    freeze(dossier=dossier, user=alice)
    return attached


@pytest.fixture
def eve(northfield_radiology):
    """Alice's colleague in the same department, a faculty member with her own login."""
    user = UserFactory(username="eve")
    faculty = FacultyFactory(name="Eve Evans", email="eve@northfield.example", user=user)
    AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)
    return user


def pages(evidence) -> dict[str, tuple[str, str]]:
    dossier, highlight = evidence.highlight.dossier, evidence.highlight
    return {
        "version image": ("get", reverse("dossiers:version-evidence-image", args=[dossier.pk, 1, 1])),
        "attach": ("post", reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk])),
        "acknowledge": ("post", reverse("dossiers:highlight-evidence-acknowledge", args=[dossier.pk, highlight.pk])),
    }


def api_post(user, evidence, data):
    client = APIClient()
    client.force_authenticate(user)
    dossier, post_id = evidence.highlight.dossier_id, evidence.highlight.post_id
    return client.post(f"/api/v1/dossiers/{dossier}/highlights/{post_id}/evidence/", data, format="multipart")


def new_picture():
    return SimpleUploadedFile("shot.png", picture_bytes(lines=("L",)))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["charlie", "eve"])
def test_another_institution_and_a_colleague_find_no_evidence(who, evidence, request):
    user = request.getfixturevalue(who)
    client = request.getfixturevalue("signed_in")(user)
    before = HighlightEvidence.objects.values_list("image_sha256", "url", "privacy_acknowledged_at").get()

    for name, (method, url) in pages(evidence).items():
        data = {f"e{evidence.highlight_id}-image": new_picture()} if name == "attach" else {}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, name
    assert api_post(user, evidence, {"image": new_picture()}).status_code == 404
    assert api_post(user, evidence, {"acknowledge": "true"}).status_code == 404
    assert HighlightEvidence.objects.values_list("image_sha256", "url", "privacy_acknowledged_at").get() == before


@pytest.mark.django_db
def test_a_reviewer_sees_the_frozen_picture_and_changes_nothing(bob, evidence, signed_in):
    evidence.highlight.dossier.submit()  # reviewers read submitted dossiers only
    client = signed_in(bob)
    before = HighlightEvidence.objects.values_list("image_sha256", "url", "privacy_acknowledged_at").get()
    routes = pages(evidence)

    assert client.get(routes["version image"][1]).status_code == 200
    assert client.post(routes["attach"][1], {f"e{evidence.highlight_id}-image": new_picture()}).status_code == 403
    assert client.post(routes["acknowledge"][1]).status_code == 403
    assert api_post(bob, evidence, {"image": new_picture()}).status_code == 403
    assert api_post(bob, evidence, {"acknowledge": "true"}).status_code == 403
    assert HighlightEvidence.objects.values_list("image_sha256", "url", "privacy_acknowledged_at").get() == before


@pytest.mark.django_db
def test_another_institutions_admin_finds_no_evidence_in_the_admin(charlie, nora, evidence, client):
    change = reverse("admin:dossiers_highlightevidence_change", args=[evidence.pk])
    listing = reverse("admin:dossiers_highlightevidence_changelist")
    client.force_login(charlie)

    assert evidence.image_sha256 not in client.get(listing).content.decode()
    opened = client.get(change)
    assert opened.status_code == 302 and opened["Location"] == reverse("admin:index")
    posted = client.post(change, {"highlight": evidence.highlight_id, "url": "https://attacker.example/"})
    assert posted.status_code == 302 and posted["Location"] == reverse("admin:index")
    assert HighlightEvidence.objects.get().url == "https://example.org/x"
    client.force_login(nora)
    assert evidence.image_sha256 in client.get(listing).content.decode()
