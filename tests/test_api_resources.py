"""
The resources of /api/v1/ as clients see them: field names, read-only fields,
the engagement numbers, token sign-in, pagination, filters, ordering, and the
OpenAPI schema with its documentation pages.
"""

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Platform
from portfolio.pagination import KeysetPagination
from tests.factories import PASSWORD
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db

# The published nuclear-medicine example: 292 actions over 6,154 impressions (4.745%).
WORKED_EXAMPLE = {
    "likes": 184,
    "comments": 10,
    "shares": 11,
    "saves": 36,
    "profile_visits": 42,
    "follows": 9,
    "impressions": 6154,
}
METRIC_FIELDS = {
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
}
ENGAGEMENT_FIELDS = {"actions", "rate_by_impressions", "rate_by_reach", "rate_by_followers"}
RATE_PARTS = ("mean", "min", "max", "pooled")


def published(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def listed_ids(response) -> set[int]:
    return {row["id"] for row in results(response)}


def every_table() -> dict:
    models = [*apps.get_app_config("accounts").get_models(), *apps.get_app_config("metrics").get_models()]
    return {model: list(model.objects.order_by("pk").values()) for model in [*models, get_user_model()]}


@pytest.fixture
def sign_in():
    """`sign_in(username, password)`: POST to the token endpoint, its throttle counting afresh."""
    cache.clear()

    def post(username: str, password: str):
        return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})

    return post


# Field names, exactly: clients depend on them.
FIELDS = {
    "institutions": {"id", "name", "slug", "country", "timezone", "shares_aggregates"},
    "departments": {"id", "institution", "name", "slug"},
    "users": {"id", "username", "email", "first_name", "last_name", "is_active"},
    "memberships": {"id", "user", "institution", "department", "role"},
    "faculty": {"id", "name", "email", "rank", "track", "orcid", "user"},
    "appointments": {"id", "faculty", "department", "title", "primary", "start_date", "end_date"},
    "accounts": {
        "id",
        "platform",
        "handle",
        "url",
        "display_name",
        "kind",
        "faculty",
        "department",
        "institution",
        "followers",
        "followers_on",
    },
    "posts": {
        "id",
        "account",
        "external_id",
        "url",
        "published_at",
        "content_type",
        "caption",
        "hashtags",
        "category",
        "highlight_note",
        "metrics",
        "engagement",
    },
    # Snapshots gained `provenance` (where the numbers came from, in words); nothing they had changed.
    "post-metrics": {"id", "post", "captured_on", *METRIC_FIELDS, "source", "verified", "provenance"},
    "account-metrics": {
        *("id", "account", "captured_on", "followers", "following", "posts_count", "source", "verified"),
        "provenance",
    },
    "audience": {"id", "account", "captured_on", "dimension", "bucket", "count", "source", "verified", "provenance"},
}


@pytest.mark.parametrize(("resource", "fields"), FIELDS.items(), ids=list(FIELDS))
def test_each_resource_answers_with_its_documented_field_names(world, api_client, resource, fields):
    client = api_client(world.people["root"])
    obj = world.get(resource, "alice")

    detail = client.get(f"/api/v1/{resource}/{obj.pk}/")
    listed = results(client.get(f"/api/v1/{resource}/"))

    assert detail.status_code == 200
    assert set(detail.json()) == fields
    assert all(set(row) == fields for row in listed)


# Platforms: a read-only registry, looked up by key.


def test_platforms_are_looked_up_by_key_and_describe_what_they_offer(alice, api_client):
    response = api_client(alice).get("/api/v1/platforms/instagram/")

    assert response.status_code == 200
    body = response.json()
    assert body["key"] == "instagram"
    assert body["name"] == "Instagram"
    assert body["caption_limit"] == 2200
    assert body["hashtag_limit"] == 30
    assert body["media_per_post_limit"] == 10
    assert "id" not in body


def test_a_platform_shows_every_field_of_the_registry_but_its_id(alice, api_client):
    body = api_client(alice).get("/api/v1/platforms/twitter/").json()

    assert list(body) == list(Platform.FIELDS)
    assert set(Platform.FIELDS) == {field.name for field in Platform._meta.concrete_fields} - {"id"}


