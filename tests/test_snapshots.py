"""
The one snapshot upsert (`metrics.snapshots`) behind the bulk API and the import: the same results through
either, a changed reading loses its verification whoever wrote it, an unchanged one is not written at all.

Alice owns `alice_rads` on Instagram; Nora administers Northfield and verifies numbers; Root verifies too.
"""

import datetime as dt
import math
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.vocabulary import METRIC_FIELDS
from metrics.db import insert_rows
from metrics.importers import template as template_format
from metrics.imports import import_file
from metrics.models import AccountMetrics
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.models import Provenance
from metrics.snapshots import ACCOUNT_SNAPSHOTS
from metrics.snapshots import POST_SNAPSHOTS
from metrics.snapshots import posts_by_key
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform
from tests.test_imports import TODAY
from tests.test_imports import row
from tests.test_imports import template

DAY = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
# A statement that writes snapshots, as the debug cursor logs it ("3 times: INSERT ..." for an executemany).
SNAPSHOT_WRITE = re.compile(r'(\d+ times: )?(INSERT INTO|UPDATE|COPY) "metrics_postmetrics"')


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def post(alice_instagram):
    return PostFactory(account=alice_instagram, external_id="p1", published_at=dt.datetime(2026, 9, 24, tzinfo=dt.UTC))


def everything() -> list[tuple]:
    """Every stored snapshot, every column: what "nothing changed" compares."""
    return list(PostMetrics.objects.order_by("pk").values_list())


def verified(snapshot: PostMetrics, by) -> PostMetrics:
    snapshot.mark_verified(by)
    snapshot.save()
    return snapshot


def import_rows(account, *rows, name="snapshots.csv") -> ImportBatch:
    upload = template(*rows)
    upload.name = name
    batch = import_file(user=None, upload=upload, account=account, today=TODAY)
    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    return batch


def upsert(table, readings, **options):
    """`table.upsert` of readings written as (owner id, day, counts, source row), one tuple each."""
    owners, days, counts, source_rows = zip(*readings, strict=True)
    return table.upsert(owners, days, counts, source_rows=source_rows, **options)


def bulk(user, *items):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/post-metrics/bulk/", list(items), format="json")
    assert response.status_code == 200, response.json()
    return response.json()


# --- the same results through both callers ----------------------------------------------------------------------


def test_reimporting_the_same_rows_in_another_file_writes_nothing(alice_instagram):
    rows = [row(f"p{n}", captured_on=f"2026-10-0{day}", likes=n * day) for n in range(1, 4) for day in (1, 2)]
    import_rows(alice_instagram, *rows)
    before = everything()

    with CaptureQueriesContext(connection) as queries:
        again = import_rows(alice_instagram, *reversed(rows), name="the same rows again.csv")

    assert (again.snapshots_created, again.snapshots_updated, again.rows_unchanged) == (0, 0, 6)
    assert everything() == before
    assert not [query for query in queries if SNAPSHOT_WRITE.match(query["sql"])]


def test_an_imported_reading_changed_through_the_bulk_api_loses_its_verification(nora, root, alice_instagram):
    import_rows(alice_instagram, row("p1", likes=10), row("p2", likes=20))
    changed, unchanged = (verified(snapshot, root) for snapshot in PostMetrics.objects.order_by("post__external_id"))

    counts = bulk(
        nora,
        {"post": changed.post_id, "captured_on": str(DAY), "likes": 11},
        {"post": unchanged.post_id, "captured_on": str(DAY), "likes": 20},
    )

    assert counts == {"created": 0, "updated": 1, "unchanged": 1}
    changed.refresh_from_db()
    unchanged.refresh_from_db()
    assert (changed.likes, changed.source, changed.import_batch, changed.source_row) == (11, "api", None, None)
    assert (changed.verified_by, changed.verified_at) == (None, None)
    assert (unchanged.source, unchanged.source_row, unchanged.verified_by) == ("import", 3, root)


def test_a_reading_sent_through_the_bulk_api_changed_by_an_import_loses_its_verification(nora, root, post):
    other = PostFactory(account=post.account, external_id="p2", published_at=post.published_at)
    bulk(
        nora,
        {"post": post.pk, "captured_on": str(DAY), "likes": 10, "reach": 500},
        {"post": other.pk, "captured_on": str(DAY), "likes": 20},
    )
    changed, unchanged = (verified(PostMetrics.objects.get(post=p), root) for p in (post, other))

    batch = import_rows(post.account, row("p1", likes=11), row("p2", likes=20))

    assert (batch.snapshots_updated, batch.rows_unchanged) == (1, 1)
    changed.refresh_from_db()
    unchanged.refresh_from_db()
    # The template has a reach column, blank: "not reported" in this file, so the reading has no reach.
    assert (changed.likes, changed.reach, changed.source, changed.import_batch, changed.source_row) == (
        11,
        None,
        "import",
        batch,
        2,
    )
    assert (changed.verified_by, changed.verified_at) == (None, None)
    assert (unchanged.source, unchanged.import_batch, unchanged.verified_by) == ("api", None, root)


