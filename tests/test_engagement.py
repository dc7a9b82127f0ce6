"""The engagement definitions of the design, on single posts and on many."""

import datetime as dt

import pytest

from metrics import engagement
from metrics.models import Post
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory

WORKED_EXAMPLE = {"likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42, "follows": 9}
UTC = dt.UTC


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=UTC)


def test_worked_example_has_292_actions_and_a_rate_of_4_7_percent():
    result = engagement.post_engagement({**WORKED_EXAMPLE, "impressions": 6154}, followers=None)

    assert result.actions == 292
    assert result.rate_by_impressions == pytest.approx(292 / 6154)
    assert round(result.rate_by_impressions * 100, 1) == 4.7
    assert f"{result.rate_by_impressions:.5f}" == "0.04745"


def test_unreported_fields_count_as_zero_in_actions():
    assert engagement.actions({"likes": 5, "comments": None}) == 5
    assert engagement.actions({}) == 0


def test_every_action_field_counts_once():
    counts = dict.fromkeys(engagement.ACTION_FIELDS, 1)
    counts.update(impressions=1000, reach=1000, views=1000, watch_time_seconds=1000)
    assert engagement.actions(counts) == 8


@pytest.mark.parametrize("denominator", [None, 0])
def test_rate_without_a_denominator_is_not_computable(denominator):
    assert engagement.rate(10, denominator) is None


def test_rates_are_independent_of_each_other():
    result = engagement.post_engagement({"likes": 10, "impressions": None, "reach": 200}, followers=0)

    assert result.rate_by_impressions is None
    assert result.rate_by_reach == pytest.approx(0.05)
    assert result.rate_by_followers is None


def test_summary_gives_mean_min_max_and_pooled_over_computable_posts():
    rows = [
        {"likes": 10, "impressions": 100, "reach": None, "followers": 1000},  # 10%
        {"likes": 30, "impressions": 1000, "reach": 600, "followers": 1000},  # 3%
        {"likes": 5, "impressions": None, "reach": None, "followers": None},  # no rate at all
    ]
    summary = engagement.summarize(rows, as_of=dt.date(2024, 1, 1))

    assert summary.posts == 3
    assert summary.actions == 45
    assert summary.impressions == 1100
    rates = summary.by_impressions
    assert rates.posts == 2
    assert rates.mean == pytest.approx(0.065)
    assert rates.min == pytest.approx(0.03)
    assert rates.max == pytest.approx(0.10)
    # Pooled: the 5 actions of the post without impressions do not count.
    assert rates.pooled == pytest.approx(40 / 1100)
    assert summary.by_reach.posts == 1
    assert summary.by_reach.mean == summary.by_reach.pooled == pytest.approx(30 / 600)
    assert summary.by_followers.pooled == pytest.approx(40 / 2000)


def test_summary_of_nothing_is_not_computable_rather_than_zero():
    summary = engagement.summarize([], as_of=dt.date(2024, 1, 1))

    assert summary.posts == 0
    assert summary.impressions is None
    assert all(r.mean is None and r.pooled is None and r.min is None for r in summary.rates)


# --- the same definitions through the database -------------------------------------------------


@pytest.fixture
def post(db):
    return PostFactory(published_at=published(dt.date(2024, 3, 10)))


def test_metrics_as_of_a_date_use_the_latest_snapshot_on_or_before_it(post):
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 11), likes=10, impressions=100)
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 20), likes=20, impressions=400)
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 4, 30), likes=99, impressions=999)

    annotated = Post.objects.with_metrics_as_of(dt.date(2024, 4, 1)).get()

    assert (annotated.likes, annotated.impressions) == (20, 400)
    assert annotated.snapshot_captured_on == dt.date(2024, 3, 20)


def test_snapshots_after_the_as_of_date_are_ignored(post):
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 20), likes=20)

    annotated = Post.objects.with_engagement(dt.date(2024, 3, 19)).get()

    assert annotated.snapshot_id is None
    assert annotated.likes is None
    # Nothing is known of the post on that day: no actions, no rate, not even by followers.
    assert annotated.engagement.actions is None
    assert annotated.engagement.rate_by_impressions is None
    assert annotated.engagement.rate_by_followers is None


def test_summaries_leave_out_posts_without_a_snapshot(post):
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 1), followers=100)
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 11), likes=10)
    PostFactory(account=post.account, published_at=published(dt.date(2024, 3, 12)))  # no snapshot at all

    summary = Post.objects.engagement_summary(dt.date(2024, 4, 1))

    assert (summary.posts, summary.posts_with_metrics, summary.actions) == (2, 1, 10)
    assert summary.by_followers.posts == 1
    assert summary.by_followers.mean == summary.by_followers.min == pytest.approx(0.1)
    # The post without a snapshot has followers on its day, but no actions: not in the pooled denominator either.
    assert (summary.by_followers.actions, summary.by_followers.denominator_total) == (10, 100)
    assert summary.by_followers.pooled == pytest.approx(0.1)