def test_platform_list_holds_the_whole_registry(alice, api_client):
    response = api_client(alice).get("/api/v1/platforms/", {"page_size": 200})

    assert {row["key"] for row in results(response)} == set(Platform.objects.values_list("key", flat=True))
    assert response.json()["count"] == 14


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_platforms_are_read_only_even_for_a_superuser(root, api_client, method):
    before = list(Platform.objects.order_by("pk").values())
    path = "/api/v1/platforms/" if method == "post" else "/api/v1/platforms/instagram/"

    response = getattr(api_client(root), method)(path, {"key": "myspace", "name": "Myspace"})

    assert response.status_code == 405
    assert list(Platform.objects.order_by("pk").values()) == before


def test_unknown_platform_key_is_not_found(alice, api_client):
    assert api_client(alice).get("/api/v1/platforms/myspace/").status_code == 404


# Users: the password is write-only.


def test_new_login_can_sign_in_with_its_password_which_is_never_shown(nora, northfield, api_client, sign_in):
    body = {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password": "an-unusual-Passphrase-42",
        # An institution admin's new login belongs to her institution from the start.
        "role": "reviewer",
        "institution": northfield.pk,
    }

    response = api_client(nora).post("/api/v1/users/", body)

    assert response.status_code == 201
    assert "password" not in response.json()
    assert sign_in("newcomer", body["password"]).status_code == 200


def test_changing_a_password_through_the_api_changes_the_sign_in(nora, alice, api_client):
    response = api_client(nora).patch(f"/api/v1/users/{alice.pk}/", {"password": "a-new-Passphrase-for-alice"})

    assert response.status_code == 200
    assert "password" not in response.json()
    alice.refresh_from_db()
    assert alice.check_password("a-new-Passphrase-for-alice")


def test_a_weak_password_is_refused_with_the_reasons(nora, api_client):
    response = api_client(nora).post("/api/v1/users/", {"username": "newcomer", "password": "123"})

    assert response.status_code == 400
    assert "This password is too short. It must contain at least 8 characters." in response.json()["password"]
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_user_list_never_shows_passwords(nora, alice, api_client):
    rows = results(api_client(nora).get("/api/v1/users/"))

    assert rows
    assert all("password" not in row for row in rows)


# Accounts: followers are read-only, the latest reported count.


def test_account_shows_its_latest_follower_count_and_its_day(alice_instagram, alice, api_client):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1), followers=900)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 2, 1), followers=1100)
    # A day without a follower count does not hide the last one that had it.
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 3, 1), followers=None)

    body = api_client(alice).get(f"/api/v1/accounts/{alice_instagram.pk}/").json()

    assert body["followers"] == 1100
    assert body["followers_on"] == "2024-02-01"
    assert body["platform"] == "instagram"


def test_account_without_follower_counts_shows_null_not_zero(alice_instagram, alice, api_client):
    body = api_client(alice).get(f"/api/v1/accounts/{alice_instagram.pk}/").json()

    assert body["followers"] is None
    assert body["followers_on"] is None


def test_followers_cannot_be_written_through_the_account(alice_instagram, alice, api_client):
    response = api_client(alice).patch(
        f"/api/v1/accounts/{alice_instagram.pk}/", {"followers": 10**6, "followers_on": "2024-01-01"}
    )

    assert response.status_code == 200
    assert response.json()["followers"] is None
    assert not alice_instagram.follower_snapshots.exists()


def test_a_handle_pasted_with_its_at_sign_is_stored_without_it(alice, api_client):
    body = {"platform": "twitter", "handle": "@alice_teaches", "kind": "personal", "faculty": alice.faculty.pk}

    response = api_client(alice).post("/api/v1/accounts/", body)

    assert response.status_code == 201
    assert response.json()["handle"] == "alice_teaches"


# Posts: hashtags, latest metrics and engagement are computed and read-only.


@pytest.fixture
def worked_example_post(alice_instagram):
    """The worked example, captured on 15 March after an earlier snapshot; 1,000 followers on its day."""
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 2, 28), followers=1000)
    post = PostFactory(
        account=alice_instagram,
        external_id="worked-example",
        published_at=published(dt.date(2024, 3, 1)),
        caption="Which tracer is this? #NucMed #FridayQuizDay #nucmed",
    )
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 2), likes=50, impressions=2000)
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 15), **WORKED_EXAMPLE)
    return post


