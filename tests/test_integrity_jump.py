"""
The sudden-jump flag: a post whose actions, or rate by impressions, lie more than 3 interquartile ranges above the
median of its account's period posts, judged over at least 8 posts. Alice's dossier highlights the worked example
(292 actions on 6,154 impressions); raising its likes from 184 to 3,000 through the API must raise the flag.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from metrics.models import PostMetrics
from portfolio.dossiers.integrity import JUMP_MINIMUM_POSTS
from portfolio.dossiers.integrity import KINDS
from portfolio.dossiers.integrity import integrity_flags
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

# Besides the worked example (292 actions) and the fixture's second post (50 likes on 1,000 impressions).
OTHER_LIKES = [150, 170, 190, 210, 230, 250, 270]


def ordinary_posts(account, likes: list[int]) -> None:
    for number, count in enumerate(likes):
        post = PostFactory(
            account=account,
            external_id=f"ordinary-{number}",
            published_at=dt.datetime(2025, 5, 1 + number, 12, tzinfo=dt.UTC),
        )
        PostMetricsFactory(post=post, captured_on=dt.date(2025, 6, 1), impressions=5000, likes=count)


def jumps(dossier) -> list:
    flags = integrity_flags(
        account_ids=list(dossier.accounts.values_list("pk", flat=True)),
        start=dossier.period_start,
        end=dossier.period_end,
        as_of=dossier.as_of,
    )
    return [flag for flag in flags if flag.kind == "sudden_jump"]


def raise_likes_through_the_api(alice, worked_post) -> None:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=alice.pk))
    snapshot = PostMetrics.objects.get(post=worked_post)
    response = client.patch(f"/api/v1/post-metrics/{snapshot.pk}/", {"likes": 3000}, format="json")
    assert response.status_code == 200, response.content


def test_the_worked_example_is_not_a_jump(dossier, alice_instagram):
    ordinary_posts(alice_instagram, OTHER_LIKES)

    assert jumps(dossier) == []


def test_3000_likes_sent_through_the_api_raise_the_jump_flag_with_its_numbers(
    dossier, alice, alice_instagram, worked_post, signed_in
):
    ordinary_posts(alice_instagram, OTHER_LIKES)

    raise_likes_through_the_api(alice, worked_post)

    [flag] = jumps(dossier)
    assert (flag.post_id, flag.captured_on) == (worked_post.pk, dt.date(2025, 3, 10))
    # Actions of the 9 posts: 50, 150, 170, 190, 210, 230, 250, 270 and 3,108: quartiles 170 and 250 around a
    # median of 210, so the limit is 210 + 3 x 80 = 450. Rates: quartiles 3.8% and 5.0%, median 4.6%: 8.2%.
    assert flag.detail == (
        "3,108 actions, above 450: the median of the account's 9 posts of the period, 210, plus 3 times the "
        "interquartile range 170 to 250; a rate by impressions of 50.5%, above 8.2%: the median of the account's "
        "9 posts of the period, 4.6%, plus 3 times the interquartile range 3.8% to 5.0% (snapshot of 2025-03-10)."
    )
    page = signed_in(alice).get(f"/dossiers/{dossier.pk}/")
    assert KINDS["sudden_jump"] in page.content.decode()


def test_with_fewer_than_eight_posts_nothing_is_judged(dossier, alice, alice_instagram, worked_post):
    ordinary_posts(alice_instagram, OTHER_LIKES[: JUMP_MINIMUM_POSTS - 3])  # 7 posts in all

    raise_likes_through_the_api(alice, worked_post)

    assert jumps(dossier) == []


def test_the_jump_is_judged_within_each_account(dossier, alice, alice_instagram, worked_post):
    other = SocialAccountFactory(platform=platform("tiktok"), handle="alice.rad", faculty=alice.faculty)
    dossier.accounts.add(other)
    ordinary_posts(other, [*OTHER_LIKES, 20])  # 8 small posts elsewhere do not make 292 actions a jump here

    assert jumps(dossier) == []


def test_the_jump_costs_no_query_of_its_own(dossier, alice, alice_instagram, worked_post, django_assert_num_queries):
    ordinary_posts(alice_instagram, OTHER_LIKES)
    raise_likes_through_the_api(alice, worked_post)

    window = {"start": dossier.period_start, "end": dossier.period_end, "as_of": dossier.as_of}

    # Posts, follower counts and audience: the same three queries as without a jump.
    with django_assert_num_queries(3):
        flags = integrity_flags(account_ids=[alice_instagram.pk], **window)
    assert [flag.post_id for flag in flags if flag.kind == "sudden_jump"] == [worked_post.pk]
