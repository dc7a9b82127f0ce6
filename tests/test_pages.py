"""The server-rendered pages: home, sign-in, the public definitions and the faculty profile."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.formatting import count
from metrics.formatting import percent
from metrics.formatting import rate_of
from tests.factories import PASSWORD
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

WORKED_EXAMPLE = {"likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42, "follows": 9}


def profile_url(faculty) -> str:
    return reverse("faculty-profile", args=[faculty.pk])


@pytest.fixture
def erin(northfield_radiology):
    """Alice's colleague in the same department, with her own login: she sees Alice only in aggregates."""
    user = UserFactory(username="erin")
    faculty = FacultyFactory(name="Erin Evans", user=user)
    AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)
    return user


@pytest.fixture
def nadia(northfield_nucmed):
    """A nuclear-medicine faculty member: Northfield, but not Bob's department."""
    faculty = FacultyFactory(name="Nadia Novak")
    AppointmentFactory(faculty=faculty, department=northfield_nucmed, primary=True)
    return faculty


@pytest.fixture
def worked_example(alice_instagram):
    """Alice's post with the published nuclear-medicine numbers: 292 actions over 6,154 impressions, reach unknown."""
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1), followers=7100)
    post = PostFactory(account=alice_instagram)
    PostMetricsFactory(post=post, impressions=6154, reach=None, **WORKED_EXAMPLE)
    return post


def add_accounts_with_posts(faculty, *, accounts: int, posts: int) -> None:
    platforms = [platform("instagram"), platform("twitter"), platform("youtube")]
    for i in range(accounts):
        account = SocialAccountFactory(platform=platforms[i % len(platforms)], faculty=faculty)
        AccountMetricsFactory(account=account, followers=1000 + i)
        for j in range(posts):
            post = PostFactory(account=account, published_at=timezone.now() - dt.timedelta(days=30 + j))
            PostMetricsFactory(post=post, impressions=1000 + j, reach=800, likes=20 + j, comments=j)


# --- home ---------------------------------------------------------------------------------------


def test_home_for_anonymous_visitors_explains_the_site_without_any_data(client, alice, dana, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "altmetric-style portfolios" in html
    assert f'href="{reverse("login")}"' in html
    assert f'href="{reverse("methods")}"' in html
    for private in ("Alice Adams", "Dana Diaz", "Northfield", "Southbay", profile_url(dana)):
        assert private not in html


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("alice", ["Alice Adams"], ["Dana Diaz", "Nadia Novak"]),
        ("bob", ["Alice Adams", "Dana Diaz"], ["Nadia Novak"]),
        ("nora", ["Alice Adams", "Dana Diaz", "Nadia Novak"], []),
        ("charlie", ["Dana Diaz"], ["Alice Adams", "Nadia Novak"]),
        ("root", ["Alice Adams", "Dana Diaz", "Nadia Novak"], []),
    ],
)
def test_home_lists_the_faculty_each_user_may_see(request, client, dana, nadia, username, sees, does_not_see):
    user = request.getfixturevalue(username)
    request.getfixturevalue("alice")
    client.force_login(user)

    html = client.get(reverse("home")).content.decode()

    for name in sees:
        assert name in html
    for name in does_not_see:
        assert name not in html


def test_charlie_sees_dana_only_through_southbay(client, charlie, alice, dana):
    client.force_login(charlie)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{profile_url(dana)}"' in html
    assert "Radiology, Southbay Medical College" in html
    # Dana's primary appointment is at Northfield: Charlie must not learn that Northfield exists.
    assert "Northfield" not in html


def test_home_shows_the_roles_of_the_user(client, bob):
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    assert "Reviewer:" in html
    assert "Radiology, Northfield University" in html


def test_faculty_member_gets_a_prominent_link_to_her_own_profile(client, alice):
    client.force_login(alice)

    html = client.get(reverse("home")).content.decode()

    assert "Open your profile" in html
    assert f'href="{profile_url(alice.faculty)}"' in html


def test_user_without_a_role_is_told_so(client, db):
    client.force_login(UserFactory(username="newcomer"))

    html = client.get(reverse("home")).content.decode()

    assert "no role yet" in html
    assert "No faculty to show" in html