def test_post_shows_its_latest_snapshot_and_its_engagement_as_fractions(worked_example_post, alice, api_client):
    body = api_client(alice).get(f"/api/v1/posts/{worked_example_post.pk}/").json()

    assert body["metrics"]["captured_on"] == "2024-03-15"
    assert set(body["metrics"]) == {"captured_on", *METRIC_FIELDS}
    assert {field: body["metrics"][field] for field in WORKED_EXAMPLE} == WORKED_EXAMPLE
    assert body["metrics"]["reach"] is None
    assert set(body["engagement"]) == ENGAGEMENT_FIELDS
    assert body["engagement"]["actions"] == 292
    assert f"{body['engagement']['rate_by_impressions']:.5f}" == "0.04745"
    assert body["engagement"]["rate_by_reach"] is None
    assert body["engagement"]["rate_by_followers"] == pytest.approx(0.292)


def test_post_lists_its_hashtags_once_each_as_written(worked_example_post, alice, api_client):
    body = api_client(alice).get(f"/api/v1/posts/{worked_example_post.pk}/").json()

    assert body["hashtags"] == ["NucMed", "FridayQuizDay"]


def test_hashtags_metrics_and_engagement_cannot_be_written(worked_example_post, alice, api_client):
    response = api_client(alice).patch(
        f"/api/v1/posts/{worked_example_post.pk}/",
        {"hashtags": ["Injected"], "metrics": {"likes": 1}, "engagement": {"actions": 1}},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["hashtags"] == ["NucMed", "FridayQuizDay"]
    assert body["engagement"]["actions"] == 292
    assert worked_example_post.snapshots.count() == 2


def test_changing_a_caption_changes_its_hashtags(worked_example_post, alice, api_client):
    response = api_client(alice).patch(
        f"/api/v1/posts/{worked_example_post.pk}/", {"caption": "Now a #TummyTuesday case"}
    )

    assert response.json()["hashtags"] == ["TummyTuesday"]


def test_post_without_a_follower_count_on_its_day_has_no_rate_by_followers(alice_instagram, alice, api_client):
    # The only follower count is from after the post: not the followers on its day.
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 6, 1), followers=1000)
    post = PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 3, 1)))
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 2), likes=10, impressions=100)

    engagement = api_client(alice).get(f"/api/v1/posts/{post.pk}/").json()["engagement"]

    assert engagement["rate_by_followers"] is None
    assert engagement["rate_by_impressions"] == pytest.approx(0.1)


def test_zero_impressions_make_the_rate_not_computable_rather_than_an_error(alice_instagram, alice, api_client):
    post = PostFactory(account=alice_instagram)
    PostMetricsFactory(post=post, likes=3, impressions=0, reach=0)

    engagement = api_client(alice).get(f"/api/v1/posts/{post.pk}/").json()["engagement"]

    assert engagement == {"actions": 3, "rate_by_impressions": None, "rate_by_reach": None, "rate_by_followers": None}


def test_post_without_any_snapshot_has_no_metrics(alice_instagram, alice, api_client):
    post = PostFactory(account=alice_instagram)

    body = api_client(alice).get(f"/api/v1/posts/{post.pk}/").json()

    assert body["metrics"] is None
    assert body["engagement"]["rate_by_impressions"] is None


NO_METRICS_ARE_ZERO = (
    "metrics/models.py Post.engagement and engagement_summary treat a post without a snapshot (as of the "
    "date) as 0 actions, so its rate_by_followers is 0.0 instead of null (not computable)"
)


def test_post_without_any_snapshot_has_no_actions_and_no_rate_by_followers(alice_instagram, alice, api_client):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1), followers=1000)
    post = PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 3, 1)))

    engagement = api_client(alice).get(f"/api/v1/posts/{post.pk}/").json()["engagement"]

    # Nothing is known about it yet: not 0 actions, and no rate of 0.
    assert engagement["actions"] is None
    assert {engagement[rate] for rate in ENGAGEMENT_FIELDS - {"actions"}} == {None}


def test_post_ignores_snapshots_captured_after_today(alice_instagram, alice, api_client):
    post = PostFactory(account=alice_instagram, published_at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    PostMetricsFactory(post=post, captured_on=today, likes=5)
    PostMetricsFactory(post=post, captured_on=today + dt.timedelta(days=1), likes=500)

    body = api_client(alice).get(f"/api/v1/posts/{post.pk}/").json()

    assert body["metrics"]["likes"] == 5


# The engagement summary of an account: accounts/{id}/engagement/?start=&end=&as_of=


def engagement_of(client, account, **window):
    return client.get(f"/api/v1/accounts/{account.pk}/engagement/", window)


def test_engagement_summary_reproduces_the_worked_example(worked_example_post, alice, api_client):
    response = engagement_of(api_client(alice), worked_example_post.account, as_of="2024-03-31")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"posts", "as_of", "actions", "impressions", "rate_by_impressions", "rate_by_reach"}
    assert body["posts"] == 1
    assert body["as_of"] == "2024-03-31"
    assert body["actions"] == 292
    assert body["impressions"] == 6154
    rate = body["rate_by_impressions"]
    assert set(rate) >= set(RATE_PARTS)
    assert f"{rate['mean']:.5f}" == f"{rate['pooled']:.5f}" == "0.04745"
    assert rate["min"] == rate["max"] == rate["mean"]
    assert body["rate_by_reach"]["mean"] is None
    assert body["rate_by_reach"]["pooled"] is None
    assert body["rate_by_followers"]["pooled"] == pytest.approx(0.292)


