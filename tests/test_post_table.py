"""
`PostTable`, the read behind every engagement summary: its raw SQL picks the snapshot `PostMetrics.objects.as_of`
picks and the follower count `AccountMetrics.objects.followers_as_of` gives on the publication day, the same as
the queryset annotations that pages use for single posts; and its summaries do not depend on row order.
"""

import datetime as dt
import random

import numpy as np
import pytest
from django.utils import timezone

from accounts.vocabulary import METRIC_FIELDS
from metrics import engagement
from metrics.models import AccountMetrics
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.post_table import PostTable
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2025, 1, 1)


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


@pytest.fixture
def history():
    """Two accounts, 30 posts with 0 to 4 snapshots each (some counts blank), follower counts every 20 days."""
    chance = random.Random(7)
    accounts = [SocialAccountFactory(), SocialAccountFactory()]
    for account in accounts:
        for day in range(0, 120, 20):
            followers = None if day == 40 else 1000 + day  # one count not reported: skipped, not 0
            AccountMetricsFactory(account=account, captured_on=JAN + dt.timedelta(days=day), followers=followers)
    for n in range(30):
        published = JAN + dt.timedelta(days=chance.randrange(-10, 90))  # some before the first follower count
        post = PostFactory(
            account=accounts[n % 2], published_at=at_noon(published), content_type=chance.choice(["image", "video"])
        )
        for offset in sorted(chance.sample(range(1, 40), chance.randrange(0, 5))):
            PostMetricsFactory(
                post=post,
                captured_on=published + dt.timedelta(days=offset),
                impressions=chance.choice([None, 0, chance.randrange(100, 5000)]),
                reach=chance.choice([None, chance.randrange(50, 3000)]),
                likes=chance.randrange(0, 300),
                comments=chance.choice([None, chance.randrange(0, 30)]),
                saves=chance.randrange(0, 40),
            )
    return accounts


# From before the first post to after the last snapshot: before and after the blank follower count of day 40,
# and on the day of a follower count.
DATES = [JAN - dt.timedelta(days=30), JAN + dt.timedelta(days=5), JAN + dt.timedelta(days=20)]
DATES += [JAN + dt.timedelta(days=45), JAN + dt.timedelta(days=100), dt.date(2026, 1, 1)]


def cell(value: float) -> float | None:
    return None if np.isnan(value) else value


def test_the_history_holds_every_case_the_reads_must_agree_on(history):
    published = {post.pk: timezone.localdate(post.published_at) for post in Post.objects.all()}
    first_count = AccountMetrics.objects.order_by("captured_on").first().captured_on

    assert Post.objects.filter(snapshots__isnull=True).exists()  # posts without any snapshot
    assert PostMetrics.objects.filter(impressions__isnull=True).exists()  # blank counts
    assert AccountMetrics.objects.filter(followers__isnull=True).exists()  # a follower count not reported
    assert any(day < first_count for day in published.values())  # published before the first follower count
    # On the middle dates some posts are published but have no snapshot yet.
    assert any(
        published[post.pk] <= JAN + dt.timedelta(days=20)
        and not post.snapshots.filter(captured_on__lte=JAN + dt.timedelta(days=20)).exists()
        for post in Post.objects.all()
    )


@pytest.mark.parametrize("as_of", DATES)
def test_the_fast_path_reads_the_snapshot_and_followers_of_the_as_of_api(history, as_of):
    table = PostTable.read(Post.objects.all(), as_of)
    snapshots = {snapshot.post_id: snapshot for snapshot in PostMetrics.objects.as_of(as_of)}
    posts = Post.objects.in_bulk()

    assert sorted(table["id"].tolist()) == sorted(posts)
    for position, pk in enumerate(table["id"].tolist()):
        snapshot = snapshots.get(pk)
        got = dict(zip(engagement.COUNTED_FIELDS, table.counts.values[position].tolist(), strict=True))
        assert table.counts.measured[position] == (snapshot is not None), pk
        for field in engagement.COUNTED_FIELDS:
            if field != "followers":
                assert cell(got[field]) == (getattr(snapshot, field) if snapshot else None), (pk, field)
        post = posts[pk]
        on = timezone.localdate(post.published_at)
        count = AccountMetrics.objects.followers_as_of(on, accounts=[post.account_id]).first()
        assert cell(got["followers"]) == (count.followers if count else None), pk


