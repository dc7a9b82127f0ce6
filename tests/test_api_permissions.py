"""
The permission matrix of the API: every role x every resource x every method,
on objects at each place that matters (the targets of `tests/api_fixtures.py`).

The tables below are the design's permission table, written per target:
- superuser: everything;
- institution admin: reads and changes everything of their institution, roles included;
- department reviewer: reads their departments, changes nothing (403);
- faculty member: reads their own data and changes their own accounts, posts and snapshots;
  their faculty record, appointments, departments and institution are read-only (403);
- anonymous: nothing (401 or 403).
What a person may not see answers 404, on read and on write alike, so that another
institution's objects (and, for a faculty member, a colleague's) do not reveal that
they exist. A refused write writes nothing.
"""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Appointment
from accounts.models import Department
from accounts.models import Faculty
from accounts.models import Institution
from accounts.models import Membership
from accounts.models import SocialAccount
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import Post
from metrics.models import PostMetrics
from portfolio.dossiers.models import Activity
from portfolio.dossiers.models import Dossier
from tests.factories import PASSWORD

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "alice", "bob", "nora", "charlie", "root")
# Every scoped resource, by its path under /api/v1/.
MODELS = {
    "institutions": Institution,
    "departments": Department,
    "users": get_user_model(),
    "memberships": Membership,
    "faculty": Faculty,
    "appointments": Appointment,
    "accounts": SocialAccount,
    "posts": Post,
    "post-metrics": PostMetrics,
    "account-metrics": AccountMetrics,
    "audience": AudienceSnapshot,
    "dossiers": Dossier,
    "activities": Activity,
}
# The targets that hold an object of each resource in the `world` fixture.
TARGETS = {
    "institutions": ("alice", "southbay"),
    "departments": ("alice", "peer", "southbay"),
    "users": ("alice", "peer", "southbay"),
    "memberships": ("alice", "peer", "southbay"),
    "faculty": ("alice", "peer", "dana", "southbay"),
    "appointments": ("alice", "peer", "southbay"),
    "accounts": ("alice", "peer", "dana", "southbay"),
    "posts": ("alice", "peer", "dana", "southbay"),
    "post-metrics": ("alice", "peer", "dana", "southbay"),
    "account-metrics": ("alice", "peer", "dana", "southbay"),
    "audience": ("alice", "peer", "dana", "southbay"),
    "dossiers": ("alice", "peer", "dana", "southbay"),
    "activities": ("alice", "peer", "dana", "southbay"),
}

# Who reads the objects at each target.
READERS = {
    "alice": {"alice", "bob", "nora", "root"},
    "peer": {"nora", "root"},
    "dana": {"bob", "nora", "charlie", "root"},
    "southbay": {"charlie", "root"},
}
# Where that table does not hold: Alice holds no role, so Bob's role in her department is not hers to read.
# And the world's dossiers are drafts, which reviewers read only once submitted (test_dossier_lifecycle.py).
READERS_OF = {
    ("memberships", "alice"): {"bob", "nora", "root"},
    ("dossiers", "alice"): {"alice", "nora", "root"},
    ("dossiers", "dana"): {"nora", "charlie", "root"},
}
# Who changes the objects at each target, whatever the resource...
ADMINS = {
    "alice": {"nora", "root"},
    "peer": {"nora", "root"},
    "dana": {"nora", "charlie", "root"},
    "southbay": {"charlie", "root"},
}
# ...and the faculty member, on these resources of her own.
FACULTY_CHANGES = {"accounts", "posts", "post-metrics", "account-metrics", "audience", "dossiers", "activities"}
# Logins are managed by admins: everyone else is refused the whole endpoint.
ADMIN_ONLY = {"users": {"nora", "charlie", "root"}}
ANONYMOUS = {401, 403}
# A department or institution still in use (appointments, departments) is not deleted: 409, with the reason.
STILL_IN_USE = {"institutions", "departments"}


def readers(resource: str, target: str) -> set[str]:
    return READERS_OF.get((resource, target), READERS[target])


def writers(resource: str, target: str) -> set[str]:
    return ADMINS[target] | ({"alice"} if target == "alice" and resource in FACULTY_CHANGES else set())