def test_home_paginates_the_faculty_list(client, nora, northfield_radiology):
    for i in range(30):
        AppointmentFactory(faculty=FacultyFactory(name=f"Person {i:02d}"), department=northfield_radiology)
    client.force_login(nora)

    first = client.get(reverse("home")).content.decode()
    second = client.get(reverse("home"), {"page": 2}).content.decode()

    assert "Person 00" in first
    assert "Person 29" not in first
    assert "Person 29" in second
    assert "page 2 of 2" in second


def test_signed_in_pages_offer_sign_out_as_a_post_form(client, alice):
    client.force_login(alice)

    html = client.get(reverse("home")).content.decode()

    assert f'<form method="post" action="{reverse("logout")}">' in html


# --- sign in and out ----------------------------------------------------------------------------


def test_login_page_has_labelled_fields(client, db):
    html = client.get(reverse("login")).content.decode()

    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def test_wrong_password_shows_a_clear_error(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "Sign-in failed" in html
    assert "Please enter a correct username and password" in html


def test_alice_signs_in_and_out(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "Welcome, Alice Adams" in client.get(reverse("home")).content.decode()

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "Alice Adams" not in client.get(reverse("home")).content.decode()


def test_sign_in_returns_to_the_page_asked_for(client, alice):
    target = profile_url(alice.faculty)

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD, "next": target})

    assert response.url == target


def test_definitions_are_public(client, db):
    html = client.get(reverse("methods")).content.decode()

    assert "292 ÷ 6,154 = 4.7% of impressions" in html
    assert "Not computable" in html
    assert "Pooled rate" in html


# --- faculty profile: who may see it ------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "bob", "nora", "root"])
def test_profile_is_visible_to_alice_her_reviewer_and_her_admins(request, client, alice, username):
    client.force_login(request.getfixturevalue(username))

    response = client.get(profile_url(alice.faculty))

    assert response.status_code == 200
    assert "Alice Adams" in response.content.decode()


