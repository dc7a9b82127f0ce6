"""
Large templates: the import goes chunk by chunk, with the same few queries for a chunk of few rows or
many, and keeps only a chunk's rows (and a capped list of errors) in memory.
"""

import datetime as dt
import math

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from metrics import imports_writer
from metrics.importers import template as template_format
from metrics.importers.template import HEADER
from metrics.imports import import_file
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import SocialAccountFactory
from tests.factories import platform

TODAY = dt.date(2026, 11, 23)
CHUNK_ROWS = 50
# Every import: the earlier-import check, the account's time zone and the batch (saved twice more at the end),
# in one transaction with no savepoint inside it.
QUERIES_PER_FILE = 7
# A chunk of new posts: look the posts up, insert them (their ids come back), insert the snapshots.
QUERIES_PER_NEW_CHUNK = 3


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(template_format, "CHUNK_ROWS", CHUNK_ROWS)


def template_of(posts: int, days: int, *, first: int = 0, likes: int = 1, **columns) -> ContentFile:
    """`posts` posts (p<first>...) with a snapshot on each of `days` days of October, one row each."""
    lines = [",".join(HEADER)]
    for number in range(first, first + posts):
        for day in range(1, days + 1):
            values = {
                "external_id": f"p{number}",
                "published_at": "2026-09-24T15:30:00",
                "content_type": "image",
                "caption": "Case of the week #MSKMonday",
                "captured_on": f"2026-10-{day:02d}",
                "likes": likes + day,
                **columns,
            }
            lines.append(",".join(str(values.get(column, "")) for column in HEADER))
    return ContentFile(("\n".join(lines) + "\n").encode(), name="snapshots.csv")


def run(account, upload, **options) -> ImportBatch:
    batch = import_file(user=None, upload=upload, account=account, today=TODAY, **options)
    assert batch.status in (ImportBatch.Status.IMPORTED, ImportBatch.Status.REFUSED), batch.message
    return batch


def test_a_chunk_of_a_few_rows_or_of_many_costs_the_same_queries(
    alice_instagram, small_chunks, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES_PER_FILE + QUERIES_PER_NEW_CHUNK):
        few = run(alice_instagram, template_of(1, 2))
    with django_assert_num_queries(QUERIES_PER_FILE + QUERIES_PER_NEW_CHUNK):
        many = run(alice_instagram, template_of(10, 5, first=100))  # 50 rows: one full chunk

    assert (few.snapshots_created, many.snapshots_created) == (2, 50)


def test_each_further_chunk_adds_the_same_few_queries(alice_instagram, small_chunks, django_assert_num_queries):
    with django_assert_num_queries(QUERIES_PER_FILE + 3 * QUERIES_PER_NEW_CHUNK):
        batch = run(alice_instagram, template_of(30, 5))  # 150 rows: three chunks

    assert (batch.posts_created, batch.snapshots_created) == (30, 150)
    assert PostMetrics.objects.filter(import_batch=batch).count() == 150


def test_a_corrected_export_of_stored_posts_costs_three_queries_a_chunk(
    alice_instagram, small_chunks, django_assert_num_queries
):
    run(alice_instagram, template_of(20, 5))

    # Per chunk: look the posts up, look their snapshots up, update the snapshots; and for their history,
    # read them as they were and insert the creation and change record of each (as many INSERTs as the
    # database's parameter limit calls for: SQLite's takes a few).
    historical = PostMetrics.history.model
    records = 2 * CHUNK_ROWS
    history_inserts = math.ceil(
        records / connection.ops.bulk_batch_size(historical._meta.concrete_fields, [None] * records)
    )
    with django_assert_num_queries(QUERIES_PER_FILE + 2 * (4 + history_inserts)):
        batch = run(alice_instagram, template_of(20, 5, likes=10))

    assert (batch.posts_created, batch.posts_updated, batch.snapshots_updated) == (0, 0, 100)
    assert set(PostMetrics.objects.filter(captured_on="2026-10-01").values_list("likes", flat=True)) == {11}


