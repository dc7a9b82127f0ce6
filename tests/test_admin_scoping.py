"""
Tenant isolation in the admin: Nora (Northfield) and Charlie (Southbay) each see
and change only their institution's rows; Root sees everything; reviewers and
faculty members do not get in at all.
"""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Appointment
from accounts.models import Faculty
from accounts.models import Membership
from accounts.models import SocialAccount
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

CHANGELISTS = [
    "accounts:institution",
    "accounts:department",
    "accounts:faculty",
    "accounts:appointment",
    "accounts:membership",
    "accounts:socialaccount",
    "accounts:platform",
    "auth:user",
    "metrics:post",
    "metrics:postmetrics",
    "metrics:accountmetrics",
    "metrics:audiencesnapshot",
]


def changelist(model: str) -> str:
    app, name = model.split(":")
    return reverse(f"admin:{app}_{name}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def rows_of(institution, department, *, person: str, handle: str, post_id: str, reviewer: str):
    """A faculty member with an appointment, an account, a post with numbers, and a reviewer login."""
    login = UserFactory(username=f"{handle}_login")
    faculty = FacultyFactory(name=person, user=login)
    AppointmentFactory(faculty=faculty, department=department, primary=True)
    account = SocialAccountFactory(platform=platform("instagram"), handle=handle, faculty=faculty)
    post = PostFactory(account=account, external_id=post_id)
    PostMetricsFactory(post=post, likes=10, impressions=100)
    AccountMetricsFactory(account=account)
    AudienceSnapshotFactory(account=account, bucket="BR")
    MembershipFactory(user=UserFactory(username=reviewer), institution=institution, department=department)
    return {"faculty": faculty, "account": account, "post": post}


@pytest.fixture
def north(northfield, northfield_radiology, northfield_nucmed, alice_instagram, bob):
    return rows_of(
        northfield, northfield_radiology, person="Nell North", handle="north_rads", post_id="north-post", reviewer="ned"
    )


@pytest.fixture
def south(southbay, southbay_radiology):
    return rows_of(
        southbay, southbay_radiology, person="Sam South", handle="south_rads", post_id="south-post", reviewer="sally"
    )


# What each institution's pages must never show of the other's.
NORTHFIELD_MARKS = ("Northfield", "Nell North", "north_rads", "north-post", "ned")
SOUTHBAY_MARKS = ("Southbay", "Sam South", "south_rads", "south-post", "sally")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_northfield_admin_sees_none_of_southbays_rows(client, nora, north, south, dana, model):
    client.force_login(nora)

    page = client.get(changelist(model)).content.decode()

    assert not [mark for mark in SOUTHBAY_MARKS if mark in page]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_southbay_admin_sees_none_of_northfields_rows(client, charlie, north, south, dana, model):
    client.force_login(charlie)

    page = client.get(changelist(model)).content.decode()

    assert not [mark for mark in NORTHFIELD_MARKS if mark in page]


@pytest.mark.parametrize(
    ("model", "mark"),
    [
        ("accounts:institution", "Northfield University"),
        ("accounts:department", "Nuclear Medicine"),
        ("accounts:faculty", "Nell North"),
        ("accounts:appointment", "Nell North"),
        ("accounts:membership", "ned"),
        ("accounts:socialaccount", "north_rads"),
        ("auth:user", "north_rads_login"),
        ("metrics:post", "north-post"),
        ("metrics:postmetrics", "north-post"),
        ("metrics:accountmetrics", "north_rads"),
        ("metrics:audiencesnapshot", "north_rads"),
    ],
)
def test_northfield_admin_sees_her_own_rows(client, nora, north, south, model, mark):
    client.force_login(nora)

    assert mark in client.get(changelist(model)).content.decode()


@pytest.mark.parametrize("model", CHANGELISTS)
def test_superuser_sees_both_institutions(client, root, north, south, model):
    client.force_login(root)

    page = client.get(changelist(model)).content.decode()

    if model not in ("accounts:platform",):
        assert any(mark in page for mark in NORTHFIELD_MARKS)
        assert any(mark in page for mark in SOUTHBAY_MARKS)


def southbay_objects(south, southbay, southbay_radiology):
    faculty = south["faculty"]
    return [
        southbay,
        southbay_radiology,
        faculty,
        faculty.appointments.get(),
        Membership.objects.get(user__username="sally"),
        faculty.user,
        south["account"],
        south["post"],
        south["post"].snapshots.get(),
        south["account"].follower_snapshots.get(),
        south["account"].audience_snapshots.get(),
    ]


def test_opening_another_institutions_object_shows_nothing_of_it(
    client, nora, north, south, southbay, southbay_radiology
):
    client.force_login(nora)

    for obj in southbay_objects(south, southbay, southbay_radiology):
        response = client.get(change_url(obj), follow=True)

        assert response.redirect_chain == [(reverse("admin:index"), 302)], obj
        page = response.content.decode()
        assert "Perhaps it was deleted?" in page
        assert not [mark for mark in SOUTHBAY_MARKS if mark in page], obj


def test_posting_to_another_institutions_object_changes_nothing(client, nora, south):
    client.force_login(nora)
    account = south["account"]

    client.post(change_url(account), {"platform": account.platform_id, "handle": "hijacked", "kind": "personal"})

    account.refresh_from_db()
    assert account.handle == "south_rads"


# --- foreign-key choices ------------------------------------------------------------------------


def management_form(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_appointment_inline_offers_only_her_institutions_departments(
    client, nora, northfield_radiology, northfield_nucmed, southbay_radiology
):
    client.force_login(nora)

    formset = client.get(add_url(Faculty)).context["inline_admin_formsets"][0].formset
    choices = formset.forms[0].fields["department"].queryset

    assert set(choices) == {northfield_radiology, northfield_nucmed}


def test_appointment_inline_rejects_a_posted_department_of_another_institution(
    client, nora, northfield_radiology, southbay_radiology, new_faculty_form
):
    client.force_login(nora)

    response = client.post(add_url(Faculty), new_faculty_form(southbay_radiology))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Faculty.objects.filter(email="nadia@northfield.example").exists()


def test_appointment_inline_accepts_her_own_department(client, nora, northfield_radiology, new_faculty_form):
    client.force_login(nora)

    response = client.post(add_url(Faculty), new_faculty_form(northfield_radiology))

    assert response.status_code == 302
    nadia = Faculty.objects.get(email="nadia@northfield.example")
    assert list(nadia.appointments.values_list("department", flat=True)) == [northfield_radiology.pk]


def membership_form(user, institution, department=None, role="reviewer") -> dict:
    return {
        "user": str(user.pk),
        "institution": str(institution.pk),
        "department": str(department.pk) if department else "",
        "role": role,
    }


def test_membership_form_offers_only_her_institution_and_its_departments(
    client, nora, northfield, southbay, northfield_radiology, southbay_radiology
):
    client.force_login(nora)

    form = client.get(add_url(Membership)).context["adminform"].form

    assert list(form.fields["institution"].queryset) == [northfield]
    assert southbay_radiology not in form.fields["department"].queryset
    assert northfield_radiology in form.fields["department"].queryset


def test_membership_form_rejects_another_institutions_department(
    client, nora, northfield, southbay, southbay_radiology
):
    client.force_login(nora)
    newcomer = UserFactory(username="newcomer")

    response = client.post(add_url(Membership), membership_form(newcomer, northfield, southbay_radiology))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()

    response = client.post(add_url(Membership), membership_form(newcomer, southbay, southbay_radiology))
    assert response.status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()


def test_membership_user_choices_are_her_people_only(client, nora, alice, bob, charlie, root, south):
    client.force_login(nora)
    # A login that belongs nowhere is a superuser's to place: another institution's admin could claim it.
    UserFactory(username="newcomer")

    users = client.get(add_url(Membership)).context["adminform"].form.fields["user"].queryset

    assert {"alice", "bob", "nora"} <= {u.username for u in users}
    assert not {"charlie", "root", "sally", "south_rads_login", "newcomer"} & {u.username for u in users}


def social_account_form(**fields) -> dict:
    return {
        "platform": str(platform("instagram").pk),
        "handle": "dept_account",
        "url": "",
        "display_name": "",
        "kind": "department",
        "faculty": "",
        "department": "",
        "institution": "",
        **management_form("follower_snapshots", 0),
        **fields,
    }


def test_social_account_form_offers_only_her_departments(client, nora, northfield_radiology, southbay_radiology):
    client.force_login(nora)

    form = client.get(add_url(SocialAccount)).context["adminform"].form

    assert list(form.fields["department"].queryset) == [northfield_radiology]


def test_social_account_form_rejects_another_institutions_department(
    client, nora, northfield_radiology, southbay_radiology
):
    client.force_login(nora)

    response = client.post(add_url(SocialAccount), social_account_form(department=str(southbay_radiology.pk)))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SocialAccount.objects.filter(handle="dept_account").exists()

    response = client.post(add_url(SocialAccount), social_account_form(department=str(northfield_radiology.pk)))
    assert response.status_code == 302


def test_autocomplete_offers_only_her_departments(client, nora, northfield_radiology, southbay_radiology):
    client.force_login(nora)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "appointment", "field_name": "department", "term": "Radio"},
    )

    assert [row["text"] for row in response.json()["results"]] == [str(northfield_radiology)]