@pytest.mark.parametrize(
    "username", ["charlie", "erin"], ids=["admin_of_another_institution", "colleague_at_the_same_institution"]
)
def test_profile_is_404_for_an_admin_elsewhere_and_for_a_colleague(request, client, alice, username):
    client.force_login(request.getfixturevalue(username))

    assert client.get(profile_url(alice.faculty)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, alice):
    url = profile_url(alice.faculty)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_unknown_faculty_is_404(client, nora):
    client.force_login(nora)

    assert client.get(reverse("faculty-profile", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("admin", "own", "other"), [("nora", "Northfield", "Southbay"), ("charlie", "Southbay", "Northfield")]
)
def test_dana_is_visible_to_both_her_institutions_admins_each_seeing_only_their_own_appointment(
    request, client, dana, admin, own, other
):
    client.force_login(request.getfixturevalue(admin))

    response = client.get(profile_url(dana))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Dana Diaz" in html
    assert own in html
    assert other not in html


# --- faculty profile: what it shows -------------------------------------------------------------


def test_profile_shows_rank_track_orcid_and_appointments(client, alice):
    faculty = alice.faculty
    faculty.orcid = "0000-0002-1825-0097"
    faculty.save()
    appointment = faculty.appointments.get()
    appointment.title = "Section Chief, Neuroradiology"
    appointment.save()
    client.force_login(alice)

    html = client.get(profile_url(faculty)).content.decode()

    assert "This is your profile" in html
    assert "Assistant Professor" in html
    assert "Clinician-educator" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert "Section Chief, Neuroradiology" in html
    assert "Northfield University" in html
    assert "since 1 Jul 2020" in html


def test_profile_shows_the_worked_example(client, alice, worked_example):
    client.force_login(alice)

    html = client.get(profile_url(alice.faculty)).content.decode()

    assert "@alice_rads" in html
    assert "Instagram" in html
    assert "7,100" in html
    assert 'counted <time datetime="2024-01-01">1 Jan 2024</time>' in html
    assert "292" in html
    assert "6,154" in html
    assert "4.7% of impressions" in html
    assert "292 actions ÷ 6,154 impressions" in html
    # Per follower on the post's day: 292 / 7,100.
    assert "4.1% of followers" in html


def test_a_missing_denominator_reads_not_computable_never_zero(client, alice, worked_example):
    client.force_login(alice)

    html = client.get(profile_url(alice.faculty)).content.decode()

    assert '<td class="num not-computable">not computable</td>' in html
    assert "no post with reach" in html
    assert "0.0%" not in html


def test_profile_states_its_as_of_date(client, alice, worked_example):
    client.force_login(alice)
    today = timezone.localdate()

    html = client.get(profile_url(alice.faculty)).content.decode()

    assert f'<time datetime="{today:%Y-%m-%d}">{today.day} {today:%b %Y}</time>' in html
    assert "How these numbers are computed" in html


def test_account_without_followers_or_posts_says_so(client, alice, alice_instagram):
    client.force_login(alice)

    html = client.get(profile_url(alice.faculty)).content.decode()

    assert "not reported" in html
    assert "No posts recorded for this account yet" in html


def test_snapshots_after_today_are_not_shown(client, alice, alice_instagram):
    post = PostFactory(account=alice_instagram)
    PostMetricsFactory(post=post, captured_on=timezone.localdate() + dt.timedelta(days=1), likes=5, impressions=50)
    client.force_login(alice)

    html = client.get(profile_url(alice.faculty)).content.decode()

    assert "10.0% of impressions" not in html
    assert "0 of 1 post" in html


def test_user_supplied_text_is_escaped(client, alice):
    alice.faculty.name = "<script>alert('name')</script>"
    alice.faculty.save()
    SocialAccountFactory(faculty=alice.faculty, handle="<script>alert(1)</script>", display_name="<b>bold</b>")
    client.force_login(alice)

    html = client.get(profile_url(alice.faculty)).content.decode()

    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert "@&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html


# --- query counts -------------------------------------------------------------------------------

# session, user, the user's roles (memberships, faculty record), the person, appointments,
# accounts with followers and post counts, the engagement of all their posts.
PROFILE_QUERIES = 8


@pytest.mark.parametrize(("accounts", "posts"), [(1, 1), (10, 20)])
def test_profile_query_count_does_not_grow_with_accounts_or_posts(
    client, nora, alice, django_assert_num_queries, accounts, posts
):
    add_accounts_with_posts(alice.faculty, accounts=accounts, posts=posts)
    client.force_login(nora)

    with django_assert_num_queries(PROFILE_QUERIES):
        response = client.get(profile_url(alice.faculty))

    assert response.content.decode().count('class="account"') == accounts


# session, user, the user's roles (memberships, faculty record), memberships with names,
# the number of faculty, one page of faculty, their appointments.
HOME_QUERIES = 8


@pytest.mark.parametrize(("people", "accounts", "posts"), [(1, 1, 1), (30, 10, 20)])
def test_home_query_count_does_not_grow_with_people_accounts_or_posts(
    client, nora, northfield_radiology, northfield_nucmed, django_assert_num_queries, people, accounts, posts
):
    for i in range(people):
        faculty = FacultyFactory()
        AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)
        AppointmentFactory(faculty=faculty, department=northfield_nucmed)
        if i == 0:
            add_accounts_with_posts(faculty, accounts=accounts, posts=posts)
    client.force_login(nora)

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))

    assert response.status_code == 200


# --- number formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "not computable"), (0.04745, "4.7%"), (0, "0.0%"), (0.0001, "<0.1%"), (1.5, "150.0%")],
)
def test_percent(value, shown):
    assert percent(value) == shown


def test_rate_of_names_its_denominator():
    assert rate_of(0.04745, "impressions") == "4.7% of impressions"
    assert rate_of(None, "reach") == "not computable"


def test_count_spells_out_what_was_not_reported():
    assert count(6154) == "6,154"
    assert count(0) == "0"
    assert count(None) == "not reported"


def test_not_found_pages_keep_the_site_layout_and_say_nothing_more(client, charlie, alice):
    client.force_login(charlie)

    response = client.get(alice.faculty.get_absolute_url())

    assert response.status_code == 404
    assert b"Skip to main content" in response.content
    assert b"Alice" not in response.content
