"""
The latest-snapshot table (`LatestPostMetrics`, kept by `metrics.latest`'s triggers): after every kind of write it
holds each post's latest snapshot, as the probe `PostMetrics.objects.on_or_before` finds it; and the reads that
use it for today's numbers (`PostTable`: comparisons, summaries, peers; `Post.objects.with_metrics_as_of`: pages,
API lists, dossiers) give the numbers the probe gives.

Alice owns `alice_rads` on Instagram; Nora administers Northfield; Bob reviews Northfield radiology.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.vocabulary import METRIC_FIELDS
from metrics import engagement
from metrics import latest
from metrics.models import LatestPostMetrics
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.post_table import PostTable
from tests.comparison_data import add_post
from tests.comparison_data import personal_account
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.test_imports import row
from tests.test_snapshots import import_rows

pytestmark = pytest.mark.django_db

# Later than any snapshot: the probe's latest snapshot as of it is each post's latest of all.
END_OF_TIME = dt.date(9999, 12, 31)
COLUMNS = ("post_id", "snapshot_id", "captured_on", *METRIC_FIELDS)


def table() -> set[tuple]:
    return set(LatestPostMetrics.objects.values_list(*COLUMNS))


def probed() -> set[tuple]:
    """Each post's latest snapshot by the rule itself (`PostMetrics.objects.as_of`), as rows of the table."""
    return set(PostMetrics.objects.as_of(END_OF_TIME).values_list("post_id", "pk", "captured_on", *METRIC_FIELDS))


def assert_table_is_the_probe():
    assert table() == probed()
    assert latest.disagreements() == 0


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def post(alice_instagram):
    return PostFactory(account=alice_instagram, external_id="p1", published_at=dt.datetime(2026, 9, 24, tzinfo=dt.UTC))


@pytest.fixture
def snapshots(post):
    """Three days of the post's numbers: the latest is 3 October's."""
    return [
        PostMetricsFactory(post=post, captured_on=dt.date(2026, 10, day), likes=10 * day, impressions=100 * day)
        for day in (1, 2, 3)
    ]


# --- after every kind of write ---------------------------------------------------------------------------------


def test_an_import_fills_the_table_with_each_posts_latest_day(alice_instagram):
    import_rows(
        alice_instagram,
        row("p1", captured_on="2026-10-01", likes=1),
        row("p1", captured_on="2026-10-05", likes=5),
        row("p2", captured_on="2026-10-03", likes=3),
    )

    assert_table_is_the_probe()
    assert sorted(LatestPostMetrics.objects.values_list("likes", flat=True)) == [3, 5]


def test_a_reimport_with_changed_numbers_updates_the_table(alice_instagram):
    import_rows(alice_instagram, row("p1", likes=1))
    import_rows(alice_instagram, row("p1", likes=2), name="corrected.csv")

    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get().likes == 2


def test_the_bulk_api_creates_and_updates_and_the_table_follows(nora, post, snapshots):
    client = api(nora)
    body = [
        {"post": post.pk, "captured_on": "2026-10-04", "likes": 44},  # a new latest day
        {"post": post.pk, "captured_on": "2026-10-02", "likes": 22},  # an older day corrected
    ]
    assert client.post("/api/v1/post-metrics/bulk/", body, format="json").status_code == 200
    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get(post=post).likes == 44

    body = [{"post": post.pk, "captured_on": "2026-10-04", "likes": 45}]
    assert client.post("/api/v1/post-metrics/bulk/", body, format="json").status_code == 200
    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get(post=post).likes == 45


def test_deleting_the_latest_snapshot_through_the_api_hands_latest_to_the_day_before(nora, snapshots):
    assert api(nora).delete(f"/api/v1/post-metrics/{snapshots[-1].pk}/").status_code == 204

    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get().captured_on == dt.date(2026, 10, 2)


def test_an_admin_moving_a_snapshot_to_an_earlier_day_changes_which_is_latest(client, nora, snapshots):
    latest_one = snapshots[-1]
    client.force_login(nora)
    form = {"post": latest_one.post_id, "captured_on": "2026-09-30"}
    form |= {field: "" if value is None else value for field, value in latest_one.counts.items()}

    response = client.post(reverse("admin:metrics_postmetrics_change", args=[latest_one.pk]), form)

    assert response.status_code == 302
    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get().snapshot_id == snapshots[1].pk


def test_a_model_save_and_delete_keep_the_table(snapshots):
    snapshots[0].likes = 999
    snapshots[0].save()  # not the latest: the table keeps the 3 October row
    assert_table_is_the_probe()

    snapshots[-1].likes = 31
    snapshots[-1].save()
    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get().likes == 31

    snapshots[-1].delete()
    assert_table_is_the_probe()


