"""The dossier domain in the admin: scoring profiles per institution, published benchmarks, read-only records."""

import pytest
from django.urls import reverse

from portfolio.dossiers.models import Benchmark
from portfolio.dossiers.models import ScoringProfile
from tests.factories import ActivityFactory
from tests.factories import DossierFactory
from tests.factories import HighlightFactory

CHANGELISTS = [
    "dossiers:scoringprofile",
    "dossiers:benchmark",
    "dossiers:activity",
    "dossiers:dossier",
    "dossiers:dossierversion",
    "dossiers:sharelink",
    "dossiers:shareaccess",
]


def admin_url(model: str, action: str = "changelist", *args) -> str:
    app, name = model.split(":")
    return reverse(f"admin:{app}_{name}_{action}", args=args)


@pytest.fixture
def profiles(northfield, southbay):
    return {
        "northfield": ScoringProfile.objects.create(institution=northfield, name="Northfield weights", description="x"),
        "southbay": ScoringProfile.objects.create(institution=southbay, name="Southbay weights", description="y"),
        "default": ScoringProfile.objects.get(institution=None),
    }


@pytest.fixture
def dossiers(alice, dana, charlie, southbay_radiology):
    from tests.factories import AppointmentFactory
    from tests.factories import FacultyFactory

    southbay_faculty = FacultyFactory(name="Sam Southbay")
    AppointmentFactory(faculty=southbay_faculty, department=southbay_radiology)
    return {
        "alice": DossierFactory(faculty=alice.faculty, title="Alice's dossier"),
        "sam": DossierFactory(faculty=southbay_faculty, title="Sam's dossier"),
    }


@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_dossier_changelist_opens_for_an_institution_admin(client, nora, model):
    client.force_login(nora)
    assert client.get(admin_url(model)).status_code == 200


def test_institution_admin_edits_only_her_own_scoring_profile(client, nora, profiles):
    client.force_login(nora)
    content = client.get(admin_url("dossiers:scoringprofile")).content.decode()
    assert "Northfield weights" in content
    assert "Southbay weights" not in content
    assert client.get(admin_url("dossiers:scoringprofile", "change", profiles["southbay"].pk)).status_code == 302
    own = client.get(admin_url("dossiers:scoringprofile", "change", profiles["northfield"].pk))
    assert b'name="_save"' in own.content
    default = client.get(admin_url("dossiers:scoringprofile", "change", profiles["default"].pk))
    assert default.status_code == 200
    assert b'name="_save"' not in default.content  # read-only to her
    client.post(
        admin_url("dossiers:scoringprofile", "change", profiles["default"].pk),
        {"name": "Changed", "description": "no", "weights": "{}"},
    )
    profiles["default"].refresh_from_db()
    assert profiles["default"].name != "Changed"


def test_institution_admin_cannot_publish_a_site_default(client, nora):
    client.force_login(nora)
    response = client.post(
        admin_url("dossiers:scoringprofile", "add"),
        {"name": "A second default", "description": "no", "weights": '{"likes": "1"}', "institution": ""},
    )
    assert response.status_code == 200
    assert not ScoringProfile.objects.filter(name="A second default").exists()


def test_benchmarks_are_read_only_except_for_superusers(client, nora, root):
    benchmark = Benchmark.objects.first()
    client.force_login(nora)
    assert client.get(admin_url("dossiers:benchmark", "add")).status_code == 403
    page = client.get(admin_url("dossiers:benchmark", "change", benchmark.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    client.force_login(root)
    assert b'name="_save"' in client.get(admin_url("dossiers:benchmark", "change", benchmark.pk)).content


def test_dossiers_and_activities_are_scoped_to_the_institution(client, nora, charlie, dossiers, alice):
    ActivityFactory(faculty=alice.faculty, title="Alice moderates")
    client.force_login(nora)
    content = client.get(admin_url("dossiers:dossier")).content.decode()
    assert "Alice&#x27;s dossier" in content
    assert "Sam&#x27;s dossier" not in content
    assert client.get(admin_url("dossiers:dossier", "change", dossiers["sam"].pk)).status_code == 302
    client.force_login(charlie)
    assert "Alice moderates" not in client.get(admin_url("dossiers:activity")).content.decode()


def test_dossier_form_offers_only_the_admins_accounts(client, charlie, dossiers, alice_instagram):
    client.force_login(charlie)
    page = client.get(admin_url("dossiers:dossier", "change", dossiers["sam"].pk)).content.decode()
    assert "alice_rads" not in page


def test_dossier_changelist_pins_its_queries(client, nora, alice, django_assert_num_queries):
    for i in range(6):
        dossier = DossierFactory(faculty=alice.faculty, title=f"Dossier {i}")
        HighlightFactory(dossier=dossier)
    client.force_login(nora)
    with django_assert_num_queries(9):
        assert client.get(admin_url("dossiers:dossier")).status_code == 200
