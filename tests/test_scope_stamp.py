"""
The scope stamp (`accounts/scope_stamp.py`): every write that may change who sees what gives it a new value, at
every door (saves, queryset updates, bulk creates, deletes and their cascades); other writes leave it alone. What
a process remembers of a user's scope under a stamp is used only while the stamp holds, and only outside a
transaction; a user signed in by session or by token comes with the stamp.

Nora administers Northfield; Alice is faculty in Northfield radiology and owns `alice_rads` on Instagram.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import scope_stamp
from accounts.access import access_for
from accounts.models import Appointment
from accounts.models import Department
from accounts.models import Faculty
from accounts.models import Membership
from accounts.models import SocialAccount
from tests.factories import AppointmentFactory
from tests.factories import DepartmentFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def scope_changing_writes():
    """(name, write(objects)): each changes who sees what."""
    return [
        ("a role given", lambda o: MembershipFactory(user=o["alice"], institution=o["southbay"], role="admin")),
        ("a role changed", lambda o: Membership.objects.filter(user=o["nora"]).update(role="reviewer")),
        ("a role taken away", lambda o: Membership.objects.filter(user=o["nora"]).delete()),
        ("a faculty record given a login", lambda o: FacultyFactory(name="New", user=UserFactory())),
        ("a faculty record's login changed", lambda o: Faculty.objects.filter(pk=o["faculty"].pk).update(user=None)),
        ("an appointment added", lambda o: AppointmentFactory(faculty=o["faculty"], department=o["southbay_rad"])),
        (
            "an appointment moved",
            lambda o: Appointment.objects.filter(faculty=o["faculty"]).update(department=o["southbay_rad"]),
        ),
        ("an appointment ended", lambda o: Appointment.objects.filter(faculty=o["faculty"]).delete()),
        ("a department added", lambda o: DepartmentFactory(institution=o["southbay"], name="Urology", slug="urology")),
        (
            "a department moved",
            lambda o: Department.objects.filter(pk=o["southbay_surgery"].pk).update(institution=o["northfield"]),
        ),
        ("an account added", lambda o: SocialAccountFactory(handle="new_account", faculty=o["faculty"])),
        (
            "an account given another owner",
            lambda o: SocialAccount.objects.filter(pk=o["account"].pk).update(
                kind="institution", faculty=None, institution=o["southbay"]
            ),
        ),
        ("an account deleted", lambda o: SocialAccount.objects.filter(pk=o["account"].pk).delete()),
        ("a faculty record deleted, with its accounts", lambda o: o["faculty"].delete()),
        (
            "roles given in bulk",
            lambda o: Membership.objects.bulk_create(
                [Membership(user=o["alice"], institution=o["northfield"], role="admin")]
            ),
        ),
    ]


def scope_keeping_writes():
    """(name, write(objects)): none changes who sees what."""
    return [
        ("an account renamed", lambda o: SocialAccount.objects.filter(pk=o["account"].pk).update(display_name="New")),
        ("a faculty record renamed", lambda o: Faculty.objects.filter(pk=o["faculty"].pk).update(name="Alice B.")),
        ("a post added", lambda o: PostFactory(account=o["account"])),
        ("a snapshot added", lambda o: PostMetricsFactory(post=PostFactory(account=o["account"]))),
        ("a login renamed", lambda o: get_user_model().objects.filter(pk=o["alice"].pk).update(first_name="Al")),
    ]


@pytest.fixture
def objects(nora, alice_instagram, southbay_radiology):
    alice = alice_instagram.faculty.user
    southbay = southbay_radiology.institution
    return {
        "nora": nora,
        "alice": alice,
        "faculty": alice_instagram.faculty,
        "account": alice_instagram,
        "northfield": alice_instagram.faculty.appointments.get().department.institution,
        "southbay": southbay,
        "southbay_rad": southbay_radiology,
        "southbay_surgery": DepartmentFactory(institution=southbay, name="Surgery", slug="surgery"),
    }


@pytest.mark.parametrize(("name", "write"), scope_changing_writes(), ids=[name for name, _ in scope_changing_writes()])
def test_a_write_that_may_change_scope_gives_the_stamp_a_new_value(objects, name, write):
    before = scope_stamp.current()
    write(objects)
    assert scope_stamp.current() not in (None, before)


@pytest.mark.parametrize(("name", "write"), scope_keeping_writes(), ids=[name for name, _ in scope_keeping_writes()])
def test_other_writes_leave_the_stamp_alone(objects, name, write):
    before = scope_stamp.current()
    write(objects)
    assert scope_stamp.current() == before


def test_a_save_that_changes_no_scope_column_leaves_the_stamp_alone(objects):
    """Django's save() writes every column; only a changed value of a scope column counts."""
    before = scope_stamp.current()
    account, faculty = objects["account"], objects["faculty"]
    account.display_name = "Alice on Instagram"
    account.save()
    faculty.name = "Alice B. Adams"
    faculty.save()
    objects["southbay_surgery"].save()
    Membership.objects.get(user=objects["nora"]).save()
    Membership.objects.filter(user=objects["alice"]).delete()  # matches nothing
    assert scope_stamp.current() == before
    account.faculty = None
    account.kind, account.institution = "institution", objects["southbay"]
    account.save()
    assert scope_stamp.current() != before


def test_the_triggers_and_the_row_are_installed_by_migrate():
    assert set(scope_stamp.installed_triggers()) == set(scope_stamp.triggers(connection))
    assert scope_stamp.current() is not None
    assert scope_stamp.install() is False