def test_a_history_revert_restores_the_latest_numbers(snapshots):
    snapshot = snapshots[-1]
    snapshot.likes = 77
    snapshot.save()
    original = snapshot.history.earliest()

    original.instance.save()  # simple-history's revert: the record's values saved over the row

    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get().likes == 30


def test_a_deleted_snapshot_restored_from_its_history_is_latest_again(snapshots):
    snapshot_id = snapshots[-1].pk
    snapshots[-1].delete()
    deleted = PostMetrics.history.filter(id=snapshot_id, history_type="-").get()

    deleted.instance.save()

    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get().captured_on == dt.date(2026, 10, 3)


def test_queryset_and_cascade_deletes_keep_the_table(alice_instagram, post, snapshots):
    other = PostFactory(account=alice_instagram, external_id="p2", published_at=post.published_at)
    PostMetricsFactory(post=other, captured_on=dt.date(2026, 10, 1), likes=1)

    PostMetrics.objects.filter(captured_on__gte=dt.date(2026, 10, 2)).delete()
    assert_table_is_the_probe()
    assert LatestPostMetrics.objects.get(post=post).captured_on == dt.date(2026, 10, 1)

    Post.objects.filter(pk=other.pk).delete()
    assert_table_is_the_probe()
    assert not LatestPostMetrics.objects.filter(post_id=other.pk).exists()


def test_the_command_checks_and_rebuilds_the_table(snapshots, capsys):
    LatestPostMetrics.objects.all().delete()  # as a repair would find it
    with pytest.raises(CommandError, match="disagree"):
        call_command("latest_snapshots", "--check")

    call_command("latest_snapshots", "--rebuild")

    assert_table_is_the_probe()
    call_command("latest_snapshots", "--check")
    assert "agrees" in capsys.readouterr().out


# --- the fast reads give the probe's numbers ------------------------------------------------------------------


def post_numbers(posts, as_of) -> dict[int, tuple]:
    """Each post's counted fields as `PostTable` reads them (the fast path when `as_of` is today)."""
    read = PostTable.read(posts, as_of)
    values = read.counts.values.tolist()
    return {post_id: tuple(counts) for post_id, counts in zip(read["id"].tolist(), values, strict=True)}


def probe_numbers(posts, as_of) -> dict[int, tuple]:
    """The same through the ORM's probe (`with_probed_metrics_as_of`), which never reads the table."""
    rows = posts.with_probed_metrics_as_of(as_of).with_followers_on_publication()
    return {
        post.pk: tuple(
            float("nan") if getattr(post, field) is None else float(getattr(post, field))
            for field in engagement.COUNTED_FIELDS
        )
        for post in rows
    }


def same(left: dict, right: dict) -> bool:
    # NaN (not reported) equals NaN here.
    return left.keys() == right.keys() and all(
        all(a == b or (a != a and b != b) for a, b in zip(left[key], right[key], strict=True)) for key in left
    )


def test_a_snapshot_dated_after_today_is_not_today_s_number(post, snapshots):
    today = timezone.localdate()
    PostMetricsFactory.build(post=post, captured_on=today - dt.timedelta(days=1), likes=50).save()
    # Dated tomorrow (written as a zone ahead of the site's can): the table holds it, today's reads must not.
    tomorrow = PostMetrics(post=post, captured_on=today + dt.timedelta(days=1), likes=60)
    tomorrow.save()

    assert LatestPostMetrics.objects.get().likes == 60
    assert same(post_numbers(Post.objects.all(), today), probe_numbers(Post.objects.all(), today))
    likes = engagement.COUNTED_FIELDS.index("likes")
    assert post_numbers(Post.objects.all(), today)[post.pk][likes] == 50


def test_today_s_post_table_equals_the_probe_with_and_without_the_table(alice_instagram, post, snapshots):
    today = timezone.localdate()
    PostFactory(account=alice_instagram, external_id="never-measured", published_at=post.published_at)
    PostMetricsFactory(post=post, captured_on=today, likes=None, impressions=500)

    fast = post_numbers(Post.objects.all(), today)
    LatestPostMetrics.objects.all().delete()  # every post probed instead
    probed_only = post_numbers(Post.objects.all(), today)

    assert same(fast, probe_numbers(Post.objects.all(), today))
    assert same(fast, probed_only)


