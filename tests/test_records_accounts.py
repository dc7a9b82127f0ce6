"""Accounts kept in the site: Alice adds and edits her own, Nora those of Northfield's faculty, Bob none."""

from django.urls import reverse

from accounts.models import SocialAccount
from tests.factories import SocialAccountFactory
from tests.factories import platform


def account_form(**fields) -> dict:
    return {"platform": platform("twitter").pk, "handle": "alice_x", "url": "", "display_name": "", **fields}


def test_faculty_member_adds_her_own_account_without_choosing_whose(client, alice):
    client.force_login(alice)
    page = client.get(reverse("records:account-add"))
    assert 'type="hidden" name="faculty"' in page.content.decode()
    response = client.post(reverse("records:account-add"), account_form(faculty=alice.faculty.pk))
    assert response.status_code == 302
    account = SocialAccount.objects.get(handle="alice_x")
    assert (account.faculty, account.kind) == (alice.faculty, SocialAccount.Kind.PERSONAL)


def test_faculty_member_cannot_add_an_account_for_someone_else(client, alice, dana):
    client.force_login(alice)
    response = client.post(reverse("records:account-add"), account_form(faculty=dana.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["faculty"]
    assert not SocialAccount.objects.filter(handle="alice_x").exists()


def test_admin_adds_an_account_for_her_faculty_but_not_anothers(client, nora, charlie, alice, dana):
    client.force_login(nora)
    assert client.post(reverse("records:account-add"), account_form(faculty=alice.faculty.pk)).status_code == 302
    assert SocialAccount.objects.get(handle="alice_x").faculty == alice.faculty
    client.force_login(charlie)
    response = client.post(reverse("records:account-add"), account_form(faculty=alice.faculty.pk, handle="other"))
    assert response.context["form"].errors["faculty"]


def test_a_taken_handle_is_refused_on_the_handle(client, alice, alice_instagram):
    client.force_login(alice)
    response = client.post(
        reverse("records:account-add"),
        account_form(faculty=alice.faculty.pk, platform=platform("instagram").pk, handle="ALICE_RADS"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["handle"]


def test_faculty_member_edits_her_account(client, alice, alice_instagram):
    client.force_login(alice)
    response = client.post(
        reverse("records:account-edit", args=[alice_instagram.pk]),
        account_form(platform=platform("instagram").pk, handle="alice_rads", display_name="Alice Adams, MD"),
    )
    assert response.status_code == 302
    alice_instagram.refresh_from_db()
    assert (alice_instagram.display_name, alice_instagram.faculty.user) == ("Alice Adams, MD", alice)


def test_a_reviewer_gets_403_and_another_institution_404(client, bob, charlie, alice_instagram):
    url = reverse("records:account-edit", args=[alice_instagram.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url, account_form()).status_code == 403
    assert client.get(reverse("records:account-add")).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.post(url, account_form()).status_code == 404


def test_account_list_is_scoped_and_its_queries_pinned(
    client, alice, charlie, alice_instagram, django_assert_num_queries
):
    SocialAccountFactory(handle="someone_else")
    client.force_login(alice)
    client.get(reverse("records:accounts"))
    # session, user, roles (2), the accounts with followers and posts, which she may change, may she add
    with django_assert_num_queries(7):
        response = client.get(reverse("records:accounts"))
    assert [row["account"].handle for row in response.context["accounts"]] == ["alice_rads"]
    assert response.context["accounts"][0]["can_change"]
    client.force_login(charlie)
    assert "alice_rads" not in client.get(reverse("records:accounts")).content.decode()


def test_an_institution_account_stays_the_institutions_and_is_changed_in_the_admin(client, nora, northfield):
    account = SocialAccountFactory(
        handle="northfield_rad", kind=SocialAccount.Kind.INSTITUTION, faculty=None, institution=northfield
    )
    client.force_login(nora)

    listed = client.get(reverse("records:accounts"))
    page = client.get(reverse("records:account-edit", args=[account.pk]))
    posted = client.post(reverse("records:account-edit", args=[account.pk]), account_form(handle="renamed"))

    row = next(row for row in listed.context["accounts"] if row["account"].pk == account.pk)
    assert not row["can_change"]
    assert (page.status_code, posted.status_code) == (404, 404)
    account.refresh_from_db()
    assert (account.kind, account.institution, account.handle) == ("institution", northfield, "northfield_rad")