def test_engagement_as_of_a_date_ignores_later_snapshots(worked_example_post, alice, api_client):
    body = engagement_of(api_client(alice), worked_example_post.account, as_of="2024-03-10").json()

    # The snapshot of 2 March (50 likes over 2,000 impressions), not the one of 15 March.
    assert body["actions"] == 50
    assert body["impressions"] == 2000
    assert body["rate_by_impressions"]["pooled"] == pytest.approx(0.025)


def test_engagement_is_as_of_today_by_default(worked_example_post, alice, api_client):
    body = engagement_of(api_client(alice), worked_example_post.account).json()

    assert body["as_of"] == timezone.localdate().isoformat()
    assert body["actions"] == 292


def test_engagement_window_counts_only_posts_published_in_it(alice_instagram, alice, api_client):
    for day, likes in [(dt.date(2024, 2, 29), 1), (dt.date(2024, 3, 1), 10), (dt.date(2024, 3, 31), 100)]:
        post = PostFactory(account=alice_instagram, published_at=published(day, hour=23))
        PostMetricsFactory(post=post, captured_on=day + dt.timedelta(days=1), likes=likes, impressions=1000)
    PostMetricsFactory(post=PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 4, 1), 0)))

    body = engagement_of(api_client(alice), alice_instagram, start="2024-03-01", end="2024-03-31").json()

    # Both ends are whole days, inclusive.
    assert body["posts"] == 2
    assert body["actions"] == 110
    rate = body["rate_by_impressions"]
    assert (rate["min"], rate["max"]) == (pytest.approx(0.01), pytest.approx(0.1))
    assert rate["mean"] == pytest.approx(0.055)
    assert rate["pooled"] == pytest.approx(0.055)


def test_engagement_mean_and_pooled_rates_answer_different_questions(alice_instagram, alice, api_client):
    small = PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 3, 1)))
    PostMetricsFactory(post=small, captured_on=dt.date(2024, 3, 2), likes=10, impressions=100)  # 10%
    large = PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 3, 2)))
    PostMetricsFactory(post=large, captured_on=dt.date(2024, 3, 3), likes=100, impressions=10_000)  # 1%

    rate = engagement_of(api_client(alice), alice_instagram, as_of="2024-03-31").json()["rate_by_impressions"]

    assert rate["mean"] == pytest.approx(0.055)
    assert rate["pooled"] == pytest.approx(110 / 10_100)


def test_engagement_by_followers_leaves_out_posts_without_metrics_as_of_the_date(alice_instagram, alice, api_client):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1), followers=1000)
    measured = PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 3, 1)))
    PostMetricsFactory(post=measured, captured_on=dt.date(2024, 3, 2), likes=100)
    not_yet_measured = PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 3, 5)))
    PostMetricsFactory(post=not_yet_measured, captured_on=dt.date(2024, 4, 1), likes=300)

    body = engagement_of(api_client(alice), alice_instagram, as_of="2024-03-10").json()

    assert body["posts"] == 2
    assert body["posts_with_metrics"] == 1
    assert body["actions"] == 100
    assert body["rate_by_followers"]["posts"] == 1
    assert body["rate_by_followers"]["mean"] == pytest.approx(0.1)
    assert body["rate_by_followers"]["min"] == pytest.approx(0.1)


def test_engagement_of_an_account_without_posts_is_not_computable_rather_than_zero(alice_instagram, alice, api_client):
    body = engagement_of(api_client(alice), alice_instagram).json()

    assert body["posts"] == 0
    assert body["actions"] == 0
    assert body["impressions"] is None
    for rate in ("rate_by_impressions", "rate_by_reach", "rate_by_followers"):
        assert {body[rate][part] for part in RATE_PARTS} == {None}


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"start": "2024-13-01"}, "start"),
        ({"end": "last week"}, "end"),
        ({"as_of": "2024-02-30"}, "as_of"),
        ({"start": "2024-03-02", "end": "2024-03-01"}, "end"),
    ],
    ids=["month-13", "words", "30-february", "end-before-start"],
)
def test_engagement_refuses_a_bad_window_with_the_field_and_reason(alice_instagram, alice, api_client, window, field):
    response = engagement_of(api_client(alice), alice_instagram, **window)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]