def writes_resource(role: str, resource: str) -> bool:
    """Whether the role changes any row of this resource at all."""
    return role in {"nora", "charlie", "root"} or (role == "alice" and resource in FACULTY_CHANGES)


def refused_endpoint(role: str, resource: str) -> set[int] | None:
    if role == "anonymous":
        return ANONYMOUS
    if resource in ADMIN_ONLY and role not in ADMIN_ONLY[resource]:
        return {403}
    return None


def expected_read(role: str, resource: str, target: str) -> set[int]:
    return refused_endpoint(role, resource) or ({200} if role in readers(resource, target) else {404})


def expected_change(role: str, resource: str, target: str, success: int) -> set[int]:
    if refused := refused_endpoint(role, resource):
        return refused
    if role not in readers(resource, target):
        return {404}
    if role not in writers(resource, target):
        return {403}
    if success == 204 and resource in STILL_IN_USE:
        return {409}
    return {success}


def expected_create(role: str, resource: str, target: str) -> set[int]:
    if refused := refused_endpoint(role, resource):
        return refused
    if not writes_resource(role, resource):
        return {403}
    if role not in readers(resource, target):
        # The body names objects the user cannot see: they "do not exist".
        return {400}
    if role not in writers(resource, target):
        return {403}
    return {201}


# A small valid change to an object of each resource.
CHANGES = {
    "institutions": {"name": "Renamed University"},
    "departments": {"name": "Renamed Department"},
    "users": {"first_name": "Renamed"},
    "memberships": {"department": None},
    "faculty": {"rank": "professor"},
    "appointments": {"title": "Section Chief"},
    "accounts": {"display_name": "Renamed"},
    "posts": {"highlight_note": "Most shared case of the year."},
    "post-metrics": {"likes": 999},
    "account-metrics": {"followers": 12345},
    "audience": {"count": 777},
    "dossiers": {"title": "Renamed dossier"},
    "activities": {"title": "Renamed activity"},
}
# Creating an institution or a login names no target.
CREATE_WITHOUT_TARGET = {
    "institutions": {"alice": {403}, "bob": {403}, "nora": {403}, "charlie": {403}, "root": {201}},
    "users": {"alice": {403}, "bob": {403}, "nora": {201}, "charlie": {201}, "root": {201}},
}
# These bodies place the new object in the department of the target's appointment.
IN_A_DEPARTMENT = {"departments", "memberships", "faculty", "appointments"}
# Where a new object is created: the targets that hold one already, or, for a body in a department, those
# with an appointment; a new department names only its institution, which Peter shares with Alice.
CREATE_TARGETS = {
    resource: TARGETS["appointments"] if resource in IN_A_DEPARTMENT else targets
    for resource, targets in TARGETS.items()
    if resource not in CREATE_WITHOUT_TARGET
} | {"departments": ("alice", "southbay")}


def new_object(world, resource: str, target: str | None, creator=None) -> dict:
    """A request body that creates an object of `resource` belonging to `target`."""
    if resource == "institutions":
        return {"name": "Eastgate University", "slug": "eastgate", "country": "US", "timezone": "UTC"}
    if resource == "users":
        body = {"username": "newcomer", "email": "newcomer@example.org", "password": "an-unusual-Passphrase-42"}
        admin_of = Membership.objects.filter(user=creator, role="admin").values_list("institution", flat=True)
        # An institution admin's new login belongs to her institution from the start.
        return body | ({"role": "reviewer", "institution": admin_of[0]} if creator and admin_of else {})
    if resource in IN_A_DEPARTMENT:
        department = world.get("appointments", target).department
        return {
            "departments": {"institution": department.institution_id, "name": "Cardiology", "slug": "cardiology"},
            "memberships": {
                "user": world.get("users", target).pk,
                "institution": department.institution_id,
                "department": department.pk,
                "role": "reviewer",
            },
            "faculty": {"name": "New Person", "email": "new.person@example.org", "department": department.pk},
            "appointments": {
                "faculty": world.get("faculty", target).pk,
                "department": department.pk,
                "title": "Visiting",
            },
        }[resource]
    if resource == "accounts":
        return {
            "platform": "bluesky",
            "handle": f"new_{target}",
            "kind": "personal",
            "faculty": world.get("faculty", target).pk,
        }
    if resource == "posts":
        account = world.get("accounts", target)
        return {
            "account": account.pk,
            "external_id": "new-1",
            "published_at": "2024-04-01T12:00:00Z",
            "content_type": "image",
        }
    if resource == "dossiers":
        return {
            "faculty": world.get("faculty", target).pk,
            "title": "Promotion to Professor",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "as_of": "2025-01-01",
        }
    if resource == "activities":
        return {
            "faculty": world.get("faculty", target).pk,
            "kind": "peer_review",
            "title": "Reviewer, online case collection",
            "started_on": "2024-02-01",
        }
    if resource == "post-metrics":
        return {"post": world.get("posts", target).pk, "captured_on": "2024-04-01", "likes": 1}
    account = world.get("accounts", target)
    if resource == "account-metrics":
        return {"account": account.pk, "captured_on": "2024-04-01", "followers": 600}
    return {"account": account.pk, "captured_on": "2024-04-01", "dimension": "age", "bucket": "25-34", "count": 5}


