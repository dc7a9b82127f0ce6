"""
Invalid input answers 400 with each field and its reason, and writes nothing.

The rules live on the models (validators, `clean()`, constraints); these tests
check that the API applies every one of them and says which field is wrong.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from accounts.models import DUPLICATE_HANDLE

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db

MIN_ZERO = "Ensure this value is greater than or equal to 0."
DOES_NOT_EXIST = "object does not exist"
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."


def every_table() -> dict:
    models = [*apps.get_app_config("accounts").get_models(), *apps.get_app_config("metrics").get_models()]
    return {model: list(model.objects.order_by("pk").values()) for model in [*models, get_user_model()]}


@pytest.fixture
def refused(api_client):
    """`refused(user, method, path, body)`: the errors of a 400 answer, after checking nothing was written."""

    def send(user, method: str, path: str, body: dict) -> dict:
        before = every_table()
        response = getattr(api_client(user), method)(path, body)
        assert response.status_code == 400, response.content
        assert every_table() == before
        return response.json()

    return send


def messages(errors: dict) -> list[str]:
    return [message for field_messages in errors.values() for message in field_messages]


# Counts are never negative.


@pytest.mark.parametrize(
    "field",
    [
        "impressions",
        "reach",
        "views",
        "likes",
        "dislikes",
        "comments",
        "shares",
        "saves",
        "profile_visits",
        "follows",
        "clicks",
        "watch_time_seconds",
    ],
)
def test_negative_post_metrics_are_refused_under_their_field(world, refused, field):
    body = {"post": world.get("posts", "alice").pk, "captured_on": "2024-04-01", field: -1}

    errors = refused(world.people["alice"], "post", "/api/v1/post-metrics/", body)

    assert errors == {field: [MIN_ZERO]}


def test_changing_a_snapshot_to_a_negative_count_is_refused(world, refused):
    snapshot = world.get("post-metrics", "alice")

    errors = refused(world.people["alice"], "patch", f"/api/v1/post-metrics/{snapshot.pk}/", {"likes": -5})

    assert errors == {"likes": [MIN_ZERO]}


@pytest.mark.parametrize("field", ["followers", "following", "posts_count"])
def test_negative_account_metrics_are_refused_under_their_field(world, refused, field):
    body = {"account": world.get("accounts", "alice").pk, "captured_on": "2024-04-01", field: -10}

    errors = refused(world.people["alice"], "post", "/api/v1/account-metrics/", body)

    assert errors == {field: [MIN_ZERO]}


def test_negative_audience_count_is_refused(world, refused):
    body = {
        "account": world.get("accounts", "alice").pk,
        "captured_on": "2024-04-01",
        "dimension": "age",
        "bucket": "25-34",
        "count": -3,
    }

    errors = refused(world.people["alice"], "post", "/api/v1/audience/", body)

    assert errors == {"count": [MIN_ZERO]}


def test_a_count_too_large_for_the_database_is_refused_rather_than_a_server_error(world, refused):
    body = {"post": world.get("posts", "alice").pk, "captured_on": "2024-04-01", "likes": 2**70}

    errors = refused(world.people["alice"], "post", "/api/v1/post-metrics/", body)

    assert list(errors) == ["likes"]


# Accounts: platform, owner and handle.


def new_account(world, **fields) -> dict:
    return {"platform": "twitter", "handle": "new_handle", "kind": "personal", **fields}


def test_unknown_platform_key_is_refused_under_platform(world, refused):
    body = new_account(world, platform="myspace", faculty=world.get("faculty", "alice").pk)

    errors = refused(world.people["alice"], "post", "/api/v1/accounts/", body)

    assert errors == {"platform": ["Object with key=myspace does not exist."]}


@pytest.mark.parametrize(
    ("kind", "owners", "expected"),
    [
        ("department", ["faculty"], {"faculty": "Leave this blank", "department": "needs this owner"}),
        ("program", ["institution"], {"institution": "Leave this blank", "department": "needs this owner"}),
        ("personal", [], {"faculty": "needs this owner"}),
        ("personal", ["faculty", "department"], {"department": "Leave this blank"}),
        ("institution", ["department"], {"department": "Leave this blank", "institution": "needs this owner"}),
    ],
    ids=[
        "department-owned-by-faculty",
        "program-owned-by-institution",
        "personal-without-owner",
        "two-owners",
        "institution-owned-by-department",
    ],
)
def test_an_owner_that_does_not_match_the_kind_is_refused_under_each_owner_field(
    world, refused, kind, owners, expected
):
    available = {
        "faculty": world.get("faculty", "alice").pk,
        "department": world.get("departments", "alice").pk,
        "institution": world.get("institutions", "alice").pk,
    }
    body = new_account(world, kind=kind, **{owner: available[owner] for owner in owners})

    errors = refused(world.people["nora"], "post", "/api/v1/accounts/", body)

    assert set(errors) == set(expected)
    for field, reason in expected.items():
        assert reason in errors[field][0]


def test_changing_the_kind_without_the_matching_owner_is_refused(world, refused):
    account = world.get("accounts", "alice")

    errors = refused(world.people["nora"], "patch", f"/api/v1/accounts/{account.pk}/", {"kind": "institution"})

    assert set(errors) == {"faculty", "institution"}


def test_owner_messages_read_as_sentences(world, refused):
    body = new_account(world, kind="institution", department=world.get("departments", "alice").pk)

    errors = refused(world.people["nora"], "post", "/api/v1/accounts/", body)

    assert errors["institution"] == ["An institution account needs this owner."]


@pytest.mark.parametrize("handle", ["ALICE_RADS", "Alice_Rads", "@alice_rads", " alice_rads "])
def test_a_handle_that_exists_on_the_platform_is_refused_under_handle_whatever_its_case(world, refused, handle):
    body = new_account(world, platform="instagram", handle=handle, faculty=world.get("faculty", "alice").pk)

    errors = refused(world.people["alice"], "post", "/api/v1/accounts/", body)

    assert errors == {"handle": [DUPLICATE_HANDLE]}


def test_a_handle_must_be_unique_on_the_platform_across_institutions(world, refused):
    # Sam's account is at Southbay; handles are the platform's, not the institution's.
    body = new_account(world, platform="instagram", handle="Sam_Southbay", faculty=world.get("faculty", "alice").pk)

    errors = refused(world.people["alice"], "post", "/api/v1/accounts/", body)

    assert errors == {"handle": [DUPLICATE_HANDLE]}


def test_renaming_an_account_to_a_taken_handle_is_refused_under_handle(world, refused):
    account = world.get("accounts", "peer")

    errors = refused(world.people["nora"], "patch", f"/api/v1/accounts/{account.pk}/", {"handle": "DANA_RADS"})

    assert errors == {"handle": [DUPLICATE_HANDLE]}


def test_the_same_handle_on_another_platform_is_accepted(world, api_client):
    body = new_account(world, platform="twitter", handle="Alice_Rads", faculty=world.get("faculty", "alice").pk)

    response = api_client(world.people["alice"]).post("/api/v1/accounts/", body)

    assert response.status_code == 201


# Posts and snapshots: dates.


def test_a_snapshot_dated_before_the_post_was_published_is_refused_under_captured_on(world, refused):
    # The post was published on 1 March 2024.
    body = {"post": world.get("posts", "alice").pk, "captured_on": "2024-02-29", "likes": 1}

    errors = refused(world.people["alice"], "post", "/api/v1/post-metrics/", body)

    assert errors == {"captured_on": ["A snapshot cannot be dated before the post was published."]}


def test_moving_a_snapshot_before_the_publication_day_is_refused(world, refused):
    snapshot = world.get("post-metrics", "alice")

    errors = refused(
        world.people["alice"], "patch", f"/api/v1/post-metrics/{snapshot.pk}/", {"captured_on": "2024-02-01"}
    )

    assert errors == {"captured_on": ["A snapshot cannot be dated before the post was published."]}


def test_a_snapshot_on_the_publication_day_is_accepted(world, api_client):
    body = {"post": world.get("posts", "alice").pk, "captured_on": "2024-03-01", "likes": 1}

    response = api_client(world.people["alice"]).post("/api/v1/post-metrics/", body)

    assert response.status_code == 201
    assert response.json()["source"] == "api"


def test_a_second_snapshot_of_a_post_on_the_same_day_is_refused(world, refused):
    body = {"post": world.get("posts", "alice").pk, "captured_on": "2024-03-08", "likes": 1}

    errors = refused(world.people["alice"], "post", "/api/v1/post-metrics/", body)

    assert messages(errors) == ["This post already has a snapshot on this day."]


def test_a_post_with_an_external_id_already_used_on_the_account_is_refused(world, refused):
    body = {
        "account": world.get("accounts", "alice").pk,
        "external_id": "alice-1",
        "published_at": "2024-04-01T12:00:00Z",
        "content_type": "image",
    }

    errors = refused(world.people["alice"], "post", "/api/v1/posts/", body)

    assert messages(errors) == ["This account already has a post with this external id."]


@pytest.mark.parametrize("published_at", ["yesterday", "2024-02-30T12:00:00Z", "2024-13-01", "01/03/2024 12:00"])
def test_a_malformed_publication_time_is_refused_under_published_at(world, refused, published_at):
    body = {
        "account": world.get("accounts", "alice").pk,
        "external_id": "new",
        "published_at": published_at,
        "content_type": "image",
    }

    errors = refused(world.people["alice"], "post", "/api/v1/posts/", body)

    assert list(errors) == ["published_at"]
    assert errors["published_at"][0].startswith("Datetime has wrong format.")


@pytest.mark.parametrize("resource", ["post-metrics", "account-metrics", "audience"])
@pytest.mark.parametrize("captured_on", ["2024-02-30", "01/04/2024", "last tuesday", "2024-04-01T00:00:00Z"])
def test_a_malformed_capture_day_is_refused_under_captured_on(world, refused, resource, captured_on):
    parent = {"post": world.get("posts", "alice").pk} if resource == "post-metrics" else {}
    body = {
        "account": world.get("accounts", "alice").pk,
        "dimension": "age",
        "bucket": "25-34",
        "count": 1,
        **parent,
        "captured_on": captured_on,
    }

    errors = refused(world.people["alice"], "post", f"/api/v1/{resource}/", body)

    assert errors == {"captured_on": [DATE_FORMAT]}


def test_a_malformed_appointment_date_is_refused(world, refused):
    body = {"faculty": world.get("faculty", "alice").pk, "department": world.get("departments", "peer").pk}

    errors = refused(world.people["nora"], "post", "/api/v1/appointments/", {**body, "start_date": "July 2020"})

    assert errors == {"start_date": [DATE_FORMAT]}


def test_an_appointment_that_ends_before_it_starts_is_refused(world, refused):
    body = {
        "faculty": world.get("faculty", "alice").pk,
        "department": world.get("departments", "peer").pk,
        "start_date": "2024-01-01",
        "end_date": "2023-12-31",
    }

    errors = refused(world.people["nora"], "post", "/api/v1/appointments/", body)

    assert messages(errors) == ["An appointment cannot end before it starts."]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"published_at_after": "not a time"}, "published_at"),
        ({"published_at_before": "2024-02-30T00:00:00Z"}, "published_at"),
    ],
)
def test_a_malformed_date_filter_is_refused_rather_than_ignored(world, api_client, params, field):
    response = api_client(world.people["alice"]).get("/api/v1/posts/", params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("resource", ["post-metrics", "account-metrics", "audience"])
def test_a_malformed_capture_day_filter_is_refused_rather_than_ignored(world, api_client, resource):
    response = api_client(world.people["alice"]).get(f"/api/v1/{resource}/", {"captured_on_after": "2024-02-30"})

    assert response.status_code == 400
    assert list(response.json()) == ["captured_on"]


# Vocabulary.


@pytest.mark.parametrize(
    ("field", "value"),
    [("content_type", "hologram"), ("category", "gossip")],
)
def test_a_value_outside_the_vocabulary_is_refused_with_its_field(world, refused, field, value):
    body = {
        "account": world.get("accounts", "alice").pk,
        "external_id": "new",
        "published_at": "2024-04-01T12:00:00Z",
        "content_type": "image",
        field: value,
    }

    errors = refused(world.people["alice"], "post", "/api/v1/posts/", body)

    assert errors == {field: [f'"{value}" is not a valid choice.']}


def test_an_unknown_audience_dimension_is_refused(world, refused):
    body = {
        "account": world.get("accounts", "alice").pk,
        "captured_on": "2024-04-01",
        "dimension": "star_sign",
        "bucket": "Leo",
        "count": 3,
    }

    errors = refused(world.people["alice"], "post", "/api/v1/audience/", body)

    assert errors == {"dimension": ['"star_sign" is not a valid choice.']}


def test_a_new_post_without_its_required_fields_is_told_which(world, refused):
    errors = refused(world.people["alice"], "post", "/api/v1/posts/", {})

    assert set(errors) == {"account", "external_id", "published_at", "content_type"}
    assert errors["account"] == ["This field is required."]


# People: ORCID, e-mail.

WRONG_CHECK_DIGIT = "This ORCID iD has a wrong check digit; copy it again from orcid.org."


def test_an_orcid_with_a_wrong_check_digit_is_refused_under_orcid(world, refused):
    faculty = world.get("faculty", "alice")

    errors = refused(world.people["nora"], "patch", f"/api/v1/faculty/{faculty.pk}/", {"orcid": "0000-0002-1825-0098"})

    assert errors == {"orcid": [WRONG_CHECK_DIGIT]}


def test_a_new_faculty_member_with_a_wrong_orcid_check_digit_is_refused(world, refused):
    body = {
        "name": "New Person",
        "email": "new@example.org",
        "orcid": "0000-0002-1825-0098",
        "department": world.get("departments", "alice").pk,
    }

    errors = refused(world.people["nora"], "post", "/api/v1/faculty/", body)

    assert errors == {"orcid": [WRONG_CHECK_DIGIT]}


@pytest.mark.parametrize("orcid", ["0000-0002-1825-009", "0000000218250097", "0000-0002-1825-009Y"])
def test_an_orcid_in_the_wrong_shape_is_refused(world, refused, orcid):
    faculty = world.get("faculty", "alice")

    errors = refused(world.people["nora"], "patch", f"/api/v1/faculty/{faculty.pk}/", {"orcid": orcid})

    assert errors == {"orcid": ["Enter an ORCID iD like 0000-0002-1825-0097."]}


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0097", "0000-0002-9079-593X"])
def test_a_valid_orcid_is_accepted(world, api_client, orcid):
    faculty = world.get("faculty", "alice")

    response = api_client(world.people["nora"]).patch(f"/api/v1/faculty/{faculty.pk}/", {"orcid": orcid})

    assert response.status_code == 200
    assert response.json()["orcid"] == orcid


def test_an_orcid_already_held_by_someone_else_is_refused_under_orcid(world, api_client, refused):
    client = api_client(world.people["nora"])
    client.patch(f"/api/v1/faculty/{world.get('faculty', 'alice').pk}/", {"orcid": "0000-0002-1825-0097"})
    peter = world.get("faculty", "peer")

    errors = refused(world.people["nora"], "patch", f"/api/v1/faculty/{peter.pk}/", {"orcid": "0000-0002-1825-0097"})

    assert list(errors) == ["orcid"]


def test_an_email_already_used_by_another_faculty_member_is_refused_under_email(world, refused):
    body = {
        "name": "Alice Again",
        "email": "ALICE@northfield.example",
        "department": world.get("departments", "alice").pk,
    }

    errors = refused(world.people["nora"], "post", "/api/v1/faculty/", body)

    assert list(errors) == ["email"]


def test_a_new_faculty_member_needs_a_name_and_an_email(world, refused):
    body = {"email": "not an email", "department": world.get("departments", "alice").pk}

    errors = refused(world.people["nora"], "post", "/api/v1/faculty/", body)

    assert errors == {"name": ["This field is required."], "email": ["Enter a valid email address."]}


# Roles.


def test_a_membership_whose_department_belongs_to_another_institution_is_refused(world, refused):
    body = {
        "user": world.people["peter"].pk,
        "institution": world.get("institutions", "alice").pk,
        "department": world.get("departments", "southbay").pk,
        "role": "reviewer",
    }

    # Root sees both institutions, so the department exists for him: the rule itself answers.
    errors = refused(world.people["root"], "post", "/api/v1/memberships/", body)

    assert errors == {"department": ["This department belongs to another institution."]}


@pytest.mark.parametrize(
    ("person", "role", "message"),
    [
        ("peter", "admin", "An admin role covers a whole institution: leave the department blank."),
        ("bob", "reviewer", "This user already has a role in this department."),
    ],
    ids=["an_admin_role_with_a_department", "a_second_role_for_the_same_person_and_department"],
)
def test_these_roles_in_a_department_are_refused(world, refused, person, role, message):
    body = {
        "user": world.people[person].pk,
        "institution": world.get("institutions", "alice").pk,
        "department": world.get("departments", "alice").pk,
        "role": role,
    }

    errors = refused(world.people["nora"], "post", "/api/v1/memberships/", body)

    assert messages(errors) == [message]


def test_giving_a_department_to_an_admin_role_is_refused(world, refused):
    admin_role = world.people["nora"].memberships.get()

    errors = refused(
        world.people["nora"],
        "patch",
        f"/api/v1/memberships/{admin_role.pk}/",
        {"department": world.get("departments", "alice").pk},
    )

    assert messages(errors) == ["An admin role covers a whole institution: leave the department blank."]


def test_an_unknown_role_is_refused(world, refused):
    body = {"user": world.people["peter"].pk, "institution": world.get("institutions", "alice").pk, "role": "owner"}

    errors = refused(world.people["nora"], "post", "/api/v1/memberships/", body)

    assert errors == {"role": ['"owner" is not a valid choice.']}


# Institutions.


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus_Mons", '"Mars/Olympus_Mons" is not a valid choice.'),
        ("country", "XX", '"XX" is not a valid choice.'),
    ],
)
def test_an_institution_with_an_unknown_time_zone_or_country_is_refused(world, refused, field, value, message):
    body = {"name": "Eastgate", "slug": "eastgate", "country": "US", "timezone": "UTC", field: value}

    errors = refused(world.people["root"], "post", "/api/v1/institutions/", body)

    assert errors == {field: [message]}


def test_a_department_slug_already_used_in_the_institution_is_refused(world, refused):
    body = {"institution": world.get("institutions", "alice").pk, "name": "Radiology Two", "slug": "radiology"}

    errors = refused(world.people["nora"], "post", "/api/v1/departments/", body)

    assert errors == {"non_field_errors": ["The fields institution, slug must make a unique set."]}
