"""
Every API list runs a fixed number of queries, however many rows it shows.

Each batch of rows puts every kind of object where each person sees it: new
departments, faculty with logins, roles, accounts of all three owner kinds on
several platforms, posts with two snapshots, follower counts and audience rows,
and for Alice appointments at new institutions and accounts of her own. A field
that fetched a related row per line would show up as a growing count.

Clients sign in with a token, as institutional systems do. Per request:
TOKEN (the token with its user) + ROLES (the user's roles and faculty record,
wherever rows are scoped) + PAGE (the count of rows and the rows themselves).
"""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import DepartmentFactory
from tests.factories import FacultyFactory
from tests.factories import InstitutionFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

pytestmark = pytest.mark.django_db

TOKEN = 1
ROLES = 2
PAGE = 2
SCOPED = TOKEN + ROLES + PAGE
# Posts: the visible accounts' ids (one query instead of the roles' subqueries in the page and in its count),
# then the page with its metrics and the capped count (on SQLite the page's metrics are one query more); a
# superuser reads neither roles nor account ids.
POSTS_METRICS = int(connection.vendor != "postgresql")
POSTS = SCOPED + 1 + POSTS_METRICS
SUPERUSER_POSTS = TOKEN + PAGE + POSTS_METRICS
KEYSET_LISTS = {"posts": POSTS, "post-metrics": SCOPED, "account-metrics": SCOPED, "audience": SCOPED}

RESOURCES = (
    "institutions",
    "departments",
    "users",
    "memberships",
    "faculty",
    "appointments",
    "accounts",
    "posts",
    "post-metrics",
    "account-metrics",
    "audience",
)
# Queries per list, for each person. Users are for admins only; platforms are not scoped (no roles read).
QUERIES = {
    **{("root", resource): SCOPED for resource in RESOURCES},
    **{("nora", resource): SCOPED for resource in RESOURCES},
    **{("bob", resource): SCOPED for resource in RESOURCES if resource != "users"},
    **{("alice", resource): SCOPED for resource in RESOURCES if resource not in {"users", "memberships"}},
    **{(username, "posts"): POSTS for username in ("nora", "bob", "alice")},
    ("root", "posts"): SUPERUSER_POSTS,
    ("root", "platforms"): TOKEN + PAGE,
    ("alice", "platforms"): TOKEN + PAGE,
    # Alice holds no role: her memberships are known to be none without asking the database.
    ("alice", "memberships"): TOKEN + ROLES,
}
# Lists whose length does not depend on the rows added here.
FIXED_LENGTH = {
    ("nora", "institutions"),
    ("bob", "institutions"),
    ("bob", "departments"),
    ("bob", "memberships"),
    ("alice", "memberships"),
    ("alice", "faculty"),
    ("root", "platforms"),
    ("alice", "platforms"),
}
PLATFORMS = ("instagram", "twitter", "youtube", "linkedin", "tiktok")


@pytest.fixture
def add_rows(alice, bob, nora, root, northfield, northfield_radiology):
    """`add_rows(n)`: n more rows of every kind, visible to each of the named people."""

    def add(n: int) -> None:
        for i in range(n):
            department = DepartmentFactory(institution=northfield)
            elsewhere = DepartmentFactory(institution=InstitutionFactory())
            AppointmentFactory(faculty=alice.faculty, department=elsewhere)
            colleague = FacultyFactory(user=UserFactory())
            AppointmentFactory(faculty=colleague, department=northfield_radiology, primary=True)
            MembershipFactory(user=UserFactory(), institution=northfield, department=department)
            on = platform(PLATFORMS[i % len(PLATFORMS)])
            accounts = [
                SocialAccountFactory(platform=on, faculty=alice.faculty),
                SocialAccountFactory(platform=on, faculty=colleague),
                SocialAccountFactory(platform=on, kind="department", faculty=None, department=department),
                SocialAccountFactory(platform=on, kind="institution", faculty=None, institution=northfield),
            ]
            for account in accounts:
                post = PostFactory(account=account)
                PostMetricsFactory(post=post, likes=i, impressions=1000, verified_by=root)
                PostMetricsFactory(post=post, captured_on=timezone.localdate(), likes=i + 1, impressions=2000)
                AccountMetricsFactory(account=account, captured_on=dt.date(2020, 1, 1) + dt.timedelta(days=i))
                AudienceSnapshotFactory(account=account, captured_on=dt.date(2020, 1, 1) + dt.timedelta(days=i))

    return add


@pytest.fixture
def token_client(request):
    """`token_client(username)`: a client that signs in with a token, as institutional IT does."""

    def signed_in(username: str) -> APIClient:
        user = request.getfixturevalue(username)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return signed_in


def assert_query_count_holds(client, django_assert_num_queries, add_rows, path, queries, *, grows=True, params=None):
    add_rows(5)
    with django_assert_num_queries(queries):
        few = client.get(path, params)
    add_rows(25)
    with django_assert_num_queries(queries):
        many = client.get(path, params)

    assert few.status_code == many.status_code == 200
    if grows:
        assert many.json()["count"] > few.json()["count"]
        assert len(many.json()["results"]) >= min(many.json()["count"], 30)