def test_a_template_naming_many_accounts_reads_them_once_per_file(
    nora, northfield, alice_instagram, small_chunks, django_assert_num_queries
):
    SocialAccountFactory(platform=platform("twitter"), handle="alice_x", faculty=alice_instagram.faculty)
    lines = template_of(30, 5, platform="instagram", handle="Alice_Rads").read().decode().splitlines()
    lines += template_of(30, 5, platform="twitter", handle="@alice_x").read().decode().splitlines()[1:]
    upload = ContentFile(("\n".join(lines) + "\n").encode(), name="snapshots.csv")

    # Six chunks of new posts; the accounts Nora may import into are read once, in the first (the second
    # account first appears in the fourth), after two queries for Nora's roles; the institution gives the
    # time zone (no account's).
    with django_assert_num_queries(QUERIES_PER_FILE - 1 + 6 * QUERIES_PER_NEW_CHUNK + 2 + 1):
        batch = import_file(user=nora, upload=upload, institution=northfield, today=TODAY)

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert sorted(Post.objects.values_list("account__handle", flat=True).distinct()) == ["alice_rads", "alice_x"]


def test_a_handle_on_two_platforms_needs_its_platform(nora, northfield, alice_instagram):
    SocialAccountFactory(platform=platform("twitter"), handle="alice_rads", faculty=alice_instagram.faculty)

    batch = import_file(user=nora, upload=template_of(1, 1, handle="alice_rads"), institution=northfield, today=TODAY)

    assert batch.status == ImportBatch.Status.REFUSED
    assert batch.errors[0]["column"] == "handle"
    assert "several match" in batch.errors[0]["message"]


def test_a_file_full_of_errors_lists_the_first_ones_and_counts_the_rest(alice_instagram, small_chunks, monkeypatch):
    monkeypatch.setattr(imports_writer, "MAX_LISTED_ERRORS", 20)

    batch = run(alice_instagram, template_of(30, 1, likes=-5))  # a negative count on each of 30 rows

    assert batch.status == ImportBatch.Status.REFUSED
    assert len(batch.errors) == 20
    assert [error["row"] for error in batch.errors] == list(range(2, 22))
    assert batch.message == "30 problem(s) found; nothing was written. The first 20 are listed (10 more)."
    assert not PostMetrics.objects.exists()


def test_an_error_in_a_later_chunk_undoes_the_chunks_written_before_it(alice_instagram, small_chunks):
    lines = template_of(30, 5).read().decode().splitlines()
    lines[140] = lines[140].replace("2026-10-", "2026-13-")  # a date that does not exist, in the third chunk

    batch = run(alice_instagram, ContentFile(("\n".join(lines) + "\n").encode(), name="snapshots.csv"))

    assert batch.status == ImportBatch.Status.REFUSED
    assert [(error["row"], error["column"]) for error in batch.errors] == [(141, "captured_on")]
    assert (Post.objects.count(), PostMetrics.objects.count()) == (0, 0)


def test_a_metric_the_file_has_no_column_for_keeps_its_stored_value(alice_instagram):
    run(alice_instagram, template_of(1, 1, reach=500))
    without_reach = template_of(1, 1, likes=7).read().decode().replace(",reach,", ",ignored_reach,")

    batch = run(alice_instagram, ContentFile(without_reach.encode(), name="later.csv"))

    assert batch.snapshots_updated == 1
    assert PostMetrics.objects.values_list("likes", "reach").get() == (8, 500)


def test_a_later_export_with_a_new_caption_updates_the_post_and_its_hashtags(alice_instagram):
    run(alice_instagram, template_of(1, 1))

    batch = run(alice_instagram, template_of(1, 2, caption="Now with #RadEd"))

    post = Post.objects.get()
    assert (batch.posts_updated, batch.snapshots_created, batch.rows_unchanged) == (1, 1, 1)
    assert (post.caption, post.hashtag_list) == ("Now with #RadEd", ["RadEd"])
