"""
The admin as a data-entry tool: engagement columns, the platform form, roles,
appointments and verification.
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Faculty
from accounts.models import Membership
from metrics.models import AccountMetrics
from metrics.models import PostMetrics
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

WORKED_EXAMPLE = {"likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42, "follows": 9}


def changelist(app: str, model: str) -> str:
    return reverse(f"admin:{app}_{model}_changelist")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def cells(response, field: str) -> list:
    """The rendered cells of one column of a changelist, as its ModelAdmin computes them."""
    cl = response.context["cl"]
    column = next(item for item in cl.list_display if getattr(item, "__name__", item) in (field, f"{field}_count"))
    model_admin = cl.model_admin
    display = column if callable(column) else getattr(model_admin, column)
    return [str(display(row)) for row in cl.result_list]


@pytest.fixture
def worked_example_post(alice_instagram):
    post = PostFactory(
        account=alice_instagram,
        external_id="nm-quiz",
        published_at=dt.datetime(2024, 3, 10, 15, 0, tzinfo=dt.UTC),
    )
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 17), impressions=6154, **WORKED_EXAMPLE)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 3, 1), followers=7100)
    return post


# --- engagement columns ------------------------------------------------------------------------


def test_post_changelist_shows_the_worked_example(client, nora, worked_example_post):
    client.force_login(nora)

    response = client.get(changelist("metrics", "post"))

    assert cells(response, "impressions") == ["6,154"]
    assert cells(response, "action") == ["292"]
    assert cells(response, "rate_by_impressions") == ["4.7%"]
    # 292 / 7,100 followers on the publication day.
    assert cells(response, "rate_by_followers") == ["4.1%"]
    page = response.content.decode()
    assert "4.7%" in page
    assert "292" in page


def test_a_rate_without_a_denominator_shows_as_not_computable_never_zero(client, nora, worked_example_post):
    client.force_login(nora)

    response = client.get(changelist("metrics", "post"))

    [reach_rate] = cells(response, "rate_by_reach")
    assert "—" in reach_rate
    assert "not computable" in reach_rate
    assert "0%" not in reach_rate


def test_a_post_without_snapshots_has_no_actions_or_rates(client, nora, alice_instagram):
    PostFactory(account=alice_instagram)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2000, 1, 1))
    client.force_login(nora)

    response = client.get(changelist("metrics", "post"))

    for column in ("action", "rate_by_impressions", "rate_by_followers"):
        [cell] = cells(response, column)
        assert "not computable" in cell


def test_post_rates_use_metrics_as_of_today_not_later_snapshots(client, nora, worked_example_post):
    PostMetricsFactory(post=worked_example_post, captured_on=dt.date(2999, 1, 1), likes=10_000, impressions=10)
    client.force_login(nora)

    response = client.get(changelist("metrics", "post"))

    assert cells(response, "action") == ["292"]


def test_post_change_form_shows_engagement_as_of_today(client, nora, worked_example_post):
    client.force_login(nora)

    page = client.get(reverse("admin:metrics_post_change", args=[worked_example_post.pk])).content.decode()

    assert "Engagement as of today" in page
    assert "4.7%" in page
    assert "#MSKMonday" in page


def test_post_metrics_changelist_shows_actions_and_rates_of_each_snapshot(client, nora, worked_example_post):
    client.force_login(nora)

    response = client.get(changelist("metrics", "postmetrics"))

    assert cells(response, "action") == ["292"]
    assert cells(response, "rate_by_impressions") == ["4.7%"]
    assert "not computable" in cells(response, "rate_by_reach")[0]
    assert cells(response, "likes") == ["184"]
    assert "not reported" in cells(response, "reach")[0]


def test_social_account_changelist_shows_followers_today_and_post_count(client, nora, worked_example_post):
    AccountMetricsFactory(account=worked_example_post.account, captured_on=dt.date(2024, 6, 1), followers=7250)
    AccountMetricsFactory(account=worked_example_post.account, captured_on=dt.date(2999, 1, 1), followers=1)
    PostFactory(account=worked_example_post.account)
    client.force_login(nora)

    response = client.get(changelist("accounts", "socialaccount"))

    assert cells(response, "followers_today") == ["7,250"]
    assert cells(response, "post_count") == ["2"]
    assert cells(response, "owner") == ["Alice Adams"]


# --- verification ------------------------------------------------------------------------------


def test_mark_as_verified_records_who_and_when(client, nora, worked_example_post):
    snapshot = worked_example_post.snapshots.get()
    client.force_login(nora)

    response = client.post(
        changelist("metrics", "postmetrics"),
        {"action": "mark_verified", "_selected_action": [snapshot.pk]},
        follow=True,
    )

    snapshot.refresh_from_db()
    assert snapshot.verified_by == nora
    assert snapshot.verified_at is not None
    assert "Marked 1 post metrics snapshot as verified." in messages_of(response)


def test_mark_as_verified_keeps_an_earlier_verification(client, nora, root, alice_instagram):
    earlier = AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1))
    earlier.mark_verified(root)
    earlier.save()
    fresh = AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 2, 1))
    client.force_login(nora)

    response = client.post(
        changelist("metrics", "accountmetrics"),
        {"action": "mark_verified", "_selected_action": [earlier.pk, fresh.pk]},
        follow=True,
    )

    assert AccountMetrics.objects.get(pk=earlier.pk).verified_by == root
    assert AccountMetrics.objects.get(pk=fresh.pk).verified_by == nora
    assert "Marked 1 account metrics snapshot as verified. 1 was already verified." in messages_of(response)


def test_mark_as_verified_ignores_another_institutions_snapshots(client, charlie, alice_instagram):
    snapshot = AudienceSnapshotFactory(account=alice_instagram)
    client.force_login(charlie)

    client.post(
        changelist("metrics", "audiencesnapshot"), {"action": "mark_verified", "_selected_action": [snapshot.pk]}
    )

    snapshot.refresh_from_db()
    assert snapshot.verified_at is None


def test_provenance_is_not_editable_in_the_snapshot_form(client, nora, worked_example_post):
    snapshot = worked_example_post.snapshots.get()
    client.force_login(nora)

    form = client.get(reverse("admin:metrics_postmetrics_change", args=[snapshot.pk])).context["adminform"].form

    assert not {"source", "verified_by", "verified_at"} & set(form.fields)


def test_a_snapshot_entered_in_the_admin_is_a_manual_one(client, nora, alice_instagram):
    post = PostFactory(account=alice_instagram, published_at=dt.datetime(2024, 3, 10, tzinfo=dt.UTC))
    client.force_login(nora)
    unreported = ("impressions", "reach", "views", "dislikes", "comments", "shares", "saves", "profile_visits")
    counts = dict.fromkeys((*unreported, "follows", "clicks", "watch_time_seconds"), "")

    response = client.post(
        reverse("admin:metrics_postmetrics_add"),
        {"post": post.pk, "captured_on": "2024-03-12", "likes": "5", **counts},
    )

    assert response.status_code == 302
    snapshot = PostMetrics.objects.get(post=post)
    assert (snapshot.source, snapshot.likes, snapshot.impressions) == ("manual", 5, None)


# --- the platform registry ---------------------------------------------------------------------


def platform_form(instagram, **fields) -> dict:
    return {
        "key": instagram.key,
        "name": instagram.name,
        "content_types": ["video", "image"],
        "interactions": ["like", "follow"],
        "reported_metrics": ["reach", "impressions"],
        "has_hashtags": "on",
        "caption_limit": "2200",
        "hashtag_limit": "30",
        "media_per_post_limit": "10",
        **fields,
    }


def test_platform_lists_are_edited_as_checkboxes(client, root):
    client.force_login(root)
    instagram = platform("instagram")

    form = client.get(reverse("admin:accounts_platform_change", args=[instagram.pk])).context["adminform"].form

    for field in ("content_types", "interactions", "reported_metrics"):
        assert form.fields[field].widget.input_type == "checkbox"
    assert ("short_video", "Short video (reel, short, TikTok)") in form.fields["content_types"].choices
    assert form.initial["content_types"] == instagram.content_types


def test_superuser_saves_platform_lists_in_vocabulary_order(client, root):
    client.force_login(root)
    instagram = platform("instagram")

    response = client.post(reverse("admin:accounts_platform_change", args=[instagram.pk]), platform_form(instagram))

    assert response.status_code == 302
    instagram.refresh_from_db()
    assert instagram.content_types == ["image", "video"]
    assert instagram.interactions == ["follow", "like"]
    assert instagram.reported_metrics == ["impressions", "reach"]
    assert instagram.has_hashtags and not instagram.has_stories


def test_platform_form_refuses_values_outside_the_vocabulary(client, root):
    client.force_login(root)
    instagram = platform("instagram")
    before = instagram.content_types

    response = client.post(
        reverse("admin:accounts_platform_change", args=[instagram.pk]),
        platform_form(instagram, content_types=["image", "hologram"]),
    )

    assert response.status_code == 200
    assert "content_types" in response.context["adminform"].form.errors
    instagram.refresh_from_db()
    assert instagram.content_types == before


# --- faculty and appointments ------------------------------------------------------------------


def test_institution_admin_must_give_a_new_person_an_appointment(client, nora, new_faculty_form):
    client.force_login(nora)

    response = client.post(reverse("admin:accounts_faculty_add"), new_faculty_form())

    assert response.status_code == 200
    assert "at least one appointment in your institution" in response.content.decode()
    assert not Faculty.objects.filter(email="nadia@northfield.example").exists()


def test_institution_admin_cannot_remove_the_last_appointment_in_her_institution(client, nora, alice, new_faculty_form):
    faculty = alice.faculty
    appointment = faculty.appointments.get()
    client.force_login(nora)
    data = {
        **new_faculty_form(name=faculty.name, email=faculty.email, user=str(alice.pk)),
        "appointments-INITIAL_FORMS": "1",
        "appointments-0-id": str(appointment.pk),
        "appointments-0-faculty": str(faculty.pk),
        "appointments-0-department": str(appointment.department_id),
        "appointments-0-DELETE": "on",
    }

    response = client.post(reverse("admin:accounts_faculty_change", args=[faculty.pk]), data)

    assert response.status_code == 200
    assert "at least one appointment in your institution" in response.content.decode()
    assert faculty.appointments.exists()


def test_superuser_may_record_a_person_before_their_appointment(client, root, new_faculty_form):
    client.force_login(root)

    response = client.post(reverse("admin:accounts_faculty_add"), new_faculty_form())

    assert response.status_code == 302
    assert Faculty.objects.filter(email="nadia@northfield.example").exists()


def test_two_current_primary_appointments_get_a_message_not_an_error_page(
    client, nora, northfield_radiology, northfield_nucmed, new_faculty_form
):
    client.force_login(nora)
    data = new_faculty_form(
        **{
            "appointments-TOTAL_FORMS": "2",
            "appointments-0-department": str(northfield_radiology.pk),
            "appointments-0-primary": "on",
            "appointments-1-department": str(northfield_nucmed.pk),
            "appointments-1-primary": "on",
            "appointments-1-title": "",
            "appointments-1-start_date": "",
            "appointments-1-end_date": "",
        }
    )

    response = client.post(reverse("admin:accounts_faculty_add"), data)

    assert response.status_code == 200
    assert "Only one current appointment can be primary." in response.content.decode()


def test_faculty_changelist_lists_only_visible_appointments(client, nora, dana):
    client.force_login(nora)

    response = client.get(changelist("accounts", "faculty"))

    assert cells(response, "departments") == ["Radiology, Northfield University (primary)"]


# --- roles ---------------------------------------------------------------------------------------


def test_giving_an_admin_role_turns_on_staff_status(client, nora, northfield, northfield_radiology):
    newcomer = UserFactory(username="newcomer")
    # One of Nora's people: a login that belongs nowhere is a superuser's to place.
    MembershipFactory(user=newcomer, institution=northfield, department=northfield_radiology, role="reviewer")
    client.force_login(nora)

    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": newcomer.pk, "institution": northfield.pk, "department": "", "role": "admin"},
        follow=True,
    )

    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert Membership.objects.filter(user=newcomer, role="admin").exists()
    assert any("staff status was turned on" in message for message in messages_of(response))


def test_an_admin_role_cannot_be_limited_to_a_department(client, nora, northfield, northfield_radiology):
    newcomer = UserFactory(username="newcomer")
    client.force_login(nora)

    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": newcomer.pk, "institution": northfield.pk, "department": northfield_radiology.pk, "role": "admin"},
    )

    assert response.status_code == 200
    assert "An admin role covers a whole institution" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.is_staff


def test_a_new_social_account_needs_the_owner_its_kind_calls_for(client, nora, alice):
    client.force_login(nora)

    response = client.post(
        reverse("admin:accounts_socialaccount_add"),
        {
            "platform": platform("twitter").pk,
            "handle": "@alice_x",
            "kind": "personal",
            "faculty": "",
            "department": "",
            "institution": "",
            "follower_snapshots-TOTAL_FORMS": "0",
            "follower_snapshots-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "A personal account needs this owner." in response.content.decode()

    SocialAccountFactory(platform=platform("twitter"), handle="alice_x", faculty=alice.faculty)
    response = client.get(changelist("accounts", "socialaccount"), {"q": "alice_x"})
    assert [account.handle for account in response.context["cl"].result_list] == ["alice_x"]


# --- every page opens --------------------------------------------------------------------------


@pytest.fixture
def one_of_each(northfield, northfield_radiology, alice, bob, worked_example_post):
    account = worked_example_post.account
    return [
        northfield,
        northfield_radiology,
        alice.faculty,
        alice.faculty.appointments.get(),
        bob.memberships.get(),
        alice,
        platform("instagram"),
        account,
        worked_example_post,
        worked_example_post.snapshots.get(),
        account.follower_snapshots.get(),
        AudienceSnapshotFactory(account=account),
    ]


@pytest.mark.parametrize("who", ["nora", "root"])
def test_every_change_and_add_page_opens(client, one_of_each, who, request):
    client.force_login(request.getfixturevalue(who))
    superuser_only_add = {"institution", "platform"}

    for obj in one_of_each:
        opts = obj._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(change).status_code == 200, change
        expected = 403 if who == "nora" and opts.model_name in superuser_only_add else 200
        assert client.get(add).status_code == expected, add


def test_login_autocomplete_never_offers_a_superuser_to_an_institution_admin(client, nora, root, alice):
    client.force_login(nora)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "faculty", "field_name": "user", "term": ""},
    )

    offered = {row["text"] for row in response.json()["results"]}
    assert "alice" in offered
    assert "root" not in offered
