"""Writing many rows as plain tuples (`metrics.db`): the same rows the ORM would write, in one statement."""

import datetime as dt
import math

import pytest
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from metrics.db import IdList
from metrics.db import OneOf
from metrics.db import db_value
from metrics.db import in_batches
from metrics.db import insert_returning
from metrics.db import insert_rows
from metrics.db import update_rows
from metrics.db import walking_order
from metrics.db import without_estimates
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import PostFactory
from tests.factories import SocialAccountFactory

FIELDS = ("post", "captured_on", "source", "source_row", "created_at", "likes", "reach")


@pytest.fixture
def post(alice_instagram):
    return PostFactory(account=alice_instagram, external_id="p1", published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))


def test_inserted_rows_read_back_as_the_orm_would_have_saved_them(post, django_assert_num_queries):
    created_at = dt.datetime(2026, 10, 2, 9, 30, tzinfo=dt.UTC)
    stored_at = db_value(PostMetrics, "created_at", created_at)
    days = {day: db_value(PostMetrics, "captured_on", dt.date(2026, 10, day)) for day in (1, 2, 3)}
    rows = [(post.pk, days[day], "import", day, stored_at, day * 10, None) for day in days]

    with django_assert_num_queries(1):  # one INSERT run for every row (a COPY on PostgreSQL)
        insert_rows(PostMetrics, FIELDS, rows)

    stored = PostMetrics.objects.order_by("captured_on")
    assert [(s.captured_on.day, s.likes, s.reach, s.source_row) for s in stored] == [
        (1, 10, None, 1),
        (2, 20, None, 2),
        (3, 30, None, 3),
    ]
    assert {s.created_at for s in stored} == {created_at}
    assert {(s.import_batch, s.verified_by, s.verified_at) for s in stored} == {(None, None, None)}


def test_a_caption_with_quotes_tabs_and_new_lines_is_stored_as_written(post):
    caption = 'Line one\twith a tab, a "quote" and a back\\slash\nline two 🩻'
    now = db_value(Post, "created_at", timezone.now())
    published_at = db_value(Post, "published_at", post.published_at)
    fields = ("account", "external_id", "url", "published_at", "content_type", "caption", "hashtags", "category")
    fields += ("highlight_note", "created_at", "updated_at")

    insert_rows(Post, fields, [(post.account_id, "p2", "", published_at, "image", caption, "", "", "", now, now)])

    stored = Post.objects.get(external_id="p2")
    assert (stored.caption, stored.published_at) == (caption, post.published_at)


def test_updated_rows_change_only_the_given_fields(post, django_assert_num_queries):
    first = PostMetrics.objects.create(post=post, captured_on=dt.date(2026, 10, 1), likes=1, reach=100)
    second = PostMetrics.objects.create(post=post, captured_on=dt.date(2026, 10, 2), likes=2, reach=200)

    with django_assert_num_queries(1):
        update_rows(PostMetrics, ("likes", "source_row"), [(11, 7, first.pk), (None, 8, second.pk)])

    assert list(PostMetrics.objects.order_by("captured_on").values_list("likes", "reach", "source_row")) == [
        (11, 100, 7),
        (None, 200, 8),
    ]


def test_nothing_to_write_runs_no_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        insert_rows(PostMetrics, FIELDS, [])
        update_rows(PostMetrics, ("likes",), [])


def test_batches_fit_the_databases_parameter_limit():
    batches = list(in_batches(range(2500)))

    assert sorted(value for batch in batches for value in batch) == list(range(2500))
    limit = connection.features.max_query_params
    assert all(len(batch) <= limit for batch in batches) if limit else len(batches) == 1


def test_a_row_the_database_refuses_raises_djangos_integrity_error(post):
    day, now = db_value(PostMetrics, "captured_on", dt.date(2026, 10, 1)), db_value(Post, "created_at", timezone.now())
    row = (post.pk, day, "import", 1, now, 1, None)
    insert_rows(PostMetrics, FIELDS, [row])

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(PostMetrics, FIELDS, [row])  # the same post and day again


def test_rows_inserted_with_returning_give_back_each_rows_columns(alice_instagram, django_assert_num_queries):
    published = db_value(Post, "published_at", dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    now = db_value(Post, "created_at", timezone.now())
    fields = ("account", "external_id", "url", "published_at", "content_type", "caption", "hashtags", "category")
    fields += ("highlight_note", "created_at", "updated_at")
    rows = [(alice_instagram.pk, f"p{n}", "", published, "image", "", "", "", "", now, now) for n in range(300)]
    limit = connection.features.max_query_params  # SQLite's; PostgreSQL has none
    statements = math.ceil(len(rows) / (limit // len(fields))) if limit else 1  # rows whose parameters fit

    with django_assert_num_queries(statements):
        returned = insert_returning(Post, fields, rows, returning=("external_id", "id"))

    assert sorted(returned) == sorted(Post.objects.values_list("external_id", "id"))
    assert len(returned) == 300


def test_one_of_planned_without_estimates_selects_and_counts_the_same_rows(alice_instagram, dana):
    other = SocialAccountFactory(handle="dana_rads", faculty=dana)
    for n in range(3):
        PostFactory(account=alice_instagram, external_id=f"a{n}")
        PostFactory(account=other, external_id=f"d{n}")
    chosen = Post.objects.filter(OneOf(F("account"), (alice_instagram.pk,)))
    unestimated = without_estimates(chosen)

    assert unestimated.order_by()[:10].count() == chosen.count() == 3
    assert set(unestimated.values_list("external_id", flat=True)) == {"a0", "a1", "a2"}
    sql = str(unestimated.order_by()[:10].query)
    # On PostgreSQL the array is a scalar subquery (known at run time only); SQLite reads it with json_each alike.
    assert ("(SELECT" in sql) if connection.vendor == "postgresql" else ("json_each" in sql)


def test_one_of_walking_the_order_selects_the_same_rows(alice_instagram, dana):
    other = SocialAccountFactory(handle="dana_rads", faculty=dana)
    for n in range(3):
        PostFactory(account=alice_instagram, external_id=f"a{n}")
        PostFactory(account=other, external_id=f"d{n}")
    chosen = Post.objects.filter(OneOf(F("account"), (alice_instagram.pk,))).order_by("-published_at", "-id")
    walked = walking_order(chosen)

    assert list(walked.values_list("external_id", flat=True)) == list(chosen.values_list("external_id", flat=True))
    assert len(walked) == 3
    # On SQLite the column is checked with a unary plus, so no index on it is used; PostgreSQL weighs lists itself.
    assert ('+"metrics_post"."account_id"' in str(walked.query)) == (connection.vendor == "sqlite")


def test_an_id_list_sends_the_same_text_as_a_plain_list_and_keeps_it():
    ids = IdList(["3", 1, 2])

    assert (list(ids), len(ids)) == ([3, 1, 2], 3)
    assert (ids.postgresql_array, ids.json_array) == ("{3,1,2}", "[3, 1, 2]")
    assert ids.postgresql_array is ids.postgresql_array  # made once
