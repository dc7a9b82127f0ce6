"""
"As of a date", the one rule behind every number the site shows: a post's metrics as of D are its latest
snapshot captured on or before D, an account's followers its latest reported count on or before D, its audience
the rows of its latest audience snapshot on or before D. These are the QuerySet methods every read uses.
"""

import datetime as dt

import pytest
from django.db.models import OuterRef
from django.db.models import Subquery

from accounts.models import SocialAccount
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.models import Provenance
from metrics.models import with_followers_as_of
from metrics.models import with_post_count
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytestmark = pytest.mark.django_db

MAR = dt.date(2025, 3, 1)


def day(n: int) -> dt.date:
    """The n-th day of March 2025."""
    return MAR + dt.timedelta(days=n - 1)


def at_noon(on: dt.date) -> dt.datetime:
    return dt.datetime(on.year, on.month, on.day, 12, tzinfo=dt.UTC)


@pytest.fixture
def case_post(alice_instagram):
    """Alice's case of the week, published on 1 March, counted on the 8th, 15th and 29th."""
    post = PostFactory(account=alice_instagram, published_at=at_noon(day(1)))
    for on, likes in ((8, 10), (15, 20), (29, 30)):
        PostMetricsFactory(post=post, captured_on=day(on), likes=likes, impressions=100 * likes)
    return post


@pytest.fixture
def uncounted_post(alice_instagram):
    """Alice's quiz, published on 2 March and never counted."""
    return PostFactory(account=alice_instagram, published_at=at_noon(day(2)))


def likes_as_of(on: dt.date) -> dict[int, int]:
    return dict(PostMetrics.objects.as_of(on).values_list("post_id", "likes"))


def test_a_posts_metrics_as_of_a_day_are_its_latest_snapshot_on_or_before_it(case_post, uncounted_post):
    assert likes_as_of(day(20)) == {case_post.pk: 20}
    assert likes_as_of(day(15)) == {case_post.pk: 20}  # captured on the day itself counts
    assert likes_as_of(day(31)) == {case_post.pk: 30}


def test_a_post_without_a_snapshot_by_then_has_none_not_zeros(case_post, uncounted_post):
    assert likes_as_of(day(7)) == {}
    assert not PostMetrics.objects.as_of(day(31)).filter(post=uncounted_post).exists()


def test_the_latest_snapshot_is_decided_among_all_before_any_filter(case_post):
    # The snapshot of the 29th came through the API; the earlier ones were typed in by hand.
    PostMetrics.objects.filter(post=case_post, captured_on=day(29)).update(source=Provenance.API)

    manual_then_as_of = PostMetrics.objects.filter(source=Provenance.MANUAL).as_of(day(31))
    as_of_then_manual = PostMetrics.objects.as_of(day(31)).filter(source=Provenance.MANUAL)

    # The post's latest is the API one, so no manual snapshot is "the" snapshot as of the 31st.
    assert list(manual_then_as_of) == list(as_of_then_manual) == []
    assert list(PostMetrics.objects.as_of(day(20)).filter(source=Provenance.MANUAL)) == [
        PostMetrics.objects.get(post=case_post, captured_on=day(15))
    ]


def test_as_of_limited_to_some_posts_reads_only_theirs_in_one_query(case_post, alice, django_assert_num_queries):
    other = PostFactory(account=SocialAccountFactory(faculty=alice.faculty), published_at=at_noon(day(1)))
    PostMetricsFactory(post=other, captured_on=day(10), likes=5)

    with django_assert_num_queries(1):
        shown = list(PostMetrics.objects.as_of(day(31), posts=Post.objects.filter(pk=other.pk)))

    assert [(snapshot.post_id, snapshot.likes) for snapshot in shown] == [(other.pk, 5)]
    assert likes_as_of(day(31)) == {case_post.pk: 30, other.pk: 5}


def test_on_or_before_as_a_subquery_gives_each_posts_snapshot_as_of(case_post, uncounted_post):
    latest = PostMetrics.objects.on_or_before(day(20), post=OuterRef("pk"))
    posts = Post.objects.annotate(likes_then=Subquery(latest.values("likes")[:1]))

    assert dict(posts.values_list("pk", "likes_then")) == {case_post.pk: 20, uncounted_post.pk: None}
    assert list(PostMetrics.objects.on_or_before(day(20), post=case_post).values_list("likes", flat=True)) == [20, 10]


@pytest.fixture
def alice_followers(alice_instagram):
    """Counted on 1 March (1,000), on the 10th without a number (not reported), on the 20th (1,200)."""
    for on, followers in ((1, 1000), (10, None), (20, 1200)):
        AccountMetricsFactory(account=alice_instagram, captured_on=day(on), followers=followers)
    return alice_instagram


def followers_as_of(on: dt.date) -> dict[int, tuple[int, dt.date]]:
    rows = AccountMetrics.objects.followers_as_of(on).values_list("account_id", "followers", "captured_on")
    return {account_id: (followers, captured_on) for account_id, followers, captured_on in rows}


def test_an_accounts_followers_as_of_a_day_are_its_latest_reported_count(alice_followers):
    assert followers_as_of(day(1)) == {alice_followers.pk: (1000, day(1))}
    assert followers_as_of(day(25)) == {alice_followers.pk: (1200, day(20))}


def test_a_blank_follower_count_is_skipped_not_taken_as_zero(alice_followers):
    assert followers_as_of(day(10)) == {alice_followers.pk: (1000, day(1))}


def test_an_account_not_counted_by_then_has_no_followers(alice_followers):
    assert followers_as_of(MAR - dt.timedelta(days=1)) == {}