def test_the_same_snapshot_in_two_chunks_of_one_file_is_a_repeat(alice_instagram, monkeypatch):
    monkeypatch.setattr(template_format, "CHUNK_ROWS", 2)

    batch = import_file(
        user=None,
        upload=template(row("p1", likes=1), row("p2", likes=1), row("p1", likes=2)),
        account=alice_instagram,
        today=TODAY,
    )

    assert batch.status == ImportBatch.Status.REFUSED
    assert batch.errors == [{"row": 4, "column": "", "message": "Repeats row 2: the same snapshot twice."}]
    assert not PostMetrics.objects.exists()


def test_a_corrected_follower_history_clears_the_verification_of_the_days_it_changes(alice, root):
    account = SocialAccountFactory(platform=platform("tiktok"), handle="alice.rad", faculty=alice.faculty)
    header = '"Date","Followers","Difference in followers from previous day"\n'

    def follower_history(*lines: str) -> ContentFile:
        return ContentFile((header + "".join(lines)).encode(), name="FollowerHistory.csv")

    first = import_file(
        user=None,
        upload=follower_history('"1 November","100","0"\n', '"2 November","110","10"\n', '"3 November","120","10"\n'),
        account=account,
        today=TODAY,
    )
    assert first.account_snapshots_created == 3, first.errors
    for snapshot in AccountMetrics.objects.all():
        verified(snapshot, root)

    # The 2nd is corrected; the 3rd has a blank count in this export (kept); the 1st is the same.
    again = import_file(
        user=None,
        upload=follower_history(
            '"1 November","100","0"\n', '"2 November","111","11"\n', '"3 November","","undefined"\n'
        ),
        account=account,
        today=TODAY,
    )

    assert (again.account_snapshots_created, again.account_snapshots_updated, again.rows_unchanged) == (0, 1, 2)
    stored = {s.captured_on.day: s for s in AccountMetrics.objects.all()}
    assert (stored[2].followers, stored[2].verified_by, stored[2].import_batch) == (111, None, again)
    assert (stored[1].followers, stored[1].verified_by, stored[1].import_batch) == (100, root, first)
    assert (stored[3].followers, stored[3].verified_by) == (120, root)


# --- the upsert itself ------------------------------------------------------------------------------------------


def test_a_whole_reading_nulls_what_it_leaves_out_and_a_partial_one_keeps_it(post):
    first = PostFactory(account=post.account, external_id="p2", published_at=post.published_at)
    for owner in (post, first):
        PostMetricsFactory(post=owner, captured_on=DAY, likes=5, reach=500)

    whole = upsert(POST_SNAPSHOTS, [(post.pk, DAY, {"likes": 6}, None)], source=Provenance.API, partial=False, now=NOW)
    partial = upsert(
        POST_SNAPSHOTS, [(first.pk, DAY, {"likes": 6}, 9)], source=Provenance.IMPORT, partial=True, now=NOW
    )

    assert (whole.updated, partial.updated) == (1, 1)
    assert PostMetrics.objects.get(post=post).counts == {**dict.fromkeys(METRIC_FIELDS), "likes": 6}
    assert PostMetrics.objects.values_list("likes", "reach", "source", "source_row").get(post=first) == (
        6,
        500,
        "import",
        9,
    )


def test_a_new_snapshot_is_written_as_the_orm_would_write_it(post):
    upsert(POST_SNAPSHOTS, [(post.pk, DAY, {"likes": 3}, 2)], source=Provenance.IMPORT, partial=True, now=NOW)
    PostMetrics.objects.create(
        post=post, captured_on=DAY + dt.timedelta(days=1), likes=3, source="import", source_row=2
    )

    written, by_the_orm = PostMetrics.objects.order_by("captured_on")
    assert written.created_at == NOW
    ignored = {"id", "captured_on", "created_at"}
    fields = [field.attname for field in PostMetrics._meta.concrete_fields if field.attname not in ignored]
    assert [getattr(written, name) for name in fields] == [getattr(by_the_orm, name) for name in fields]


def test_an_unchanged_reading_is_not_written(post, root):
    snapshot = verified(PostMetricsFactory(post=post, captured_on=DAY, likes=5, source="manual"), root)
    before = everything()

    with CaptureQueriesContext(connection) as queries:
        result = upsert(
            POST_SNAPSHOTS, [(post.pk, DAY, snapshot.counts, None)], source=Provenance.API, partial=False, now=NOW
        )

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert len(queries) == 1  # the lookup
    assert everything() == before


def test_readings_of_new_posts_are_not_looked_up(post, django_assert_num_queries):
    with django_assert_num_queries(1):  # the INSERT only
        result = upsert(
            POST_SNAPSHOTS,
            [(post.pk, DAY, {"likes": 1}, 2)],
            source=Provenance.IMPORT,
            partial=True,
            now=NOW,
            new_owners={post.pk},
        )

    assert result.created == 1


