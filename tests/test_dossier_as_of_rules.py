"""
A dossier's "metrics as of" day: never after today (refused on the form, in the admin and through the API); before
the review period's end it is allowed and explained, with its consequence, on the form and in the API.
Alice builds her own dossiers; "now" is noon UTC on 10 March 2026.
"""

import datetime as dt

import pytest
from django.urls import reverse

from metrics.plausibility import AS_OF_BEFORE_PERIOD_END
from portfolio.dossiers.forms import AS_OF_HELP
from portfolio.dossiers.models import Dossier

pytest_plugins = ["tests.dossier_fixtures", "tests.api_fixtures"]
pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
FUTURE = "The metrics cannot be as of 2026-09-10, after today (2026-03-10): those numbers do not exist yet."


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def body(alice, alice_instagram, **fields) -> dict:
    return {
        "faculty": alice.faculty.pk,
        "title": "Promotion to Associate Professor",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "as_of": "2026-03-01",
        "accounts": [alice_instagram.pk],
        **fields,
    }


def test_api_refuses_an_as_of_after_today(alice, alice_instagram, api_client):
    response = api_client(alice).post("/api/v1/dossiers/", body(alice, alice_instagram, as_of="2026-09-10"))

    assert response.status_code == 400
    assert response.json() == {"as_of": [FUTURE]}
    assert not Dossier.objects.exists()


def test_api_refuses_to_move_the_as_of_after_today(dossier, alice, api_client):
    response = api_client(alice).patch(f"/api/v1/dossiers/{dossier.pk}/", {"as_of": "2026-09-10"})

    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]
    dossier.refresh_from_db()
    assert dossier.as_of == dt.date(2026, 7, 1)  # the fixture's day, written before this rule's "today"


def test_api_explains_an_as_of_before_the_periods_end(alice, alice_instagram, api_client):
    response = api_client(alice).post("/api/v1/dossiers/", body(alice, alice_instagram, as_of="2025-10-01"))

    assert response.status_code == 201
    assert response.json()["as_of_note"] == (
        "Metrics as of 2025-10-01, before the review period ends (2025-12-31): posts published after 2025-10-01 "
        "are listed without metrics, and every other number is the one known on 2025-10-01."
    )


def test_api_says_nothing_of_an_as_of_after_the_periods_end(alice, alice_instagram, api_client):
    response = api_client(alice).post("/api/v1/dossiers/", body(alice, alice_instagram))

    assert (response.status_code, response.json()["as_of_note"]) == (201, None)


def test_the_form_refuses_an_as_of_after_today_on_the_field(client, alice, alice_instagram):
    client.force_login(alice)
    data = body(alice, alice_instagram, as_of="2026-09-10")

    response = client.post(reverse("dossiers:create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"as_of": [FUTURE]}
    assert not Dossier.objects.exists()


def test_the_forms_say_what_the_as_of_day_means(client, alice, alice_instagram, dossier):
    client.force_login(alice)

    create = client.get(reverse("dossiers:create"))
    Dossier.objects.filter(pk=dossier.pk).update(as_of=dt.date(2025, 10, 1), period_end=dt.date(2025, 12, 31))
    edit = client.get(reverse("dossiers:edit", args=[dossier.pk]))

    assert create.context["form"].fields["as_of"].help_text == AS_OF_HELP
    note = AS_OF_BEFORE_PERIOD_END.format(as_of=dt.date(2025, 10, 1), end=dt.date(2025, 12, 31))
    assert edit.context["form"].fields["as_of"].help_text == f"{AS_OF_HELP} {note}"
    assert "posts published after 2025-10-01 are listed without metrics" in edit.content.decode()


def test_the_admin_refuses_an_as_of_after_today(client, nora, dossier):
    client.force_login(nora)
    url = reverse("admin:dossiers_dossier_change", args=[dossier.pk])
    form = client.get(url).context["adminform"].form

    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data["as_of"] = "2026-09-10"
    for formset in client.get(url).context["inline_admin_formsets"]:
        data.update({f"{formset.formset.prefix}-TOTAL_FORMS": "0", f"{formset.formset.prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)

    assert response.status_code == 200
    assert "as_of" in response.context["adminform"].form.errors
    dossier.refresh_from_db()
    assert dossier.as_of == dt.date(2026, 7, 1)