def test_engagement_of_another_institutions_account_is_not_found(charlie, alice_instagram, api_client):
    assert engagement_of(api_client(charlie), alice_instagram).status_code == 404


def test_engagement_of_a_colleagues_account_is_not_found_for_a_faculty_member(world, api_client):
    response = engagement_of(api_client(world.people["alice"]), world.get("accounts", "peer"))

    assert response.status_code == 404


def test_reviewer_reads_the_engagement_of_their_departments_accounts(worked_example_post, bob, api_client):
    response = engagement_of(api_client(bob), worked_example_post.account, as_of="2024-03-31")

    assert response.status_code == 200
    assert response.json()["actions"] == 292


# Token sign-in.


def test_token_sign_in_returns_a_token_that_authenticates(alice, alice_instagram, sign_in):
    response = sign_in("alice", PASSWORD)

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert listed_ids(client.get("/api/v1/accounts/")) == {alice_instagram.pk}


def test_the_same_sign_in_returns_the_same_token(alice, sign_in):
    first = sign_in("alice", PASSWORD).json()
    second = sign_in("alice", PASSWORD).json()

    assert first == second == {"token": Token.objects.get(user=alice).key}


def test_wrong_password_gets_no_token(alice, sign_in):
    response = sign_in("alice", "wrong")

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(alice, sign_in):
    alice.is_active = False
    alice.save()

    assert sign_in("alice", PASSWORD).status_code == 400


def test_password_guessing_is_throttled(alice, sign_in):
    # The 6th wrong password in a row locks the username (tests/test_login_lockout.py has the rest).
    answers = [sign_in("alice", f"guess-{attempt}").status_code for attempt in range(5)]

    assert answers == [400] * 5
    assert sign_in("alice", "guess-6").status_code == 429
    # Even the right password waits.
    assert sign_in("alice", PASSWORD).status_code == 429