def test_install_replaces_triggers_of_older_definitions(monkeypatch):
    """A column added to WATCHED renames every trigger (a digest of the definitions), so migrate replaces them."""
    watched = {**scope_stamp.WATCHED, Faculty: ("user_id", "name")}
    monkeypatch.setattr(scope_stamp, "WATCHED", watched)
    before = scope_stamp.current()

    assert scope_stamp.install() is True

    assert set(scope_stamp.installed_triggers()) == set(scope_stamp.triggers(connection))
    assert scope_stamp.current() != before
    Faculty.objects.update(name="Renamed")  # now watched
    assert scope_stamp.current() != before


def test_install_puts_back_a_missing_row_with_a_new_stamp():
    before = scope_stamp.current()
    scope_stamp.ScopeStamp.objects.all().delete()
    assert scope_stamp.current() is None
    assert scope_stamp.install() is True
    assert scope_stamp.current() not in (None, before)


def test_a_user_signed_in_by_session_comes_with_the_stamp(nora):
    client = Client()
    client.force_login(nora)
    response = client.get("/api/v1/posts/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.wsgi_request.user.scope_stamp == scope_stamp.current()


def test_a_user_signed_in_by_token_comes_with_the_stamp(nora):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=nora).key}")
    response = client.get("/api/v1/posts/")
    assert response.status_code == 200
    assert response.wsgi_request.user.scope_stamp == scope_stamp.current()


def test_a_bad_or_inactive_token_is_refused_as_before(nora):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/posts/")
    assert (response.status_code, response.json()["detail"]) == (403, "Invalid token.")
    token = Token.objects.create(user=nora)
    get_user_model().objects.filter(pk=nora.pk).update(is_active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/posts/")
    assert (response.status_code, response.json()["detail"]) == (403, "User inactive or deleted.")


def test_nothing_is_remembered_inside_a_transaction(nora):
    nora.scope_stamp = scope_stamp.current()
    computed = []
    with transaction.atomic():
        for _ in range(2):
            scope_stamp.remembered("test", nora, lambda: computed.append(1) or len(computed))
    assert computed == [1, 1]


def test_nothing_is_remembered_for_a_user_loaded_without_the_stamp(nora):
    computed = []
    for _ in range(2):
        scope_stamp.remembered("test", nora, lambda: computed.append(1) or len(computed))
    assert computed == [1, 1]


def test_the_memory_keeps_the_users_used_last():
    memory = scope_stamp.LeastRecentlyUsed(size=2)
    memory.put("a", 1, stamp=7)
    memory.put("b", 2, stamp=7)
    assert memory.get("a") == 1  # now "b" is the one used longest ago
    memory.put("c", 3, stamp=7)
    assert (memory.get("a"), memory.get("b"), memory.get("c")) == (1, None, 3)


def test_the_memory_drops_the_entries_of_another_stamp():
    memory = scope_stamp.LeastRecentlyUsed(size=10)
    memory.put("a", 1, stamp=7)
    memory.put("b", 2, stamp=8)
    assert (memory.get("a"), memory.get("b")) == (None, 2)


def posts_seen(client) -> list[int]:
    response = client.get("/api/v1/posts/")
    assert response.status_code == 200
    return [post["id"] for post in response.json()["results"]]


def roles_read(queries) -> list[str]:
    return [query["sql"] for query in queries if "accounts_membership" in query["sql"]]


# Outside a transaction, as a site serves; serialized_rollback restores what the migrations seeded (the platforms).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_remembered_scope_serves_until_scope_changes_then_is_read_again(northfield, southbay):
    """Outside a transaction, as a site serves: the second request reads no roles; each change is seen at once."""
    scope_stamp.scopes.clear()
    radiology = DepartmentFactory(institution=northfield, name="Radiology", slug="radiology")
    elsewhere = DepartmentFactory(institution=southbay, name="Radiology", slug="radiology")
    nora = UserFactory(username="nora", is_staff=True)
    membership = MembershipFactory(user=nora, institution=northfield, role=Membership.Role.ADMIN)
    faculty = FacultyFactory(name="Alice Adams")
    appointment = AppointmentFactory(faculty=faculty, department=radiology, primary=True)
    post = PostFactory(account=SocialAccountFactory(handle="alice_rads", faculty=faculty))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=nora).key}")

    with CaptureQueriesContext(connection) as first:
        assert posts_seen(client) == [post.pk]
    with CaptureQueriesContext(connection) as second:
        assert posts_seen(client) == [post.pk]
    assert roles_read(first.captured_queries) and not roles_read(second.captured_queries)
    assert len(second.captured_queries) == len(first.captured_queries) - 3  # the roles, the faculty record, the ids

    Appointment.objects.filter(pk=appointment.pk).update(department=elsewhere)
    assert posts_seen(client) == []
    Appointment.objects.filter(pk=appointment.pk).update(department=radiology)
    assert posts_seen(client) == [post.pk]
    membership.delete()
    assert posts_seen(client) == []


# Outside a transaction, as a site serves; serialized_rollback restores what the migrations seeded (the platforms).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_rolled_back_leaves_nothing_remembered_behind(northfield):
    scope_stamp.scopes.clear()
    nora = UserFactory(username="nora", is_staff=True)
    MembershipFactory(user=nora, institution=northfield, role=Membership.Role.ADMIN)
    stamped = get_user_model().objects.get(pk=nora.pk)
    stamped.scope_stamp = scope_stamp.current()

    with pytest.raises(RuntimeError), transaction.atomic():
        Membership.objects.filter(user=nora).delete()
        assert access_for(stamped).admin_institution_ids == frozenset()
        raise RuntimeError("rolled back")

    assert scope_stamp.current() == stamped.scope_stamp
    fresh = get_user_model().objects.get(pk=nora.pk)
    fresh.scope_stamp = scope_stamp.current()
    assert access_for(fresh).admin_institution_ids == {northfield.pk}