def url(resource: str, pk: int | None = None) -> str:
    return f"/api/v1/{resource}/" if pk is None else f"/api/v1/{resource}/{pk}/"


def table_state(model) -> list[dict]:
    """Every row of a table, to compare before and after a refused write."""
    return list(model.objects.order_by("pk").values())


def case(*values):
    return pytest.param(*values, id="-".join(value for value in values[:3] if isinstance(value, str)))


def list_cases():
    for resource in MODELS:
        for role in ROLES:
            refused = refused_endpoint(role, resource)
            sees = None if refused else {target for target in TARGETS[resource] if role in readers(resource, target)}
            yield case(role, resource, refused or {200}, sees)


def read_cases():
    for resource in MODELS:
        for target in TARGETS[resource]:
            for role in ROLES:
                yield case(role, resource, target, expected_read(role, resource, target))


def change_cases(success: int):
    for resource in MODELS:
        for target in TARGETS[resource]:
            for role in ROLES:
                yield case(role, resource, target, expected_change(role, resource, target, success))


def create_cases():
    for resource, expectations in CREATE_WITHOUT_TARGET.items():
        for role in ROLES:
            yield case(role, resource, None, expectations.get(role, ANONYMOUS))
    for resource, targets in CREATE_TARGETS.items():
        for target in targets:
            for role in ROLES:
                yield case(role, resource, target, expected_create(role, resource, target))


@pytest.mark.parametrize(("role", "resource", "statuses", "sees"), list(list_cases()))
def test_list_shows_each_role_exactly_what_it_may_read(world, api_client, role, resource, statuses, sees):
    response = api_client(world.people[role]).get(url(resource))

    assert response.status_code in statuses, response.content
    if sees is None:
        assert set(response.json()) == {"detail"}
        return
    listed = {row["id"] for row in response.json()["results"]}
    assert {target for target in TARGETS[resource] if world.get(resource, target).pk in listed} == sees


@pytest.mark.parametrize(("role", "resource", "target", "statuses"), list(read_cases()))
def test_detail_answers_each_role_by_the_table(world, api_client, role, resource, target, statuses):
    obj = world.get(resource, target)

    response = api_client(world.people[role]).get(url(resource, obj.pk))

    assert response.status_code in statuses, response.content
    if response.status_code == 200:
        assert response.json()["id"] == obj.pk
    else:
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(("role", "resource", "target", "statuses"), list(create_cases()))
def test_create_answers_each_role_by_the_table_and_writes_only_when_allowed(
    world, api_client, role, resource, target, statuses
):
    model = MODELS[resource]
    before = table_state(model)

    creator = world.people[role]
    response = api_client(creator).post(url(resource), new_object(world, resource, target, creator))

    assert response.status_code in statuses, response.content
    if response.status_code == 201:
        assert model.objects.count() == len(before) + 1
        assert model.objects.filter(pk=response.json()["id"]).exists()
    else:
        assert table_state(model) == before