def test_a_snapshot_the_same_batch_wrote_is_a_repeat_and_nothing_is_written(post, alice_instagram):
    batch = ImportBatch.objects.create(account=alice_instagram, file_name="a.csv", size=1, sha256="0" * 64)
    other = PostFactory(account=post.account, external_id="p2", published_at=post.published_at)
    PostMetricsFactory(post=post, captured_on=DAY, likes=5, import_batch=batch, source_row=2)
    before = everything()

    result = upsert(
        POST_SNAPSHOTS,
        [(other.pk, DAY, {"likes": 1}, 3), (post.pk, DAY, {"likes": 6}, 4)],
        source=Provenance.IMPORT,
        import_batch_id=batch.pk,
        partial=True,
        now=NOW,
    )

    assert result.repeats == ((4, 2),)
    assert (result.created, result.updated) == (0, 0)
    assert everything() == before


def test_an_api_reading_is_never_a_repeat_of_another_api_reading(post):
    # Neither has an import batch: None is no batch, not the same batch.
    PostMetricsFactory(post=post, captured_on=DAY, likes=5, source="api")

    result = upsert(POST_SNAPSHOTS, [(post.pk, DAY, {"likes": 6}, None)], source=Provenance.API, partial=False, now=NOW)

    assert (result.updated, result.repeats) == (1, ())


def test_follower_snapshots_use_the_same_upsert(alice_instagram, root):
    stored = AccountMetricsFactory(account=alice_instagram, captured_on=DAY, followers=100, following=10)
    verified(stored, root)

    result = upsert(
        ACCOUNT_SNAPSHOTS,
        [(alice_instagram.pk, DAY, {"followers": 101}, 5), (alice_instagram.pk, DAY + dt.timedelta(days=1), {}, 6)],
        source=Provenance.IMPORT,
        partial=True,
        now=NOW,
    )

    assert (result.created, result.updated) == (1, 1)
    stored.refresh_from_db()
    assert (stored.followers, stored.following, stored.verified_at, stored.source_row) == (101, 10, None, 5)


def test_the_queries_do_not_grow_with_the_readings(alice_instagram, django_assert_num_queries):
    posts = [
        PostFactory(account=alice_instagram, published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC)) for _ in range(30)
    ]
    for p in posts:
        PostMetricsFactory(post=p, captured_on=DAY, likes=0)

    def readings(some, likes):
        return [(p.pk, DAY + dt.timedelta(days=n), {"likes": likes + n}, None) for p in some for n in range(3)]

    # The lookup, one INSERT run for every new snapshot, one UPDATE run for every changed one; and for the
    # history of the changed ones, a read of them as they were and one INSERT of their history records.
    with django_assert_num_queries(5):
        few = upsert(POST_SNAPSHOTS, readings(posts[:2], 1), source=Provenance.API, partial=False, now=NOW)
    with django_assert_num_queries(5):
        many = upsert(POST_SNAPSHOTS, readings(posts[2:], 1), source=Provenance.API, partial=False, now=NOW)

    assert (few.created, few.updated, many.created, many.updated) == (4, 2, 56, 28)


def test_multi_row_inserts_are_the_statements_bulk_create_sends(post):
    days = [DAY + dt.timedelta(days=n) for n in range(120)]
    rows = [(post.pk, day, "api", None, None, timezone.now(), n) for n, day in enumerate(days)]
    fields = [*POST_SNAPSHOTS.new_fields[:6], "likes"]

    with CaptureQueriesContext(connection) as queries:
        insert_rows(PostMetrics, fields, rows, rows_per_insert=50)

    # bulk_create counts the parameter limit over every column of the model, whatever the INSERT names.
    columns = [field for field in PostMetrics._meta.concrete_fields if not field.primary_key]
    per_statement = min(50, connection.ops.bulk_batch_size(columns, rows))
    assert len(queries) == math.ceil(120 / per_statement)
    assert list(PostMetrics.objects.order_by("captured_on").values_list("captured_on", "likes")) == [
        (day, n) for n, day in enumerate(days)
    ]


def test_posts_are_found_by_their_exact_account_and_external_id(alice_instagram):
    other = SocialAccountFactory(faculty=alice_instagram.faculty)
    mine = PostFactory(account=alice_instagram, external_id="a")
    PostFactory(account=alice_instagram, external_id="b")  # the other account's external id, on this account
    theirs = PostFactory(account=other, external_id="b")

    keys = [(alice_instagram.pk, "a"), (other.pk, "b"), (other.pk, "missing")]
    instances = posts_by_key(Post.objects.all(), keys)
    values = posts_by_key(Post.objects.all(), keys, values=("caption",))

    assert instances == {(alice_instagram.pk, "a"): mine, (other.pk, "b"): theirs}
    assert values == {(alice_instagram.pk, "a"): (mine.pk, mine.caption), (other.pk, "b"): (theirs.pk, theirs.caption)}