# --- a person with appointments at both institutions ---------------------------------------------


def test_dana_is_visible_to_both_admins(client, nora, charlie, dana):
    for admin_user in (nora, charlie):
        client.force_login(admin_user)
        assert "Dana Diaz" in client.get(changelist("accounts:faculty")).content.decode()


@pytest.mark.parametrize(("who", "own"), [("nora", "northfield_radiology"), ("charlie", "southbay_radiology")])
def test_each_admin_sees_only_their_own_appointment_of_dana(client, dana, who, own, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(change_url(dana))

    formset = response.context["inline_admin_formsets"][0].formset
    shown = [form.instance.department for form in formset.initial_forms]
    assert shown == [request.getfixturevalue(own)]
    other = "Southbay" if who == "nora" else "Northfield"
    assert other not in response.content.decode()


def test_saving_dana_keeps_the_other_institutions_appointment(client, nora, dana, southbay_radiology):
    client.force_login(nora)
    own = dana.appointments.get(department__institution__slug="northfield")
    data = {
        "name": "Dana Diaz",
        "email": "dana@example.org",
        "rank": "",
        "track": "",
        "orcid": "",
        "user": "",
        **management_form("appointments", 1, initial=1),
        "appointments-0-id": str(own.pk),
        "appointments-0-faculty": str(dana.pk),
        "appointments-0-department": str(own.department_id),
        "appointments-0-title": "Section chief",
        "appointments-0-primary": "on",
        "appointments-0-start_date": "2020-07-01",
        "appointments-0-end_date": "",
    }

    response = client.post(change_url(dana), data)

    assert response.status_code == 302
    assert dana.appointments.filter(department=southbay_radiology).exists()
    assert dana.appointments.get(pk=own.pk).title == "Section chief"


def test_an_admin_cannot_delete_a_person_shared_with_another_institution(client, nora, dana):
    client.force_login(nora)
    url = reverse("admin:accounts_faculty_delete", args=[dana.pk])

    assert client.get(url).context["perms_lacking"] == {"appointment"}
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Appointment.objects.filter(faculty=dana).count() == 2


# --- who gets in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_reviewers_and_faculty_are_sent_to_the_login_page(client, who, request):
    client.force_login(request.getfixturevalue(who))

    for url in (reverse("admin:index"), changelist("accounts:faculty"), changelist("metrics:post")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response.url


def test_a_staff_reviewer_without_an_admin_role_is_refused(client, bob, north):
    bob.is_staff = True
    bob.save()
    client.force_login(bob)

    assert client.get(changelist("accounts:faculty")).status_code == 403
    assert client.get(change_url(north["faculty"])).status_code == 403
    assert "north_rads" not in client.get(reverse("admin:index")).content.decode()
    assert not client.get(reverse("admin:index")).context["app_list"]


def test_anonymous_visitors_are_sent_to_the_login_page(client, north):
    response = client.get(changelist("accounts:faculty"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


# --- the platform registry ---------------------------------------------------------------------


def test_institution_admin_reads_platforms_but_cannot_change_them(client, nora):
    client.force_login(nora)
    instagram = platform("instagram")

    assert "Instagram" in client.get(changelist("accounts:platform")).content.decode()
    response = client.get(change_url(instagram))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.post(change_url(instagram), {"name": "Instaglam"}).status_code == 403
    assert client.get(reverse("admin:accounts_platform_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_platform_delete", args=[instagram.pk]), {"post": "yes"}).status_code == 403
    )
    instagram.refresh_from_db()
    assert instagram.name == "Instagram"


def test_institution_admin_cannot_add_or_delete_institutions(client, nora, northfield):
    client.force_login(nora)

    assert client.get(reverse("admin:accounts_institution_add")).status_code == 403
    assert client.get(reverse("admin:accounts_institution_delete", args=[northfield.pk])).status_code == 403
    assert client.get(change_url(northfield)).context["has_change_permission"] is True


# --- logins ------------------------------------------------------------------------------------


def test_institution_admin_cannot_grant_superuser_status_or_permissions(client, nora, alice):
    client.force_login(nora)

    response = client.get(change_url(alice))
    form_fields = response.context["adminform"].form.fields
    assert not {"is_superuser", "groups", "user_permissions"} & set(form_fields)

    data = {
        "username": "alice",
        "first_name": "Alice",
        "last_name": "Adams",
        "email": "alice@example.org",
        "is_active": "on",
        "is_superuser": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(change_url(alice), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_superuser


def test_institution_admin_cannot_reach_superusers_or_other_institutions_admins(client, nora, root, charlie):
    client.force_login(nora)

    for login in (root, charlie):
        assert client.get(change_url(login)).status_code == 302
        assert client.get(reverse("admin:auth_user_password_change", args=[login.pk])).status_code == 404


def test_a_login_with_a_role_elsewhere_is_read_only(client, nora, northfield, southbay):
    shared = UserFactory(username="shared")
    MembershipFactory(user=shared, institution=northfield)
    MembershipFactory(user=shared, institution=southbay, role=Membership.Role.ADMIN)
    client.force_login(nora)

    assert client.get(change_url(shared)).context["has_change_permission"] is False
    assert client.get(reverse("admin:auth_user_password_change", args=[shared.pk])).status_code == 403


def test_institution_admin_can_create_a_login(client, nora, northfield):
    client.force_login(nora)

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "fresh",
            "usable_password": "true",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            # Her new login belongs to her institution from the start.
            "role": "reviewer",
            "institution": northfield.pk,
        },
    )

    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_follower_snapshot_dates_do_not_leak(client, nora, south):
    # Guard for the date hierarchy: its links come from the scoped rows only.
    client.force_login(nora)
    AccountMetricsFactory(account=south["account"], captured_on=dt.date(1999, 5, 1))

    assert "1999" not in client.get(changelist("metrics:accountmetrics")).content.decode()