@pytest.mark.parametrize(("role", "resource", "target", "statuses"), list(change_cases(success=200)))
def test_change_answers_each_role_by_the_table_and_writes_only_when_allowed(
    world, api_client, role, resource, target, statuses
):
    model = MODELS[resource]
    obj = world.get(resource, target)
    before = table_state(model)

    response = api_client(world.people[role]).patch(url(resource, obj.pk), CHANGES[resource])

    assert response.status_code in statuses, response.content
    if response.status_code == 200:
        assert model.objects.filter(pk=obj.pk).values(*CHANGES[resource]).get() == CHANGES[resource]
    else:
        assert table_state(model) == before


@pytest.mark.parametrize(("role", "resource", "target", "statuses"), list(change_cases(success=204)))
def test_delete_answers_each_role_by_the_table_and_deletes_only_when_allowed(
    world, api_client, role, resource, target, statuses
):
    model = MODELS[resource]
    obj = world.get(resource, target)
    before = table_state(model)

    response = api_client(world.people[role]).delete(url(resource, obj.pk))

    assert response.status_code in statuses, response.content
    if response.status_code == 204:
        assert not model.objects.filter(pk=obj.pk).exists()
    else:
        assert table_state(model) == before


# The rows of the design's permission table, one sentence each (the matrix above holds them all).


def test_reviewer_cannot_change_posts_of_their_department(world, api_client):
    post = world.get("posts", "alice")
    client = api_client(world.people["bob"])

    assert client.get(url("posts", post.pk)).status_code == 200
    assert client.patch(url("posts", post.pk), {"highlight_note": "Bob was here."}).status_code == 403
    post.refresh_from_db()
    assert post.highlight_note == ""


def test_faculty_member_changes_her_posts_but_not_her_faculty_record(world, api_client):
    client = api_client(world.people["alice"])
    post, faculty = world.get("posts", "alice"), world.get("faculty", "alice")

    assert client.patch(url("posts", post.pk), {"highlight_note": "Most shared case."}).status_code == 200
    assert client.patch(url("faculty", faculty.pk), {"rank": "professor"}).status_code == 403
    faculty.refresh_from_db()
    assert faculty.rank == "assistant"


def test_institution_admin_gives_roles_at_their_institution(world, api_client):
    body = {
        "user": world.people["peter"].pk,
        "institution": world.get("institutions", "alice").pk,
        "department": world.get("departments", "alice").pk,
        "role": "reviewer",
    }

    response = api_client(world.people["nora"]).post(url("memberships"), body)

    assert response.status_code == 201
    assert Membership.objects.filter(user=world.people["peter"], role="reviewer").count() == 1


def test_faculty_member_does_not_see_a_colleagues_posts(world, api_client):
    client = api_client(world.people["alice"])

    listed = {row["id"] for row in client.get(url("posts")).json()["results"]}

    assert listed == {world.get("posts", "alice").pk}
    assert client.get(url("posts", world.get("posts", "peer").pk)).status_code == 404


# Another institution's objects are indistinguishable from objects that do not exist.

UNKNOWN_ID = 987654


@pytest.mark.parametrize("resource", [resource for resource in MODELS if "southbay" in TARGETS[resource]])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_institutions_object_answers_exactly_as_a_missing_one(world, api_client, resource, method):
    client = api_client(world.people["nora"])
    southbay_object = world.get(resource, "southbay")

    body = CHANGES[resource] if method == "patch" else None

    hidden = getattr(client, method)(url(resource, southbay_object.pk), body)
    missing = getattr(client, method)(url(resource, UNKNOWN_ID), body)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_another_institutions_account_engagement_answers_exactly_as_a_missing_one(world, api_client):
    client = api_client(world.people["charlie"])

    hidden = client.get(f"/api/v1/accounts/{world.get('accounts', 'alice').pk}/engagement/")
    missing = client.get(f"/api/v1/accounts/{UNKNOWN_ID}/engagement/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize(
    ("resource", "name", "target"),
    [
        ("posts", "institution", "institutions"),
        ("posts", "department", "departments"),
        ("accounts", "institution", "institutions"),
        ("faculty", "department", "departments"),
        ("post-metrics", "institution", "institutions"),
        ("audience", "department", "departments"),
        ("appointments", "institution", "institutions"),
        ("posts", "faculty", "faculty"),
        ("posts", "account", "accounts"),
        ("departments", "institution", "institutions"),
        ("memberships", "department", "departments"),
    ],
)
def test_filtering_by_another_institutions_id_answers_as_an_unknown_id_does(world, api_client, resource, name, target):
    client = api_client(world.people["nora"])

    hidden = client.get(url(resource), {name: world.get(target, "southbay").pk})
    missing = client.get(url(resource), {name: UNKNOWN_ID})

    assert hidden.status_code == missing.status_code
    assert hidden.json() == missing.json()