@pytest.mark.parametrize(
    ("username", "resource", "queries"),
    [pytest.param(*key, queries, id="-".join(key)) for key, queries in QUERIES.items()],
)
def test_list_query_count_does_not_grow_with_its_rows(
    token_client, add_rows, django_assert_num_queries, username, resource, queries
):
    client = token_client(username)
    grows = (username, resource) not in FIXED_LENGTH

    assert_query_count_holds(client, django_assert_num_queries, add_rows, f"/api/v1/{resource}/", queries, grows=grows)


@pytest.mark.parametrize("username", ["nora", "alice"])
@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "-likes"},
        {
            "platform": "instagram",
            "kind": "personal",
            "category": "education",
            "content_type": "image",
            "page_size": 200,
        },
        {"hashtag": "MSKMonday", "published_at_after": "2020-01-01T00:00:00Z"},
    ],
    ids=["ordered-by-likes", "filtered", "hashtag-and-period"],
)
def test_post_list_filtered_and_ordered_keeps_its_query_count(
    token_client, add_rows, django_assert_num_queries, username, params
):
    # Ordered by a metric, the page is read with its metrics on every database.
    queries = POSTS - POSTS_METRICS if "ordering" in params else POSTS
    assert_query_count_holds(
        token_client(username), django_assert_num_queries, add_rows, "/api/v1/posts/", queries, params=params
    )


def test_account_list_ordered_by_followers_keeps_its_query_count(token_client, add_rows, django_assert_num_queries):
    assert_query_count_holds(
        token_client("nora"),
        django_assert_num_queries,
        add_rows,
        "/api/v1/accounts/",
        SCOPED,
        params={"ordering": "-followers"},
    )


def test_a_filter_that_names_an_object_costs_one_query_to_check_it(
    token_client, add_rows, django_assert_num_queries, northfield
):
    # The named institution is looked up among those Nora may see: one query more, whatever the rows.
    assert_query_count_holds(
        token_client("nora"),
        django_assert_num_queries,
        add_rows,
        "/api/v1/departments/",
        SCOPED + 1,
        params={"institution": northfield.pk},
    )


def test_page_of_200_posts_costs_what_a_page_of_5_costs(token_client, add_rows, django_assert_num_queries):
    client = token_client("nora")
    add_rows(1)
    with django_assert_num_queries(POSTS):
        few = client.get("/api/v1/posts/", {"page_size": 5})
    add_rows(50)
    with django_assert_num_queries(POSTS):
        many = client.get("/api/v1/posts/", {"page_size": 200})

    assert len(few.json()["results"]) == 4
    assert len(many.json()["results"]) == 200


# The engagement summary: the account (1) and all its posts with their metrics and followers (1).
ENGAGEMENT = TOKEN + ROLES + 2


@pytest.mark.parametrize("username", ["alice", "bob", "nora", "root"])
def test_engagement_summary_query_count_does_not_grow_with_the_posts(
    token_client, alice_instagram, django_assert_num_queries, username
):
    client = token_client(username)
    path = f"/api/v1/accounts/{alice_instagram.pk}/engagement/"
    params = {"start": "2020-01-01", "end": "2030-12-31", "as_of": timezone.localdate().isoformat()}

    def add_posts(n: int) -> None:
        AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2020, 1, n), followers=1000 + n)
        for i in range(n):
            post = PostFactory(account=alice_instagram)
            PostMetricsFactory(post=post, likes=10 + i, impressions=1000, reach=800)
            PostMetricsFactory(post=post, captured_on=timezone.localdate(), likes=20 + i, impressions=2000)

    add_posts(5)
    with django_assert_num_queries(ENGAGEMENT):
        few = client.get(path, params)
    add_posts(30)
    with django_assert_num_queries(ENGAGEMENT):
        many = client.get(path, params)

    assert few.json()["posts"] == 5
    assert many.json()["posts"] == 35


def test_roles_are_read_once_per_request_however_many_rows(token_client, add_rows, django_assert_num_queries, bob):
    # Bob also reviews nuclear medicine: more roles are still one query.
    nucmed = DepartmentFactory(institution=Membership.objects.get(user=bob).institution)
    MembershipFactory(user=bob, institution=nucmed.institution, department=nucmed)

    assert_query_count_holds(token_client("bob"), django_assert_num_queries, add_rows, "/api/v1/posts/", POSTS)


@pytest.mark.parametrize("username", ["nora", "alice"])
@pytest.mark.parametrize("resource", list(KEYSET_LISTS))
def test_a_page_reached_by_its_cursor_costs_what_the_first_does(
    token_client, add_rows, django_assert_num_queries, username, resource
):
    client = token_client(username)
    add_rows(30)
    first = client.get(f"/api/v1/{resource}/", {"page_size": 5}).json()

    with django_assert_num_queries(KEYSET_LISTS[resource]):
        second = client.get(first["next"])
    with django_assert_num_queries(KEYSET_LISTS[resource]):
        back = client.get(second.json()["previous"])

    assert second.status_code == back.status_code == 200
    assert len(second.json()["results"]) == 5
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second.json()["results"]}
    assert back.json()["results"] == first["results"]