def test_unknown_token_is_refused(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get("/api/v1/accounts/")

    assert response.status_code in {401, 403}
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("path", ["", *[f"{resource}/" for resource in FIELDS], "platforms/", "platforms/instagram/"])
def test_anonymous_lists_are_refused_and_show_nothing(world, path):
    response = APIClient().get(f"/api/v1/{path}")

    assert response.status_code in {401, 403}
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("resource", [*FIELDS, "accounts-engagement"])
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_anonymous_requests_on_objects_are_refused_and_change_nothing(world, resource, method):
    if resource == "accounts-engagement":
        path = f"/api/v1/accounts/{world.get('accounts', 'alice').pk}/engagement/"
    else:
        path = f"/api/v1/{resource}/{world.get(resource, 'alice').pk}/"
    before = every_table()

    response = getattr(APIClient(), method)(path, None if method == "get" else {"name": "Changed"})

    assert response.status_code in {401, 403}
    assert set(response.json()) == {"detail"}
    assert every_table() == before


# Pagination.


@pytest.fixture
def many_posts(alice_instagram):
    start = published(dt.date(2024, 1, 1))
    return [
        PostFactory(account=alice_instagram, published_at=start + dt.timedelta(hours=i), external_id=f"p{i:03}")
        for i in range(230)
    ]


def test_lists_are_paginated_by_50_with_count_next_and_previous(many_posts, alice, api_client):
    body = api_client(alice).get("/api/v1/posts/").json()

    assert set(body) == {"count", "count_exact", "next", "previous", "results"}
    assert (body["count"], body["count_exact"]) == (230, True)
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert "/api/v1/posts/?cursor=" in body["next"]


def test_next_and_previous_walk_the_pages(many_posts, alice, api_client):
    client = api_client(alice)

    first = client.get("/api/v1/posts/", {"page_size": 100}).json()
    second = client.get(first["next"]).json()
    last = client.get(second["next"]).json()
    back = client.get(last["previous"]).json()
    front = client.get(back["previous"]).json()

    assert [len(page["results"]) for page in (first, second, last)] == [100, 100, 30]
    assert last["next"] is None
    # Newest first, every post once, and the links keep the page size.
    walked = [post["id"] for page in (first, second, last) for post in page["results"]]
    assert walked == [post.pk for post in reversed(many_posts)]
    assert back["results"] == second["results"]
    assert front["results"] == first["results"]
    assert front["previous"] is None


def test_the_cursor_walks_any_allowed_ordering_with_blanks_last(many_posts, alice, api_client):
    for n, post in enumerate(many_posts[:120]):
        PostMetricsFactory(post=post, likes=n % 7)  # ties, and 110 posts with no likes at all
    client = api_client(alice)

    pages, url = [], "/api/v1/posts/?ordering=-likes&page_size=40"
    while url:
        body = client.get(url).json()
        pages.append(body)
        url = body["next"]
    walked = [((post["metrics"] or {}).get("likes"), post["id"]) for page in pages for post in page["results"]]

    assert len(walked) == len({post_id for _, post_id in walked}) == 230
    counted = [likes for likes, _ in walked if likes is not None]
    assert counted == sorted(counted, reverse=True)
    assert all(likes is None for likes, _ in walked[len(counted) :])
    back = client.get(pages[-1]["previous"]).json()
    assert back["results"] == pages[-2]["results"]


def test_page_size_is_capped_at_200(many_posts, alice, api_client):
    body = api_client(alice).get("/api/v1/posts/", {"page_size": 500}).json()

    assert len(body["results"]) == 200
    assert body["count"] == 230


def test_a_long_list_counts_up_to_its_cap(many_posts, alice, api_client, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "count_cap", 200)

    body = api_client(alice).get("/api/v1/posts/").json()

    assert (body["count"], body["count_exact"]) == (200, False)


def test_an_edited_cursor_is_not_found(many_posts, alice, api_client):
    assert api_client(alice).get("/api/v1/posts/", {"cursor": "bm9uc2Vuc2U"}).status_code == 404


# Filters and ordering.


@pytest.fixture
def catalogue(world, northfield_nucmed):
    """The world's posts, plus a reel of Alice's and a video of the nuclear-medicine department's account."""
    nucmed_account = SocialAccountFactory(
        platform=platform("youtube"), kind="department", faculty=None, department=northfield_nucmed
    )
    posts = {
        "reel": PostFactory(
            account=world.get("accounts", "alice"),
            content_type="short_video",
            category="research",
            caption="New paper! #RadRes",
            published_at=published(dt.date(2024, 5, 1)),
        ),
        "video": PostFactory(
            account=nucmed_account,
            content_type="video",
            category="mentorship",
            caption="Meet our residents #NucMed",
            published_at=published(dt.date(2024, 6, 1)),
        ),
    }
    PostMetricsFactory(post=posts["reel"], captured_on=dt.date(2024, 5, 2), likes=3)
    PostMetricsFactory(post=posts["video"], captured_on=dt.date(2024, 6, 2), likes=7)
    targets = ("alice", "peer", "dana", "southbay")
    return {**{f"world-{target}": world.get("posts", target) for target in targets}, **posts}


def named(catalogue, response) -> set[str]:
    by_id = {post.pk: name for name, post in catalogue.items()}
    return {by_id[pk] for pk in listed_ids(response)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"world-alice", "world-peer", "world-dana", "reel", "video"}),
        ({"platform": "youtube"}, {"video"}),
        ({"platform": "instagram"}, {"world-alice", "reel"}),
        ({"kind": "department"}, {"video"}),
        ({"category": "research"}, {"reel"}),
        ({"content_type": "short_video"}, {"reel"}),
        ({"hashtag": "radres"}, {"reel"}),
        ({"hashtag": "#NucMed"}, {"video"}),
        ({"hashtag": "MSKMonday"}, {"world-alice", "world-peer", "world-dana"}),
        ({"published_at_after": "2024-05-01T00:00:00Z"}, {"reel", "video"}),
        ({"published_at_before": "2024-05-15T00:00:00Z"}, {"world-alice", "world-peer", "world-dana", "reel"}),
        ({"published_at_after": "2024-04-01T00:00:00Z", "published_at_before": "2024-05-15T00:00:00Z"}, {"reel"}),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else None,
)
def test_posts_filter_by_platform_kind_category_type_hashtag_and_period(world, catalogue, api_client, params, expected):
    as_alice = api_client(world.people["alice"]).get("/api/v1/posts/", params)
    as_nora = api_client(world.people["nora"]).get("/api/v1/posts/", params)

    # Alice sees her own posts only; Nora all of Northfield's.
    assert named(catalogue, as_alice) == expected & {"world-alice", "reel"}
    assert named(catalogue, as_nora) == expected


