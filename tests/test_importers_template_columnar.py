"""
The template read column by column stores exactly what it stores read row by row.

A chunk without a bad cell is read as columns and checked and written column by column; a chunk with a bad
cell is read row by row, which words every error. Over generated templates, good cells and bad ones mixed
(bad dates, negative, non-numeric and over-ceiling counts, missing required cells, unknown accounts,
repeated rows, blank lines), in chunks of a few rows so that good and bad chunks alternate, the import with
the columnar reading leaves the same posts, snapshots, history and batch (status, counts, every error: row,
column, message, in order) as the import that reads every chunk row by row.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from metrics.importers import template as template_format
from metrics.imports import import_file
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 11, 23)
HEADER = ["platform", "handle", "external_id", "published_at", "content_type", "category", "caption", "captured_on"]
METRICS = ["likes", "comments", "views"]
# What is already stored before each generated file: p1 with a snapshot on 1 October, so that a file can
# change a post and a snapshot (and write their history) or leave them as they are.
STORED = (
    "platform,handle,external_id,published_at,content_type,category,caption,captured_on,likes,comments,views\n"
    "instagram,alice_rads,p1,2026-09-24T15:30,image,education,Case of the week,2026-10-01,5,1,\n"
)

cells = {
    "platform": st.sampled_from(["instagram", "Instagram", "", "twitter", "not a platform!"]),
    "handle": st.sampled_from(["alice_rads", "@Alice_Rads", "", "alice_x", "nobody"]),
    "external_id": st.sampled_from(["p1", "p2", " p3 ", "", "1.8E+17"]),
    "published_at": st.sampled_from(["2026-09-24T15:30", "2026-09-24", "", "2026-02-30", "2030-05-01T10:00"]),
    "content_type": st.sampled_from(["image", "VIDEO", "", "hologram"]),
    "category": st.sampled_from(["education", "", "gossip"]),
    "caption": st.sampled_from(["Case of the week #MSKMonday", "", "=SUM(A1)", "  spaced  "]),
    "captured_on": st.sampled_from(["2026-10-01", "2026-10-02", "", "2026-13-01", "2026-09-01", "2030-01-01"]),
}
counts = st.sampled_from(["", "0", "12", " 7 ", "1.2K", "-3", "abc", "10000000000000", "1,234"])
# Rows without a bad cell, which the columnar reading takes: most import, some are refused only by the
# checks on the whole row (an unknown account, no account, a capture before publication or after today, a
# publication after today, a snapshot twice).
good_row = st.fixed_dictionaries(
    {
        "platform": st.sampled_from(["instagram", "instagram", ""]),
        "handle": st.sampled_from(["alice_rads", "alice_x", "alice_rads", "nobody", ""]),
        "external_id": st.sampled_from(["p1", "p2", "p3", "p4"]),
        "published_at": st.sampled_from(["2026-09-24T15:30", "2026-09-25", "2026-09-25", "", "2030-05-01T10:00"]),
        "content_type": st.sampled_from(["image", "image", ""]),
        "category": st.sampled_from(["education", ""]),
        "caption": st.sampled_from(["Case of the week", "#RadEd"]),
        "captured_on": st.sampled_from(["2026-10-01", "2026-10-02", "2026-10-03", "", "2026-09-01", "2030-01-01"]),
        **{name: st.sampled_from(["", "3", "40"]) for name in METRICS},
    }
)
any_row = st.fixed_dictionaries({**cells, **dict.fromkeys(METRICS, counts)})
rows = st.lists(st.one_of(good_row, good_row, any_row, st.just(None)), min_size=1, max_size=14)


def template(records: list[dict | None]) -> bytes:
    lines = [",".join(HEADER + METRICS)]
    for record in records:
        lines.append("" if record is None else ",".join(f'"{record[name]}"' for name in HEADER + METRICS))
    return ("\n".join(lines) + "\n").encode()


def stored_state(batch: ImportBatch) -> dict:
    """What an import left: the batch as people see it, every post, snapshot and history record."""
    posts = Post.objects.order_by("account_id", "external_id")
    snapshots = PostMetrics.objects.order_by("post__account_id", "post__external_id", "captured_on")
    history = PostMetrics.history.order_by("post__account_id", "post__external_id", "captured_on", "history_date")
    return {
        "batch": (
            batch.status,
            batch.message,
            batch.errors,
            batch.posts_created,
            batch.posts_updated,
            batch.snapshots_created,
            batch.snapshots_updated,
            batch.rows_unchanged,
            batch.rows_skipped,
        ),
        "posts": list(
            posts.values_list(
                "account__handle", "external_id", "url", "published_at", "content_type", "category", "caption"
            )
        ),
        "snapshots": [
            (*values, import_batch == batch.pk)
            for *values, import_batch in snapshots.values_list(
                "post__external_id", "captured_on", *METRICS, "source", "source_row", "import_batch"
            )
        ],
        "history": list(history.values_list("post__external_id", "captured_on", "history_type", *METRICS, "source")),
    }


def imported(nora, northfield, content: bytes, *, by_columns: bool) -> dict:
    """Import `content` with the reading given, and return what it stored; then undo it."""
    template_format.READ_BY_COLUMNS = by_columns
    try:
        with transaction.atomic():
            batch = import_file(
                user=nora, upload=ContentFile(content, name="snapshots.csv"), institution=northfield, today=TODAY
            )
            state = stored_state(batch)
            transaction.set_rollback(True)
    finally:
        template_format.READ_BY_COLUMNS = True
    return state


@pytest.fixture
def stored(nora, northfield, alice_instagram, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(template_format, "CHUNK_ROWS", 3)
    SocialAccountFactory(platform=platform("instagram"), handle="alice_x", faculty=alice_instagram.faculty)
    batch = import_file(
        user=nora, upload=ContentFile(STORED.encode(), name="stored.csv"), institution=northfield, today=TODAY
    )
    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=rows)
def test_the_columnar_import_stores_what_the_row_import_stores(stored, nora, northfield, records):
    content = template(records)

    by_rows = imported(nora, northfield, content, by_columns=False)
    by_columns = imported(nora, northfield, content, by_columns=True)

    assert by_columns == by_rows


def test_the_comparison_sees_good_and_bad_files(stored, nora, northfield):
    good = {
        "platform": "instagram",
        "handle": "alice_rads",
        "external_id": "p2",
        "published_at": "2026-09-25",
        "content_type": "image",
        "category": "",
        "caption": "Hi",
        "captured_on": "2026-10-02",
        "likes": "4",
        "comments": "",
        "views": "9",
    }
    changed = {**good, "external_id": "p1", "captured_on": "2026-10-01", "likes": "6"}
    bad = {**good, "likes": "-3", "handle": "nobody"}

    accepted = imported(nora, northfield, template([good, None, changed]), by_columns=True)
    refused = imported(nora, northfield, template([good, good, bad]), by_columns=True)

    assert accepted["batch"][:2] == (ImportBatch.Status.IMPORTED, "Imported.")
    assert accepted["batch"][3:7] == (1, 1, 1, 1)  # p2 and its snapshot created, p1 and its snapshot changed
    assert ("p1", dt.date(2026, 10, 1), "~", 6, None, 9, "import") in accepted["history"]
    assert refused["batch"][0] == ImportBatch.Status.REFUSED
    # The bad cell's error comes from reading the chunk; the repeat, from checking its good rows.
    assert [(error["row"], error["column"]) for error in refused["batch"][2]] == [(4, "likes"), (3, "")]
    assert [post[1] for post in refused["posts"]] == ["p1"]