# Dana holds appointments at Northfield and at Southbay: both admins see her and her data.


@pytest.mark.parametrize("admin", ["nora", "charlie"])
@pytest.mark.parametrize("resource", ["faculty", "accounts", "posts", "post-metrics", "account-metrics", "audience"])
def test_faculty_member_with_two_appointments_is_visible_to_both_admins(world, api_client, admin, resource):
    client = api_client(world.people[admin])
    dana_object = world.get(resource, "dana")

    listed = {row["id"] for row in client.get(url(resource), {"page_size": 200}).json()["results"]}

    assert dana_object.pk in listed
    assert client.get(url(resource, dana_object.pk)).status_code == 200


@pytest.mark.parametrize("admin", ["nora", "charlie"])
def test_both_admins_may_correct_the_data_of_a_faculty_member_they_share(world, api_client, admin):
    account = world.get("accounts", "dana")

    response = api_client(world.people[admin]).patch(url("accounts", account.pk), {"display_name": f"By {admin}"})

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.display_name == f"By {admin}"


@pytest.mark.parametrize(
    ("admin", "sees", "hidden"), [("nora", "northfield", "southbay"), ("charlie", "southbay", "northfield")]
)
def test_each_admin_sees_only_the_appointment_of_a_shared_faculty_member_at_their_institution(
    world, api_client, dana, admin, sees, hidden
):
    appointments = {
        a.department.institution.slug: a for a in dana.appointments.select_related("department__institution")
    }
    client = api_client(world.people[admin])

    listed = {row["id"] for row in client.get(url("appointments"), {"faculty": dana.pk}).json()["results"]}

    assert listed == {appointments[sees].pk}
    assert client.get(url("appointments", appointments[hidden].pk)).status_code == 404


def test_reviewer_of_a_shared_department_reads_the_shared_faculty_member(world, api_client):
    response = api_client(world.people["bob"]).get(url("faculty", world.get("faculty", "dana").pk))

    assert response.status_code == 200


# Writes that would move an object where the user cannot see answer 400 ("does not exist") and write nothing.

MOVES = [
    ("nora", "accounts", "alice", {"kind": "department", "faculty": None, "department": ("departments", "southbay")}),
    ("nora", "accounts", "peer", {"faculty": ("faculty", "southbay")}),
    ("nora", "posts", "alice", {"account": ("accounts", "southbay")}),
    ("nora", "post-metrics", "alice", {"post": ("posts", "southbay")}),
    ("nora", "account-metrics", "alice", {"account": ("accounts", "southbay")}),
    ("nora", "audience", "alice", {"account": ("accounts", "southbay")}),
    ("nora", "departments", "peer", {"institution": ("institutions", "southbay")}),
    ("nora", "appointments", "peer", {"department": ("departments", "southbay")}),
    ("nora", "memberships", "peer", {"institution": ("institutions", "southbay"), "department": None}),
    ("nora", "faculty", "peer", {"user": ("users", "southbay")}),
    ("charlie", "accounts", "dana", {"kind": "department", "faculty": None, "department": ("departments", "alice")}),
    ("charlie", "posts", "dana", {"account": ("accounts", "alice")}),
    ("alice", "accounts", "alice", {"faculty": ("faculty", "dana")}),
    ("alice", "posts", "alice", {"account": ("accounts", "peer")}),
    ("alice", "post-metrics", "alice", {"post": ("posts", "peer")}),
]


def resolve(world, change: dict) -> dict:
    return {name: world.get(*value).pk if isinstance(value, tuple) else value for name, value in change.items()}