def test_posts_filter_by_institution_department_faculty_and_account(world, catalogue, api_client):
    client = api_client(world.people["root"])

    def posts(**params):
        return named(catalogue, client.get("/api/v1/posts/", {"page_size": 200, **params}))

    northfield = {"world-alice", "world-peer", "world-dana", "reel", "video"}
    assert posts(institution=world.get("institutions", "alice").pk) == northfield
    # Dana's posts belong to both institutions.
    assert posts(institution=world.get("institutions", "southbay").pk) == {"world-dana", "world-southbay"}
    assert posts(department=world.get("departments", "alice").pk) == {"world-alice", "world-dana", "reel"}
    assert posts(department=world.get("departments", "peer").pk) == {"world-peer", "video"}
    assert posts(faculty=world.get("faculty", "alice").pk) == {"world-alice", "reel"}
    assert posts(account=world.get("accounts", "peer").pk) == {"world-peer"}


def test_accounts_filter_by_platform_kind_and_belonging(world, catalogue, api_client):
    client = api_client(world.people["nora"])
    department_account = catalogue["video"].account.handle

    def handles(**params):
        return {row["handle"] for row in results(client.get("/api/v1/accounts/", params))}

    assert handles(platform="twitter") == {"peter_nucmed", "dana_rads"}
    assert handles(kind="department") == {department_account}
    assert handles(department=world.get("departments", "peer").pk) == {"peter_nucmed", department_account}
    assert handles(faculty=world.get("faculty", "dana").pk) == {"dana_rads"}
    assert handles(handle="ALICE_RADS") == {"alice_rads"}


def test_post_snapshots_filter_by_captured_on_range_account_and_platform(world, catalogue, api_client):
    client = api_client(world.people["nora"])
    reel, video = catalogue["reel"], catalogue["video"]
    captured_in_march = {world.get("posts", target).pk for target in ("alice", "peer", "dana")}

    def snapshot_posts(**params):
        return {row["post"] for row in results(client.get("/api/v1/post-metrics/", params))}

    assert snapshot_posts(captured_on_after="2024-05-02") == {reel.pk, video.pk}
    assert snapshot_posts(captured_on_before="2024-05-02") == {reel.pk, *captured_in_march}
    assert snapshot_posts(captured_on_after="2024-05-02", captured_on_before="2024-05-02") == {reel.pk}
    assert snapshot_posts(account=video.account.pk) == {video.pk}
    assert snapshot_posts(platform="youtube") == {video.pk}
    assert snapshot_posts(post=reel.pk) == {reel.pk}


@pytest.mark.parametrize("resource", ["account-metrics", "audience"])
def test_account_snapshots_filter_by_captured_on_range_and_account(world, api_client, resource):
    client = api_client(world.people["root"])
    account = world.get("accounts", "alice")
    counts = {"followers": 1} if resource == "account-metrics" else {"dimension": "age", "bucket": "25-34", "count": 1}
    new = client.post(f"/api/v1/{resource}/", {"account": account.pk, "captured_on": "2024-09-01", **counts})

    assert listed_ids(client.get(f"/api/v1/{resource}/", {"captured_on_after": "2024-08-01"})) == {new.json()["id"]}
    assert new.json()["id"] not in listed_ids(client.get(f"/api/v1/{resource}/", {"captured_on_before": "2024-08-31"}))
    assert len(listed_ids(client.get(f"/api/v1/{resource}/", {"account": account.pk}))) == 2


def test_departments_and_memberships_filter_by_institution(world, api_client):
    client = api_client(world.people["root"])
    northfield = world.get("institutions", "alice")

    departments = listed_ids(client.get("/api/v1/departments/", {"institution": northfield.pk}))
    memberships = listed_ids(client.get("/api/v1/memberships/", {"institution": northfield.pk}))

    assert departments == {world.get("departments", target).pk for target in ("alice", "peer")}
    assert world.get("memberships", "alice").pk in memberships
    assert world.get("memberships", "southbay").pk not in memberships