def test_comparisons_and_summaries_are_the_same_from_the_table_and_from_the_probe(bob, northfield_radiology):
    today = timezone.localdate()
    accounts = [
        personal_account(northfield_radiology, handle=f"peer_{n}", rates=(0.01 * (n + 1), 0.03)) for n in range(5)
    ]
    for account in accounts[:2]:  # a newer reading of some posts, today
        post = add_post(account, snapshot={"impressions": 900, "likes": 9})
        PostMetricsFactory(post=post, captured_on=today, impressions=1000, likes=20)
    query = {"department": northfield_radiology.pk, "start": "2024-01-01", "end": str(today), "as_of": str(today)}
    client = api(bob)
    posts = Post.objects.all()

    fast_comparison = client.get("/api/v1/compare/", query).json()
    fast_summaries = posts.engagement_summaries_by_account(today)
    # What dossiers show per account: summaries of the ORM's rows (which read the table today too).
    dossier_summaries = engagement.summarize_by(posts.with_engagement(today).values(), key="account_id", as_of=today)
    LatestPostMetrics.objects.all().delete()
    probed_comparison = client.get("/api/v1/compare/", query).json()
    probed_summaries = posts.engagement_summaries_by_account(today)

    assert fast_comparison == probed_comparison
    assert fast_comparison["count"] == 5
    assert fast_summaries == probed_summaries == dossier_summaries


# --- pages, API lists and dossiers (`with_metrics_as_of`) read the table for today ------------------------------

ANNOTATED = ("snapshot_id", "snapshot_captured_on", *METRIC_FIELDS)


def annotated(posts) -> dict[int, tuple]:
    return {pk: values for pk, *values in posts.values_list("pk", *ANNOTATED)}


@pytest.fixture
def every_case(alice_instagram, post, snapshots):
    """
    `post` with its latest snapshot (3 October) corrected; a post never measured; one whose latest snapshot is
    dated tomorrow (as a zone ahead of the site's can write it); one whose latest snapshot was deleted.
    """
    today = timezone.localdate()
    corrected = snapshots[-1]
    corrected.likes = 31
    corrected.save()
    never = PostFactory(account=alice_instagram, external_id="never-measured", published_at=post.published_at)
    ahead = PostFactory(account=alice_instagram, external_id="ahead", published_at=post.published_at)
    PostMetricsFactory.build(post=ahead, captured_on=today - dt.timedelta(days=1), likes=50).save()
    PostMetrics(post=ahead, captured_on=today + dt.timedelta(days=1), likes=60).save()
    deleted = PostFactory(account=alice_instagram, external_id="deleted", published_at=post.published_at)
    PostMetricsFactory(post=deleted, captured_on=dt.date(2026, 10, 1), likes=5)
    PostMetricsFactory(post=deleted, captured_on=dt.date(2026, 10, 5), likes=7).delete()
    return {"corrected": post, "never": never, "ahead": ahead, "deleted": deleted}


@pytest.mark.parametrize("days_from_today", [0, 1, -1, -70])
def test_the_annotations_of_any_day_are_the_probe_s(every_case, days_from_today):
    as_of = timezone.localdate() + dt.timedelta(days=days_from_today)

    assert annotated(Post.objects.with_metrics_as_of(as_of)) == annotated(Post.objects.with_probed_metrics_as_of(as_of))


def test_today_s_annotations_in_every_case(every_case):
    today = timezone.localdate()
    likes = {
        pk: values[ANNOTATED.index("likes")] for pk, values in annotated(Post.objects.with_metrics_as_of(today)).items()
    }

    assert likes == {
        every_case["corrected"].pk: 31,
        every_case["never"].pk: None,
        every_case["ahead"].pk: 50,  # yesterday's, not tomorrow's (which the table holds)
        every_case["deleted"].pk: 5,  # the day before the deleted one
    }
    assert annotated(Post.objects.filter(pk=every_case["never"].pk).with_metrics_as_of(today)) == {
        every_case["never"].pk: [None] * len(ANNOTATED)
    }


def test_today_reads_the_table_and_a_past_day_the_snapshots(post, snapshots):
    # A row of the table that disagrees with the snapshots (only to tell which one a read used).
    LatestPostMetrics.objects.filter(post=post).update(likes=999)

    assert Post.objects.with_metrics_as_of(timezone.localdate()).get().likes == 999
    assert Post.objects.with_metrics_as_of(dt.date(2026, 10, 3)).get().likes == 30
    LatestPostMetrics.objects.all().delete()  # without a row, the probe
    assert Post.objects.with_metrics_as_of(timezone.localdate()).get().likes == 30


@pytest.mark.parametrize("days_ago", [0, 70])
def test_the_annotations_are_one_query_today_and_on_a_past_day(every_case, django_assert_num_queries, days_ago):
    as_of = timezone.localdate() - dt.timedelta(days=days_ago)
    with django_assert_num_queries(1):
        posts = list(Post.objects.with_engagement(as_of).with_sortable_engagement().order_by("-sort_actions", "pk"))
    actions = {post.pk: post.engagement.actions for post in posts}
    assert len(actions) == 4
    assert actions[every_case["never"].pk] is None