@pytest.mark.parametrize(
    ("role", "resource", "target", "change"),
    [pytest.param(*move, id=f"{move[0]}-{move[1]}-{'-'.join(move[3])}") for move in MOVES],
)
def test_moving_an_object_to_a_place_the_user_cannot_see_is_refused_as_does_not_exist(
    world, api_client, role, resource, target, change
):
    model = MODELS[resource]
    obj = world.get(resource, target)
    before = table_state(model)
    moved_to = [name for name, value in change.items() if isinstance(value, tuple)]

    response = api_client(world.people[role]).patch(url(resource, obj.pk), resolve(world, change))

    assert response.status_code == 400, response.content
    assert set(response.json()) == set(moved_to)
    assert all("does not exist" in response.json()[name][0] for name in moved_to)
    assert table_state(model) == before


def test_creating_faculty_in_another_institutions_department_is_refused_as_does_not_exist(world, api_client):
    body = {"name": "New Person", "email": "new@example.org", "department": world.get("departments", "southbay").pk}
    before = table_state(Faculty), table_state(Appointment)

    response = api_client(world.people["nora"]).post(url("faculty"), body)

    assert response.status_code == 400
    assert "does not exist" in response.json()["department"][0]
    assert (table_state(Faculty), table_state(Appointment)) == before


def test_faculty_member_cannot_hand_her_account_to_her_department(world, api_client):
    account = world.get("accounts", "alice")
    before = table_state(SocialAccount)
    change = {"kind": "department", "faculty": None, "department": world.get("departments", "alice").pk}

    response = api_client(world.people["alice"]).patch(url("accounts", account.pk), change)

    # She sees her department, but a department account is not hers to own: her role does not allow it.
    assert response.status_code == 403
    assert table_state(SocialAccount) == before


def test_admin_creates_faculty_only_with_a_department(world, api_client):
    before = table_state(Faculty)

    response = api_client(world.people["nora"]).post(url("faculty"), {"name": "Nobody", "email": "nobody@example.org"})

    assert response.status_code == 403
    assert "department" in response.json()["detail"]
    assert table_state(Faculty) == before


def test_admin_may_not_manage_the_login_of_a_superuser(world, api_client):
    root = world.people["root"]

    response = api_client(world.people["nora"]).patch(url("users", root.pk), {"first_name": "Hacked"})

    assert response.status_code == 404
    root.refresh_from_db()
    assert root.first_name == ""


def test_admin_may_not_change_a_login_that_also_has_a_role_elsewhere(world, api_client):
    # Nina reviews at Northfield and, from now on, at Southbay too: only a superuser changes her login.
    nina = Membership.objects.get(pk=world.get("memberships", "peer").pk).user
    Membership.objects.create(user=nina, institution=world.get("institutions", "southbay"), role="reviewer")

    response = api_client(world.people["nora"]).patch(url("users", nina.pk), {"password": "a-new-Passphrase-42"})

    assert response.status_code == 403
    nina.refresh_from_db()
    assert nina.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("person", "institution", "role", "refused_field"),
    [("peter", "southbay", "admin", "institution"), ("sam", "alice", "reviewer", "user")],
    ids=["at_another_institution", "to_another_institutions_person"],
)
def test_admin_may_not_give_a_role_beyond_her_institution(world, api_client, person, institution, role, refused_field):
    body = {"user": world.people[person].pk, "institution": world.get("institutions", institution).pk, "role": role}
    before = table_state(Membership)

    response = api_client(world.people["nora"]).post(url("memberships"), body)

    assert response.status_code == 400
    assert "does not exist" in response.json()[refused_field][0]
    assert table_state(Membership) == before


def test_superuser_deletes_a_department_no_one_is_appointed_to(world, api_client):
    empty = Department.objects.create(institution=world.get("institutions", "alice"), name="Archive", slug="archive")

    response = api_client(world.people["root"]).delete(url("departments", empty.pk))

    assert response.status_code == 204
    assert not Department.objects.filter(pk=empty.pk).exists()


def test_deleting_a_department_that_still_has_appointments_is_refused_with_the_reason(world, api_client):
    radiology = world.get("departments", "alice")
    before = table_state(Department)

    response = api_client(world.people["nora"]).delete(url("departments", radiology.pk))

    assert response.status_code == 409
    assert "appointments" in response.json()["detail"]
    assert table_state(Department) == before
