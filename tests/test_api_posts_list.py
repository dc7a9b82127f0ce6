"""
The posts list finds a scoped user's posts through the ids of the accounts they see (`visible_through_accounts`)
and reads each page with its metrics in one query. Whatever the role, the filters or the page size, walking its
pages by `next` (and back by `previous`) gives exactly the posts of `Post.objects.visible_to(user)` in the list's
order, each with the metrics a single post shows.

Northfield: Alice (faculty, two accounts), a colleague of hers, the radiology department's account and the
institution's account; Nora administers Northfield; Bob reviews its radiology department. Southbay: Charlie
administers it and sees none of Northfield's posts. Posts share publication times across accounts, so pages
break inside ties.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.utils import timezone

import metrics.models
from accounts.models import SocialAccount
from metrics.db import OneOf
from metrics.models import Post
from portfolio.pagination import KeysetPagination
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db

START = dt.datetime(2024, 5, 6, 9, 0, tzinfo=dt.UTC)
# Per request, signed in with `force_authenticate` (no session or token query): the user's roles (2) and the
# visible accounts' ids (a superuser needs neither), the page with its metrics (on SQLite the page, then its
# metrics), the capped count.
PAGE = 1 if connection.vendor == "postgresql" else 2
SCOPED_QUERIES = 2 + 1 + PAGE + 1
SUPERUSER_QUERIES = PAGE + 1


@pytest.fixture
def accounts(alice, northfield, northfield_radiology, southbay):
    colleague = FacultyFactory(user=UserFactory())
    AppointmentFactory(faculty=colleague, department=northfield_radiology, primary=True)
    return {
        "alice_instagram": SocialAccountFactory(platform=platform("instagram"), faculty=alice.faculty),
        "alice_youtube": SocialAccountFactory(platform=platform("youtube"), faculty=alice.faculty),
        "colleague": SocialAccountFactory(platform=platform("instagram"), faculty=colleague),
        "radiology": SocialAccountFactory(
            platform=platform("twitter"), kind="department", faculty=None, department=northfield_radiology
        ),
        "northfield": SocialAccountFactory(
            platform=platform("linkedin"), kind="institution", faculty=None, institution=northfield
        ),
        "southbay": SocialAccountFactory(
            platform=platform("instagram"), kind="institution", faculty=None, institution=southbay
        ),
    }


@pytest.fixture
def posts(accounts):
    """Seven posts an account, every second hour; the accounts publish at the same times (ties)."""
    made = []
    for account in accounts.values():
        for hour in range(0, 14, 2):
            made.append(
                PostFactory(
                    account=account,
                    published_at=START + dt.timedelta(hours=hour),
                    category="education" if hour % 4 else "research",
                    caption="Case of the week #MSKMonday" if hour % 6 else "New paper out",
                )
            )
    for post in made[::3]:
        PostMetricsFactory(post=post, captured_on=dt.date(2024, 5, 7), likes=post.pk, impressions=1000)
    return made


def walk(client, url: str) -> tuple[list[int], list[dict]]:
    """Every post id of the list from `url` by its `next` links, then back from the last page by `previous`."""
    pages = []
    while url:
        page = client.get(url).json()
        pages.append(page)
        url = page["next"]
    forward = [post["id"] for page in pages for post in page["results"]]
    backward, url = [], pages[-1]["previous"]
    while url:
        page = client.get(url).json()
        backward = [post["id"] for post in page["results"]] + backward
        url = page["previous"]
    assert backward == forward[: len(backward)]
    return forward, pages


def expected(user, **filters) -> list[int]:
    visible = Post.objects.visible_to(user).filter(**filters).order_by("-published_at", "-id")
    return list(visible.values_list("pk", flat=True))


@pytest.mark.parametrize("username", ["root", "nora", "bob", "alice", "charlie"])
@pytest.mark.parametrize("page_size", [1, 4, 50])
def test_each_role_walks_exactly_its_visible_posts_across_accounts_and_ties(
    request, posts, api_client, username, page_size
):
    user = request.getfixturevalue(username)

    walked, pages = walk(api_client(user), f"/api/v1/posts/?page_size={page_size}")

    assert walked == expected(user)
    assert all(page["count"] == len(walked) and page["count_exact"] for page in pages)


@pytest.mark.parametrize("username", ["root", "nora", "alice"])
def test_with_more_posts_visible_than_the_count_reads_the_walk_is_the_same(
    request, posts, api_client, username, monkeypatch
):
    """More visible posts than the count reads: on SQLite the page then walks the list's order (`walking_order`)."""
    monkeypatch.setattr(KeysetPagination, "count_cap", 5)
    user = request.getfixturevalue(username)

    walked, pages = walk(api_client(user), "/api/v1/posts/?page_size=4")

    assert walked == expected(user)
    assert all((page["count"], page["count_exact"]) == (5, False) for page in pages)


def test_the_walk_is_taken_for_a_large_enough_share_of_the_sites_accounts_only(
    accounts, alice, nora, root, monkeypatch
):
    """Six accounts on the site: Nora sees four, Alice two, the superuser all (but filters by no ids)."""
    monkeypatch.setattr(metrics.models, "WALK_SHARE", 0.5)

    assert [Post.objects.walk_pays(user) for user in (nora, alice, root)] == [True, False, False]


