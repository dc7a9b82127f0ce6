"""
Logins belong to institutions: an institution admin manages only her own institution's logins, a login that
belongs nowhere is a superuser's alone, and nobody deletes, deactivates or demotes their own login.

Nora is Northfield's admin, Charlie Southbay's; root is a superuser.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Faculty
from accounts.models import Membership
from tests.factories import FacultyFactory
from tests.factories import UserFactory

pytest_plugins = ["tests.api_fixtures"]

User = get_user_model()
NEW_PASSWORD = "an-unusual-Passphrase-42"


def logins_state() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "faculty_logins": list(Faculty.objects.order_by("pk").values_list("pk", "user")),
    }


@pytest.fixture
def newcomer(nora, northfield, api_client):
    """A login Nora created through the API, as a reviewer at Northfield."""
    body = {"username": "newcomer", "email": "newcomer@northfield.example", "password": NEW_PASSWORD}
    response = api_client(nora).post("/api/v1/users/", body | {"role": "reviewer", "institution": northfield.pk})
    assert response.status_code == 201, response.content
    return User.objects.get(pk=response.json()["id"])


def test_a_login_created_by_an_institution_admin_belongs_to_her_institution(newcomer, northfield):
    assert Membership.objects.filter(user=newcomer, institution=northfield, role="reviewer").exists()


def test_charlie_gets_404_at_every_step_of_taking_over_noras_login(
    newcomer, nora, charlie, southbay, api_client, client
):
    client.force_login(charlie)
    before = logins_state()
    as_charlie = api_client(charlie)

    # He cannot read its e-mail address...
    assert as_charlie.get(f"/api/v1/users/{newcomer.pk}/").status_code == 404
    assert newcomer.email not in as_charlie.get("/api/v1/users/").content.decode()
    # ...nor set its password, through the API or the admin...
    assert as_charlie.patch(f"/api/v1/users/{newcomer.pk}/", {"password": "charlies-Passphrase-77"}).status_code == 404
    assert client.get(reverse("admin:auth_user_password_change", args=[newcomer.pk])).status_code == 404
    password_form = {"password1": "charlies-Passphrase-77", "password2": "charlies-Passphrase-77"}
    assert client.post(reverse("admin:auth_user_password_change", args=[newcomer.pk]), password_form).status_code == 404
    # ...so he cannot sign in with it...
    token = APIClient().post("/api/v1/auth/token/", {"username": "newcomer", "password": "charlies-Passphrase-77"})
    assert token.status_code == 400
    # ...nor give it a role at his institution: its id is refused exactly as an id that does not exist.
    role = {"institution": southbay.pk, "role": "admin"}
    taken = as_charlie.post("/api/v1/memberships/", role | {"user": newcomer.pk})
    unknown = as_charlie.post("/api/v1/memberships/", role | {"user": 10**9})
    assert taken.status_code == unknown.status_code == 400
    assert taken.json()["user"] == [m.replace(str(10**9), str(newcomer.pk)) for m in unknown.json()["user"]]
    admin_form = {"user": newcomer.pk, "institution": southbay.pk, "department": "", "role": "admin"}
    assert "Select a valid choice" in client.post(reverse("admin:accounts_membership_add"), admin_form).content.decode()
    # Nothing changed, and the login is still Nora's.
    assert logins_state() == before
    assert api_client(nora).get(f"/api/v1/users/{newcomer.pk}/").status_code == 200


def test_charlie_sees_no_unattached_login_in_his_list_or_autocomplete(charlie, root, client, api_client):
    UserFactory(username="drifter")
    client.force_login(charlie)

    listed = {row["username"] for row in api_client(charlie).get("/api/v1/users/").json()["results"]}
    autocomplete = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "membership", "field_name": "user", "term": ""},
    ).json()["results"]
    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()

    assert "drifter" not in listed
    assert "drifter" not in {row["text"] for row in autocomplete}
    assert "drifter" not in changelist
    assert "drifter" in {row["username"] for row in api_client(root).get("/api/v1/users/").json()["results"]}


def test_an_institution_admin_must_give_a_new_login_its_place(nora, api_client):
    response = api_client(nora).post("/api/v1/users/", {"username": "drifter", "password": NEW_PASSWORD})

    assert response.status_code == 400
    assert "visible to superusers only" in response.json()["non_field_errors"][0]
    assert not User.objects.filter(username="drifter").exists()


def test_an_institution_admin_cannot_place_a_new_login_at_another_institution(nora, southbay, api_client):
    body = {"username": "drifter", "password": NEW_PASSWORD, "role": "reviewer", "institution": southbay.pk}

    response = api_client(nora).post("/api/v1/users/", body)

    assert response.status_code == 400
    assert "institution" in response.json()
    assert not User.objects.filter(username="drifter").exists()


def test_a_new_login_can_be_given_a_faculty_record_without_one(nora, charlie, northfield_radiology, api_client):
    erin = FacultyFactory(name="Erin Ellis", email="erin@northfield.example")
    erin.appointments.create(department=northfield_radiology, primary=True)

    refused = api_client(charlie).post(
        "/api/v1/users/", {"username": "erin", "password": NEW_PASSWORD, "faculty": erin.pk}
    )
    created = api_client(nora).post(
        "/api/v1/users/", {"username": "erin", "password": NEW_PASSWORD, "faculty": erin.pk}
    )

    assert refused.status_code == 400
    assert created.status_code == 201
    erin.refresh_from_db()
    assert erin.user.username == "erin"


def test_a_faculty_record_that_has_a_login_is_not_given_another(nora, alice, api_client):
    response = api_client(nora).post(
        "/api/v1/users/", {"username": "second", "password": NEW_PASSWORD, "faculty": alice.faculty.pk}
    )

    assert response.status_code == 400
    assert not User.objects.filter(username="second").exists()


def test_a_superuser_may_create_a_login_that_belongs_nowhere(root, api_client):
    response = api_client(root).post("/api/v1/users/", {"username": "drifter", "password": NEW_PASSWORD})

    assert response.status_code == 201


def test_the_admin_add_page_asks_an_institution_admin_for_the_place(nora, northfield, client):
    client.force_login(nora)
    form = {
        "username": "fresh",
        "usable_password": "true",
        "password1": "a-long-pass-phrase",
        "password2": "a-long-pass-phrase",
    }

    refused = client.post(reverse("admin:auth_user_add"), form)
    created = client.post(reverse("admin:auth_user_add"), form | {"role": "admin", "institution": northfield.pk})

    assert refused.status_code == 200
    assert "visible to superusers only" in refused.content.decode()
    assert created.status_code == 302
    fresh = User.objects.get(username="fresh")
    assert fresh.is_staff
    assert Membership.objects.filter(user=fresh, institution=northfield, role="admin").exists()


# Nobody deletes, deactivates or demotes their own login.


def test_a_superuser_cannot_delete_their_own_login_through_the_api(root, api_client):
    response = api_client(root).delete(f"/api/v1/users/{root.pk}/")

    assert response.status_code == 403
    assert "your own login" in response.json()["detail"]
    assert User.objects.filter(pk=root.pk).exists()


def test_a_superuser_cannot_deactivate_their_own_login_through_the_api(root, api_client):
    response = api_client(root).patch(f"/api/v1/users/{root.pk}/", {"is_active": False})

    assert response.status_code == 400
    root.refresh_from_db()
    assert root.is_active


def test_a_superuser_may_still_delete_another_login(root, api_client):
    other = UserFactory(username="other", is_superuser=True)

    assert api_client(root).delete(f"/api/v1/users/{other.pk}/").status_code == 204


def test_a_superuser_cannot_delete_their_own_login_in_the_admin(root, client):
    client.force_login(root)

    page = client.get(reverse("admin:auth_user_delete", args=[root.pk]))
    posted = client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )

    assert page.status_code == posted.status_code == bulk.status_code == 403
    assert User.objects.filter(pk=root.pk).exists()


def test_a_superuser_cannot_demote_their_own_login_in_the_admin(root, client):
    client.force_login(root)
    url = reverse("admin:auth_user_change", args=[root.pk])

    form = client.get(url).context["adminform"].form
    client.post(
        url,
        {
            "username": "root",
            "email": "",
            "first_name": "",
            "last_name": "",
            "date_joined_0": "2020-07-01",
            "date_joined_1": "13:00:00",
            "initial-date_joined_0": "2020-07-01",
            "initial-date_joined_1": "13:00:00",
        },
    )

    root.refresh_from_db()
    assert not {"is_active", "is_staff", "is_superuser"} & set(form.fields)
    assert root.is_superuser and root.is_staff and root.is_active