def test_blank_counts_stay_blank_and_are_not_zero(post):
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 20), likes=0, impressions=None)

    annotated = Post.objects.with_metrics_as_of(dt.date(2024, 3, 20)).get()

    assert annotated.likes == 0
    assert annotated.impressions is None


def test_rate_by_followers_uses_the_followers_on_the_publication_day(post):
    account = post.account
    AccountMetricsFactory(account=account, captured_on=dt.date(2024, 3, 1), followers=1000)
    AccountMetricsFactory(account=account, captured_on=dt.date(2024, 3, 10), followers=1200)
    AccountMetricsFactory(account=account, captured_on=dt.date(2024, 3, 11), followers=5000)
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 20), likes=60)

    annotated = Post.objects.with_engagement(dt.date(2024, 4, 1)).get()

    assert annotated.followers == 1200
    assert annotated.engagement.rate_by_followers == pytest.approx(0.05)


def test_follower_counts_that_were_not_reported_are_skipped(post):
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 1), followers=800)
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 5), followers=None, following=10)

    assert Post.objects.with_followers_on_publication().get().followers == 800


@pytest.mark.parametrize(
    ("site_time_zone", "published_at_utc", "followers"),
    [
        ("UTC", dt.datetime(2024, 3, 10, 23, 59, 59, 500000, tzinfo=UTC), 1200),  # the last instant of 10 March
        ("UTC", dt.datetime(2024, 3, 11, 0, 0, tzinfo=UTC), 5000),
        ("America/New_York", dt.datetime(2024, 3, 11, 2, 0, tzinfo=UTC), 1200),  # still 10 March in New York
        ("Asia/Tokyo", dt.datetime(2024, 3, 10, 16, 0, tzinfo=UTC), 5000),  # already 11 March in Tokyo
    ],
)
def test_the_publication_day_is_the_day_in_the_site_time_zone(
    db, settings, site_time_zone, published_at_utc, followers
):
    settings.TIME_ZONE = site_time_zone
    post = PostFactory(published_at=published_at_utc)
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 10), followers=1200)
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 11), followers=5000)

    assert Post.objects.with_followers_on_publication().get().followers == followers


def test_no_follower_history_means_rate_by_followers_is_not_computable(post):
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 11), followers=5000)  # after the post
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 20), likes=60, impressions=600)

    annotated = Post.objects.with_engagement(dt.date(2024, 4, 1)).get()

    assert annotated.followers is None
    assert annotated.engagement.rate_by_followers is None
    assert annotated.engagement.rate_by_impressions == pytest.approx(0.1)


def test_engagement_needs_the_annotation(post):
    with pytest.raises(AttributeError, match="with_engagement"):
        Post.objects.get().engagement  # noqa: B018


def test_worked_example_through_the_database(post):
    AccountMetricsFactory(account=post.account, captured_on=dt.date(2024, 3, 1), followers=7100)
    PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 20), impressions=6154, **WORKED_EXAMPLE)

    result = Post.objects.with_engagement(dt.date(2024, 4, 1)).get().engagement

    assert result.actions == 292
    assert result.rate_by_impressions == pytest.approx(0.04745, abs=1e-5)
    assert result.rate_by_followers == pytest.approx(292 / 7100)


def test_summaries_by_account_in_one_query(db, django_assert_num_queries):
    first, second = SocialAccountFactory(), SocialAccountFactory()
    for account, likes in ((first, 10), (first, 30), (second, 7)):
        post = PostFactory(account=account, published_at=published(dt.date(2024, 3, 1)))
        PostMetricsFactory(post=post, captured_on=dt.date(2024, 3, 2), likes=likes, impressions=100)

    with django_assert_num_queries(1):
        summaries = Post.objects.all().engagement_summaries_by_account(dt.date(2024, 4, 1))

    assert summaries[first.pk].posts == 2
    assert summaries[first.pk].by_impressions.mean == pytest.approx(0.2)
    assert summaries[first.pk].by_impressions.min == pytest.approx(0.1)
    assert summaries[second.pk].by_impressions.pooled == pytest.approx(0.07)


def test_queryset_summary_matches_the_plain_formulas(db):
    account = SocialAccountFactory()
    AccountMetricsFactory(account=account, captured_on=dt.date(2024, 1, 1), followers=2000)
    expected_rows = []
    for i, (likes, impressions) in enumerate([(50, 1000), (20, 800), (5, None)]):
        post = PostFactory(account=account, published_at=published(dt.date(2024, 2, 1 + i)))
        PostMetricsFactory(post=post, captured_on=dt.date(2024, 2, 10), likes=likes, impressions=impressions)
        expected_rows.append({"likes": likes, "impressions": impressions, "followers": 2000})

    summary = Post.objects.filter(account=account).engagement_summary(dt.date(2024, 3, 1))

    assert summary == engagement.summarize(expected_rows, as_of=dt.date(2024, 3, 1))
