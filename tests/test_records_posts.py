"""
A faculty member's posts in the site: the list (its numbers, sorting, filters, pages), the post page, and who may
see and change what. Alice keeps her own; Nora administers Northfield; Bob reviews and changes nothing; Charlie,
Southbay's admin, finds none of it.
"""

import datetime as dt

import pytest
from django.urls import reverse

from metrics.models import Post
from portfolio.records.paging import page_of
from tests.factories import AccountMetricsFactory
from tests.factories import FacultyFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

WORKED_EXAMPLE = {"impressions": 6154, "likes": 184, "comments": 10, "shares": 11, "saves": 36}


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def alices_posts(alice_instagram):
    """Four posts: the worked example (4.7%), a weaker one, one with no impressions, one with no snapshot."""
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 1, 1), followers=5000)
    example = PostFactory(
        account=alice_instagram,
        external_id="example",
        published_at=published(dt.date(2025, 3, 3)),
        caption="Segond fracture #MSKMonday",
    )
    PostMetricsFactory(post=example, **WORKED_EXAMPLE, profile_visits=42, follows=9)
    weaker = PostFactory(
        account=alice_instagram,
        external_id="weaker",
        published_at=published(dt.date(2025, 4, 1)),
        caption="Residency tips",
        category="mentorship",
        content_type="video",
    )
    PostMetricsFactory(post=weaker, impressions=1000, reach=900, likes=10)
    no_impressions = PostFactory(
        account=alice_instagram, external_id="no-impressions", published_at=published(dt.date(2025, 5, 1))
    )
    PostMetricsFactory(post=no_impressions, likes=50)
    no_snapshot = PostFactory(
        account=alice_instagram, external_id="no-snapshot", published_at=published(dt.date(2025, 6, 1))
    )
    return {"example": example, "weaker": weaker, "no_impressions": no_impressions, "no_snapshot": no_snapshot}


def listed(response) -> list[str]:
    return [post.external_id for post in response.context["posts"]]


def test_faculty_member_sees_her_posts_with_the_sites_numbers(client, alice, alices_posts):
    client.force_login(alice)
    response = client.get(reverse("records:posts"))
    assert response.status_code == 200
    assert listed(response) == ["no-snapshot", "no-impressions", "weaker", "example"]
    html = response.content.decode()
    assert "6,154" in html  # impressions of the worked example
    assert "292" in html  # its actions
    assert "4.7%" in html  # actions / impressions, as `metrics.formatting.percent` writes it
    assert "no snapshot" in html


def test_sorting_by_engagement_rate_puts_not_computable_last_both_ways(client, alice, alices_posts):
    client.force_login(alice)
    descending = client.get(reverse("records:posts"), {"sort": "-rate_impressions"})
    assert listed(descending)[:2] == ["example", "weaker"]
    assert set(listed(descending)[2:]) == {"no-impressions", "no-snapshot"}
    ascending = client.get(reverse("records:posts"), {"sort": "rate_impressions"})
    assert listed(ascending)[:2] == ["weaker", "example"]


def test_every_column_sorts(client, alice, alices_posts):
    client.force_login(alice)
    assert listed(client.get(reverse("records:posts"), {"sort": "-actions"}))[:3] == [
        "example",
        "no-impressions",
        "weaker",
    ]
    assert listed(client.get(reverse("records:posts"), {"sort": "published"}))[0] == "example"
    assert listed(client.get(reverse("records:posts"), {"sort": "type"}))[-1] == "weaker"  # video after image
    assert listed(client.get(reverse("records:posts"), {"sort": "caption"}))[-1] == "example"  # "Segond ..." last
    # An unknown sort is the default order, not an error.
    assert listed(client.get(reverse("records:posts"), {"sort": "password"}))[0] == "no-snapshot"


def test_the_sql_sort_keys_are_the_engagement_definitions(alice, alices_posts):
    posts = Post.objects.with_engagement(dt.date(2026, 1, 1)).with_sortable_engagement()
    for post in posts:
        numbers = post.engagement
        assert post.sort_actions == numbers.actions
        for denominator in ("impressions", "reach", "followers"):
            expected = getattr(numbers, f"rate_by_{denominator}")
            assert getattr(post, f"sort_rate_by_{denominator}") == pytest.approx(expected)


EDGE_CASES = {
    # name: (snapshot counts or None for no snapshot, the account's followers or None for none reported)
    "zero-impressions": ({"impressions": 0, "reach": 0, "likes": 3}, 500),
    "missing-reach": ({"impressions": 80, "clicks": 2, "dislikes": 1}, 500),
    "nothing-reported": ({}, 500),
    "every-action": (dict.fromkeys(("likes", "dislikes", "comments", "shares", "saves"), 1), 500),
    "visits-and-follows": ({"impressions": 7, "reach": 3, "profile_visits": 5, "follows": 2}, 500),
    "zero-followers": ({"impressions": 10, "likes": 1}, 0),
    "no-followers-reported": ({"impressions": 10, "likes": 1}, None),
    "no-snapshot": (None, 500),
}