def test_faculty_and_appointments_filter_by_department(world, api_client):
    client = api_client(world.people["nora"])
    radiology = world.get("departments", "alice")

    faculty = listed_ids(client.get("/api/v1/faculty/", {"department": radiology.pk}))
    appointments = results(client.get("/api/v1/appointments/", {"department": radiology.pk}))

    assert faculty == {world.get("faculty", "alice").pk, world.get("faculty", "dana").pk}
    assert {row["department"] for row in appointments} == {radiology.pk}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("published_at", ["first", "second", "third"]), ("-published_at", ["third", "second", "first"])],
)
def test_posts_order_by_publication(alice_instagram, alice, api_client, ordering, expected):
    posts = {
        name: PostFactory(account=alice_instagram, published_at=published(dt.date(2024, 1, day)))
        for day, name in [(2, "second"), (1, "first"), (3, "third")]
    }
    by_id = {post.pk: name for name, post in posts.items()}

    rows = results(api_client(alice).get("/api/v1/posts/", {"ordering": ordering}))

    assert [by_id[row["id"]] for row in rows] == expected


def test_posts_order_by_their_latest_likes(alice_instagram, alice, api_client):
    for likes in [30, 10, 20]:
        PostMetricsFactory(post=PostFactory(account=alice_instagram), likes=likes)

    rows = results(api_client(alice).get("/api/v1/posts/", {"ordering": "-likes"}))

    assert [row["metrics"]["likes"] for row in rows] == [30, 20, 10]


def test_accounts_order_by_followers(world, api_client):
    for followers, target in [(700, "alice"), (300, "peer"), (900, "dana")]:
        account = world.get("accounts", target)
        AccountMetricsFactory(account=account, captured_on=dt.date(2024, 2, 1), followers=followers)

    rows = results(api_client(world.people["nora"]).get("/api/v1/accounts/", {"ordering": "followers"}))

    assert [row["followers"] for row in rows] == [300, 700, 900]


def test_institutions_order_by_name(world, api_client):
    rows = results(api_client(world.people["root"]).get("/api/v1/institutions/", {"ordering": "-name"}))

    assert [row["slug"] for row in rows] == ["southbay", "northfield"]


# The OpenAPI schema and its documentation pages, which work offline.

DOCUMENTED_PATHS = {
    "/api/v1/auth/token/",
    *(f"/api/v1/{resource}/" for resource in [*FIELDS, "platforms"]),
    *(f"/api/v1/{resource}/{{id}}/" for resource in FIELDS),
    "/api/v1/platforms/{key}/",
    "/api/v1/accounts/{id}/engagement/",
}


def openapi_schema() -> dict:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_is_an_openapi_3_document_with_every_path():
    schema = openapi_schema()

    assert schema["openapi"].startswith("3")
    assert schema["info"]["title"] == "SoMe Portfolio API"
    assert set(schema["paths"]) >= DOCUMENTED_PATHS
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_schema_documents_the_engagement_window_and_its_answer():
    operation = openapi_schema()["paths"]["/api/v1/accounts/{id}/engagement/"]["get"]

    assert {"start", "end", "as_of"} <= {parameter["name"] for parameter in operation["parameters"]}
    assert "200" in operation["responses"]


def test_schema_documents_the_filters_ordering_and_pagination_of_posts():
    operation = openapi_schema()["paths"]["/api/v1/posts/"]["get"]

    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "cursor",
        "page_size",
        "ordering",
        "institution",
        "department",
        "faculty",
        "account",
        "platform",
        "kind",
        "category",
        "content_type",
        "hashtag",
        "published_at_after",
        "published_at_before",
    }


def test_schema_documents_the_token_header():
    schemes = openapi_schema()["components"]["securitySchemes"]

    assert {"type": "apiKey", "in": "header", "name": "Authorization"}.items() <= schemes["tokenAuth"].items()


def asset_urls(html: str) -> list[str]:
    return re.findall(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", html)


@pytest.mark.parametrize("page", ["docs"])
def test_documentation_pages_load_nothing_from_other_hosts(page):
    response = APIClient().get(f"/api/v1/{page}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []
    assert asset_urls(html)
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in asset_urls(html))


@pytest.mark.parametrize("page", ["docs"])
def test_documentation_assets_are_served_by_this_site(settings, page):
    html = APIClient().get(f"/api/v1/{page}/").content.decode()
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    assets = [asset for asset in asset_urls(html) if asset.startswith(static_prefix)]
    # WhiteNoise serves collected files; without `collectstatic`, it serves from the finders.
    settings.WHITENOISE_USE_FINDERS = True
    client = APIClient()

    assert assets
    for asset in assets:
        assert finders.find(asset.removeprefix(static_prefix)), asset
        assert client.get(asset).status_code == 200, asset


def test_docs_page_reads_the_schema_of_this_site():
    html = APIClient().get("/api/v1/docs/").content.decode()

    assert "/api/v1/schema/" in html