def test_followers_between_two_days_are_the_reported_counts_of_those_days(alice_followers):
    counts = AccountMetrics.objects.followers_between(day(1), day(20)).order_by("captured_on")
    assert list(counts.values_list("captured_on", "followers")) == [(day(1), 1000), (day(20), 1200)]
    assert AccountMetrics.objects.followers_between(None, day(19)).get().followers == 1000


def test_accounts_get_their_followers_of_several_days_in_one_query(
    alice_followers, northfield_radiology, django_assert_num_queries
):
    department = SocialAccountFactory(
        platform=platform("twitter"), kind="department", faculty=None, department=northfield_radiology
    )
    AccountMetricsFactory(account=department, captured_on=day(15), followers=300)
    accounts = with_followers_as_of(SocialAccount.objects.order_by("pk"), day(12))
    accounts = with_followers_as_of(accounts, day(31), name="followers_at_end")

    with django_assert_num_queries(1):
        rows = list(accounts.values_list("pk", "followers", "followers_on", "followers_at_end", "followers_at_end_on"))

    assert rows == [
        (alice_followers.pk, 1000, day(1), 1200, day(20)),
        (department.pk, None, None, 300, day(15)),
    ]


def test_a_post_gets_its_accounts_followers_on_its_publication_day(alice_followers):
    early = PostFactory(account=alice_followers, published_at=at_noon(day(12)))
    late = PostFactory(account=alice_followers, published_at=at_noon(day(20)))
    before_any_count = PostFactory(account=alice_followers, published_at=at_noon(MAR - dt.timedelta(days=3)))

    followers = dict(Post.objects.with_followers_on_publication().values_list("pk", "followers"))

    assert followers == {early.pk: 1000, late.pk: 1200, before_any_count.pk: None}


def test_accounts_count_their_posts_without_a_join(alice_instagram, case_post, uncounted_post, northfield):
    silent = SocialAccountFactory(kind="institution", faculty=None, institution=northfield)

    counts = dict(with_post_count(SocialAccount.objects.all()).values_list("pk", "post_count"))

    assert counts == {alice_instagram.pk: 2, silent.pk: 0}


@pytest.fixture
def alice_audience(alice_instagram):
    """Alice's audience on 1 March (US, GB and an age band) and on the 20th (US only)."""
    for bucket, count in (("US", 100), ("GB", 50)):
        AudienceSnapshotFactory(account=alice_instagram, captured_on=day(1), bucket=bucket, count=count)
    AudienceSnapshotFactory(account=alice_instagram, captured_on=day(1), dimension="age", bucket="25-34", count=80)
    AudienceSnapshotFactory(account=alice_instagram, captured_on=day(20), bucket="US", count=120)
    return alice_instagram


def audience_as_of(on: dt.date, queryset=None) -> set[tuple]:
    queryset = AudienceSnapshot.objects.as_of(on) if queryset is None else queryset
    return set(queryset.values_list("account_id", "captured_on", "dimension", "bucket", "count"))


def test_an_accounts_audience_as_of_a_day_is_every_row_of_its_latest_snapshot(alice_audience):
    account = alice_audience.pk
    assert audience_as_of(day(19)) == {
        (account, day(1), "country", "US", 100),
        (account, day(1), "country", "GB", 50),
        (account, day(1), "age", "25-34", 80),
    }
    # The later snapshot reports no age and no GB: those of the 1st do not carry over.
    assert audience_as_of(day(20)) == {(account, day(20), "country", "US", 120)}
    assert audience_as_of(MAR - dt.timedelta(days=1)) == set()


def test_an_audience_filter_narrows_the_latest_snapshot_without_choosing_another(alice_audience):
    ages = AudienceSnapshot.objects.filter(dimension="age")

    assert audience_as_of(day(25), ages.as_of(day(25))) == set()
    assert audience_as_of(day(25), AudienceSnapshot.objects.as_of(day(25)).filter(dimension="age")) == set()


def test_each_account_gets_its_own_latest_day_not_another_accounts(
    alice_audience, northfield_radiology, django_assert_num_queries
):
    # The department's latest snapshot is of the 1st, a day on which Alice has rows too (not her latest).
    department = SocialAccountFactory(kind="department", faculty=None, department=northfield_radiology)
    AudienceSnapshotFactory(account=department, captured_on=day(1), bucket="CA", count=7)

    with django_assert_num_queries(1):
        rows = audience_as_of(
            day(25), AudienceSnapshot.objects.as_of(day(25), accounts=[alice_audience.pk, department.pk])
        )

    assert rows == {(alice_audience.pk, day(20), "country", "US", 120), (department.pk, day(1), "country", "CA", 7)}
    assert audience_as_of(day(25), AudienceSnapshot.objects.as_of(day(25), accounts=[department.pk])) == {
        (department.pk, day(1), "country", "CA", 7)
    }


def test_followers_as_of_limited_to_some_accounts_are_theirs_only(alice_followers, northfield):
    institution = SocialAccountFactory(kind="institution", faculty=None, institution=northfield)
    AccountMetricsFactory(account=institution, captured_on=day(1), followers=50_000)

    mine = AccountMetrics.objects.followers_as_of(day(25), accounts=SocialAccount.objects.filter(pk=alice_followers.pk))

    assert list(mine.values_list("account_id", "followers")) == [(alice_followers.pk, 1200)]
    assert followers_as_of(day(25)) == {alice_followers.pk: (1200, day(20)), institution.pk: (50_000, day(1))}