def test_a_faculty_member_with_one_account_sees_its_posts_only(posts, accounts, api_client):
    only_one = UserFactory()
    faculty = accounts["colleague"].faculty
    faculty.user = only_one
    faculty.save()

    walked, _ = walk(api_client(only_one), "/api/v1/posts/?page_size=3")

    assert walked == expected(only_one) == expected(only_one, account=accounts["colleague"])
    assert len(walked) == 7


def test_a_login_without_roles_or_accounts_sees_an_empty_list(posts, api_client):
    body = api_client(UserFactory()).get("/api/v1/posts/").json()

    assert (body["count"], body["results"], body["next"]) == (0, [], None)


def test_an_admin_seeing_many_accounts_walks_them_all(nora, northfield, posts, api_client):
    # More accounts than SQLite takes parameters in one statement (999 in older builds).
    many = SocialAccount.objects.bulk_create(
        SocialAccount(platform=platform("reddit"), handle=f"northfield_{n}", kind="institution", institution=northfield)
        for n in range(1100)
    )
    for hour, account in enumerate(many[::100]):
        PostFactory(account=account, published_at=START + dt.timedelta(hours=hour))

    walked, _ = walk(api_client(nora), "/api/v1/posts/?page_size=7")

    assert walked == expected(nora)
    assert len(walked) == 5 * 7 + 11  # five of the fixture's accounts are Northfield's


def test_filters_combine_with_the_scoping_and_the_cursor(nora, posts, api_client):
    url = (
        "/api/v1/posts/?page_size=2&platform=instagram&category=education&hashtag=mskmonday"
        f"&published_at_after={(START + dt.timedelta(hours=2)).isoformat()}"
    )

    walked, _ = walk(api_client(nora), url.replace("+", "%2B"))

    wanted = expected(
        nora,
        account__platform__key="instagram",
        category="education",
        hashtags__contains=" mskmonday ",
        published_at__gte=START + dt.timedelta(hours=2),
    )
    assert walked == wanted
    assert wanted  # the filters leave some posts, of more than one account
    assert Post.objects.filter(pk__in=wanted).values("account").distinct().count() > 1


def test_each_listed_post_shows_the_metrics_and_engagement_of_the_single_post(nora, posts, api_client):
    client = api_client(nora)

    _, pages = walk(client, "/api/v1/posts/?page_size=5")

    for listed in (post for page in pages for post in page["results"]):
        single = client.get(f"/api/v1/posts/{listed['id']}/").json()
        assert listed == single
    with_metrics = [post for page in pages for post in page["results"] if post["metrics"]]
    assert with_metrics and all(post["metrics"]["likes"] == post["id"] for post in with_metrics)


def test_ordering_by_a_metric_still_walks_every_visible_post(nora, posts, api_client):
    walked, _ = walk(api_client(nora), "/api/v1/posts/?page_size=4&ordering=-likes")

    assert sorted(walked) == sorted(expected(nora))
    ranked = Post.objects.filter(pk__in=walked, snapshots__isnull=False).order_by("-snapshots__likes")
    assert walked[: ranked.count()] == list(ranked.values_list("pk", flat=True))


@pytest.mark.parametrize(("username", "queries"), [("root", SUPERUSER_QUERIES), ("nora", SCOPED_QUERIES)])
def test_a_page_costs_the_same_queries_first_or_later_few_or_many(
    request, posts, accounts, api_client, django_assert_num_queries, username, queries
):
    user = request.getfixturevalue(username)
    # A client a request: the roles are read once per request, on the request's own user object.
    first_client, later_client = api_client(user), api_client(user)
    with django_assert_num_queries(queries):
        first = first_client.get("/api/v1/posts/?page_size=5").json()
    for n in range(30):
        PostFactory(account=accounts["radiology"], published_at=START + dt.timedelta(minutes=n))

    with django_assert_num_queries(queries):
        later = later_client.get(first["next"]).json()

    assert len(later["results"]) == 5


def test_one_of_matches_any_of_a_long_list_of_ids_and_none_of_an_empty_one(posts, accounts):
    ids = [accounts["radiology"].pk, accounts["southbay"].pk, *range(10**6, 10**6 + 2000)]

    found = Post.objects.filter(OneOf(F("account"), ids))

    assert {post.account_id for post in found} == {accounts["radiology"].pk, accounts["southbay"].pk}
    assert found.count() == 14
    assert not Post.objects.filter(OneOf(F("account"), [])).exists()


def test_a_request_without_filters_skips_none_that_a_filter_would_apply(nora, posts, api_client):
    client = api_client(nora)

    unknown = client.get("/api/v1/posts/", {"unknown": "x", "page_size": 100}).json()
    invalid = client.get("/api/v1/posts/", {"account": "not an id"})
    other_institution = client.get(
        "/api/v1/posts/",
        {
            "account": Post.objects.filter(account__institution__slug="southbay")
            .values_list("account", flat=True)
            .first()
        },
    )

    assert [post["id"] for post in unknown["results"]] == expected(nora)
    assert invalid.status_code == other_institution.status_code == 400


def test_reading_the_list_skips_nothing_a_write_checks(nora, accounts, api_client):
    """Related choices are scoped for writes only: a post for another institution's account is refused."""
    response = api_client(get_user_model().objects.get(pk=nora.pk)).post(
        "/api/v1/posts/",
        {
            "account": accounts["southbay"].pk,
            "external_id": "x1",
            "published_at": timezone.now().isoformat(),
            "content_type": "image",
        },
    )

    assert response.status_code == 400
    assert "account" in response.json()