@pytest.mark.django_db
def test_the_sql_sort_keys_agree_with_the_engagement_definitions_over_edge_cases(alice):
    for name, (counts, followers) in EDGE_CASES.items():
        account = SocialAccountFactory(faculty=alice.faculty, handle=f"edge-{name}")
        if followers is not None:
            AccountMetricsFactory(account=account, captured_on=dt.date(2025, 1, 1), followers=followers)
        post = PostFactory(account=account, external_id=name, published_at=published(dt.date(2025, 3, 3)))
        if counts is not None:
            PostMetricsFactory(post=post, **counts)

    posts = Post.objects.with_engagement(dt.date(2026, 1, 1)).with_sortable_engagement()
    seen = {}
    for post in posts:
        numbers = post.engagement
        seen[post.external_id] = (post.sort_actions, post.sort_rate_by_impressions)
        assert post.sort_actions == numbers.actions, post.external_id
        for denominator in ("impressions", "reach", "followers"):
            expected = getattr(numbers, f"rate_by_{denominator}")
            assert getattr(post, f"sort_rate_by_{denominator}") == pytest.approx(expected), (
                post.external_id,
                denominator,
            )

    # The definitions themselves, so that agreeing on a wrong answer fails too.
    assert seen["zero-impressions"] == (3, None)
    assert seen["missing-reach"] == (3, pytest.approx(3 / 80))
    assert seen["nothing-reported"] == (0, None)
    assert seen["every-action"][0] == 5
    assert seen["visits-and-follows"] == (7, pytest.approx(1.0))
    assert seen["no-snapshot"] == (None, None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "mentorship"}, ["weaker"]),
        ({"content_type": "video"}, ["weaker"]),
        ({"q": "segond"}, ["example"]),
        ({"platform": "youtube"}, []),
        ({"platform": "instagram", "q": "tips"}, ["weaker"]),
    ],
)
def test_filters_narrow_the_list(client, alice, alices_posts, query, expected):
    client.force_login(alice)
    assert listed(client.get(reverse("records:posts"), query)) == expected


def test_account_filter_offers_and_keeps_only_visible_accounts(client, alice, nora, alices_posts, alice_instagram):
    other = SocialAccountFactory(platform=platform("twitter"), faculty=alice.faculty, handle="alice_x")
    PostFactory(account=other, external_id="on-x")
    client.force_login(alice)
    response = client.get(reverse("records:posts"), {"account": other.pk})
    assert listed(response) == ["on-x"]
    southbay_account = SocialAccountFactory(handle="elsewhere")
    response = client.get(reverse("records:posts"), {"account": southbay_account.pk})
    assert response.context["form"].errors["account"]
    assert "elsewhere" not in response.content.decode()


def test_peer_and_other_institution_see_none_of_her_posts(client, alice, charlie, alices_posts, northfield_radiology):
    peer = UserFactory(username="pete")
    FacultyFactory(name="Pete Peer", user=peer)
    post = alices_posts["example"]
    for user in (peer, charlie):
        client.force_login(user)
        assert listed(client.get(reverse("records:posts"))) == []
        assert client.get(reverse("records:post", args=[post.pk])).status_code == 404
        assert client.get(reverse("records:post-edit", args=[post.pk])).status_code == 404


def test_admin_picks_a_faculty_member(client, nora, alice, dana, alices_posts):
    SocialAccountFactory(faculty=dana, handle="dana_rads")
    client.force_login(nora)
    response = client.get(reverse("records:posts"), {"faculty": alice.faculty.pk})
    assert len(listed(response)) == 4
    assert "Dana Diaz" in response.content.decode()  # offered among whose posts to show
    assert listed(client.get(reverse("records:posts"), {"faculty": dana.pk})) == []


def test_pages_are_bounded_and_uncounted(alice, alice_instagram, django_assert_num_queries):
    for day in range(7):
        PostFactory(account=alice_instagram, published_at=published(dt.date(2025, 1, 1) + dt.timedelta(days=day)))
    posts = Post.objects.order_by("-published_at", "-pk")
    with django_assert_num_queries(1):  # the rows and one more, never a COUNT
        first = page_of(posts, "1", size=3)
    assert (len(first.rows), first.has_next, first.has_previous) == (3, True, False)
    last = page_of(posts, "3", size=3)
    assert (len(last.rows), last.has_next, last.has_previous) == (1, False, True)
    assert page_of(posts, "not a number", size=3).number == 1
    assert page_of(posts, "100000", size=3).number == 1


def test_post_list_queries_do_not_grow_with_posts(client, alice, alice_instagram, django_assert_num_queries):
    def add(count):
        for _ in range(count):
            PostMetricsFactory(post=PostFactory(account=alice_instagram), impressions=100, likes=5)

    add(5)
    client.force_login(alice)
    client.get(reverse("records:posts"))  # the session and the user, read once
    # session, user, roles (memberships, faculty), whose posts, accounts, platforms, the page of posts
    with django_assert_num_queries(8):
        client.get(reverse("records:posts"))
    add(20)
    with django_assert_num_queries(8):
        response = client.get(reverse("records:posts"))
    assert len(response.context["posts"]) == 25