def annotated(as_of: dt.date) -> dict[int, dict]:
    """Each post as the pages read it: `with_engagement`, one Django row per post."""
    rows = Post.objects.with_engagement(as_of).values("id", *METRIC_FIELDS, "followers", "snapshot_id")
    return {row["id"]: row for row in rows}


@pytest.mark.parametrize("as_of", [JAN - dt.timedelta(days=30), JAN + dt.timedelta(days=20), dt.date(2026, 1, 1)])
def test_each_post_has_the_snapshot_and_followers_of_the_annotations(history, as_of):
    table = PostTable.read(Post.objects.all(), as_of, ("content_type",))
    expected = annotated(as_of)

    assert sorted(table["id"].tolist()) == sorted(expected)
    for position, pk in enumerate(table["id"].tolist()):
        row = expected[pk]
        got = dict(zip(engagement.COUNTED_FIELDS, table.counts.values[position].tolist(), strict=True))
        for field in engagement.COUNTED_FIELDS:
            assert (None if np.isnan(got[field]) else got[field]) == row[field], (pk, field)
        assert table.counts.measured[position] == (row["snapshot_id"] is not None)
    assert set(table["content_type"].tolist()) <= {"image", "video"}


@pytest.mark.parametrize("as_of", [JAN + dt.timedelta(days=20), dt.date(2026, 1, 1)])
def test_summaries_equal_the_summary_of_the_annotated_rows(history, as_of):
    rows = list(annotated(as_of).values())

    assert Post.objects.all().engagement_summary(as_of) == engagement.summarize(rows, as_of=as_of)
    by_account = Post.objects.all().engagement_summaries_by_account(as_of)
    for account in history:
        own = [row for row in rows if Post.objects.get(pk=row["id"]).account_id == account.pk]
        assert by_account[account.pk] == engagement.summarize(own, as_of=as_of)


def test_one_query_and_none_for_an_empty_queryset(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        table = PostTable.read(Post.objects.filter(account=history[0]), dt.date(2026, 1, 1))
    assert set(table["account_id"].tolist()) == {history[0].pk}

    with django_assert_num_queries(0):
        empty = PostTable.read(Post.objects.none(), dt.date(2026, 1, 1), ("category",))
    assert len(empty) == 0
    assert empty.summary() == engagement.empty_summary(dt.date(2026, 1, 1))
    assert empty.summaries_by("account_id") == {}


def test_of_accounts_and_take_keep_rows_and_counts_together(history):
    table = PostTable.read(Post.objects.all(), dt.date(2026, 1, 1))
    first = table.of_accounts([history[0].pk])

    assert set(first["account_id"].tolist()) == {history[0].pk}
    assert first.summary() == Post.objects.filter(account=history[0]).engagement_summary(dt.date(2026, 1, 1))


def test_a_summary_does_not_depend_on_the_order_of_the_posts():
    # Rates whose running sum rounds differently in different orders.
    chance = random.Random(3)
    rows = [
        {"likes": chance.randrange(1, 10**6), "impressions": chance.randrange(10**6, 10**9), "snapshot_id": n}
        for n in range(500)
    ]
    summaries = set()
    for _ in range(20):
        chance.shuffle(rows)
        summaries.add(engagement.summarize(rows, as_of=JAN).by_impressions)
    assert len(summaries) == 1
    rates = [row["likes"] / row["impressions"] for row in rows]
    assert summaries.pop().mean == pytest.approx(sum(rates) / len(rates), rel=1e-15)


def test_publication_times_are_read_to_the_second(history):
    post = Post.objects.first()
    post.published_at = dt.datetime(2025, 2, 3, 4, 5, 6, 789_000, tzinfo=dt.UTC)
    post.save()
    table = PostTable.read(Post.objects.all(), dt.date(2026, 1, 1))

    expected = {pk: when.replace(microsecond=0) for pk, when in Post.objects.values_list("id", "published_at")}
    assert dict(zip(table["id"].tolist(), table.published_at(), strict=True)) == expected


def test_a_sliced_queryset_is_read_as_sliced(history):
    newest = Post.objects.order_by("-published_at", "-id")[:5]

    table = PostTable.read(newest, dt.date(2026, 1, 1))

    assert sorted(table["id"].tolist()) == sorted(post.pk for post in newest)


def test_a_blank_group_key_comes_back_as_none():
    rows = [{"likes": 3, "impressions": 100, "key": None}, {"likes": 1, "impressions": 100, "key": "image"}]

    summaries = engagement.summarize_by(rows, key="key", as_of=JAN)

    assert set(summaries) == {None, "image"}
    assert summaries[None].actions == 3
