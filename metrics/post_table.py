"""
Posts with their metrics as of a date, read as columns: the read behind every engagement summary.

`PostTable.read(posts, as_of, fields)` runs one query. For each post of the queryset it returns its id, account
and publication time (whole seconds), the post fields asked for, the counted metrics of its latest snapshot
captured on or before `as_of` (blank without one) and the account's followers on the publication day. Both
come from the rules every other read uses: the snapshot is the first of `PostMetrics.objects.on_or_before`, whose
own SQL is the probe below, and the followers are `PostQuerySet.with_followers_on_publication` (tests hold the
whole read equal to `PostMetrics.objects.as_of` and to the annotations that pages use for single posts). The
rows go straight from the database cursor into numpy arrays, with no Django object or dict per post: over
100,000 posts, building those cost more than the query.

Why SQL around the ORM's query: finding each post's latest snapshot is one index probe per post. The ORM
can only say it as a join whose condition holds a subquery, and PostgreSQL plans that as a hash join over every
snapshot of every post, four times slower over a million snapshots. A LATERAL join asks PostgreSQL for the probe
itself; other databases get the same probe as a subquery on the snapshot's id, which SQLite runs as one.

Today's numbers (an as-of day not before today) read each post's row of the latest-snapshot table
(`LatestPostMetrics`) instead, when its latest snapshot was captured by that day; the probe stays for the rest
(a post without snapshots, or with one dated after the day). Tests hold both paths equal.
"""

import functools
import itertools
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import NotSupportedError, connections, models
from django.db.models import Func
from django.db.models.expressions import RawSQL
from django.utils import timezone

from metrics import engagement

# Always read: the post, its account, and when it was published (`EpochSeconds`), for ties and time views.
KEY_FIELDS = ("id", "account_id", "published_epoch")


class EpochSeconds(Func):
    """
    Whole seconds from 1970-01-01 UTC to a datetime, as an integer. Over many posts an integer is cheap to read
    where a datetime with its time zone is not: psycopg took 0.3 s to build 100,000 of them.
    """

    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])  # UTC text, which strftime reads natively
        return f"CAST(strftime('%%s', {sql}) AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        # date_part gives a double, much cheaper to floor than EXTRACT's numeric.
        return f"floor(date_part('epoch', {sql}))::bigint", params

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("EpochSeconds is written for SQLite and PostgreSQL.")


@dataclass(frozen=True)
class PostTable:
    as_of: date
    fields: dict[str, np.ndarray]  # each post field asked for, one value per post
    counts: engagement.Counts

    @classmethod
    def read(cls, posts, as_of: date, fields: tuple[str, ...] = ()) -> "PostTable":
        """
        These posts (a `Post` queryset), in no particular order (summaries do not depend on it): one query.
        """
        names = tuple(dict.fromkeys((*KEY_FIELDS, *fields)))
        rows = _fetch(posts, as_of, names)
        # One object array, then a column block each: far faster than numpy reading the tuples' blanks one by one.
        width = len(names) + len(engagement.COUNTED_FIELDS) + 1
        cells = itertools.chain.from_iterable(rows)
        data = np.fromiter(cells, dtype=object, count=len(rows) * width).reshape(len(rows), width)
        columns = {name: data[:, position] for position, name in enumerate(names)}
        for name in KEY_FIELDS:
            columns[name] = columns[name].astype("int64")
        # The counted fields, in the order of COUNTED_FIELDS. A blank becomes NaN.
        values = data[:, len(names) : width - 1].astype("float64")
        measured = np.not_equal(data[:, -1], None)  # the snapshot's id
        return cls(as_of=as_of, fields=columns, counts=engagement.Counts(values, measured))

    def __len__(self) -> int:
        return len(self.counts)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.fields[name]

    def take(self, selector) -> "PostTable":
        """The posts a boolean mask or an index array picks."""
        return PostTable(
            self.as_of, {name: column[selector] for name, column in self.fields.items()}, self.counts.take(selector)
        )

    def published_at(self) -> list[datetime]:
        """When each post was published, to the second (aware, UTC)."""
        return [datetime.fromtimestamp(seconds, tz=UTC) for seconds in self["published_epoch"].tolist()]

    def of_accounts(self, account_ids) -> "PostTable":
        return self.take(np.isin(self["account_id"], list(account_ids)))

    def summary(self) -> engagement.EngagementSummary:
        return self.summaries_by(None).get(None) or engagement.empty_summary(self.as_of)

    def summaries_by(self, key: str | np.ndarray | None) -> dict[Hashable, engagement.EngagementSummary]:
        """One summary per value of the post field `key` (or of an array of keys, one per post)."""
        keys = self[key] if isinstance(key, str) else key
        return engagement.summarize_counts(self.counts, keys=keys, as_of=self.as_of)


def _fetch(posts, as_of: date, names: tuple[str, ...]) -> list[tuple]:
    """The rows of `PostTable.read`: `names`, then COUNTED_FIELDS, then the snapshot's id (None without one)."""
    query = fetch_sql(posts, as_of, names)
    if query is None:
        return []
    with connections[posts.db].cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


def fetch_sql(posts, as_of: date, names: tuple[str, ...]) -> tuple[str, tuple] | None:
    """
    The one query of `PostTable.read` and its parameters (None when `posts` can match nothing): what the
    comparison benchmark runs bare, as the floor of the comparison.
    """
    connection = connections[posts.db]
    quote = connection.ops.quote_name
    snapshots = posts.model._meta.get_field("snapshots").related_model
    table = quote(snapshots._meta.db_table)
    snapshot_id = quote(snapshots._meta.pk.column)
    metrics = engagement.SNAPSHOT_COUNTED_FIELDS
    # Each counted field from the snapshot, but followers, which the inner query finds for the account.
    counted = ", ".join(
        "p.followers" if field == "followers" else f"s.{quote(snapshots._meta.get_field(field).column)}"
        for field in engagement.COUNTED_FIELDS
    )

    inner = (
        (posts if posts.query.is_sliced else posts.order_by())
        .with_followers_on_publication()
        .annotate(published_epoch=EpochSeconds("published_at"))
        .values(*names, "followers")
    )
    try:
        inner_sql, inner_params = _sql(inner)
    except EmptyResultSet:  # a queryset that can match nothing (`.none()`, an empty `__in`)
        return None
    day = connection.ops.adapt_datefield_value(as_of)
    if as_of < timezone.localdate():
        # A past day: each post's probe (the snapshot table's unique index serves it).
        params, table_join, probe_when, counted_sql, id_sql = (), "", "", counted, f"s.{snapshot_id}"
    else:
        # Today (or later): each post's row of the latest-snapshot table when it was captured by then, which is
        # its snapshot as of that day; the probe only for a post without such a row (no snapshot, or its latest
        # dated after the day). A table a tenth of the snapshots' size, one narrow row per post.
        latest_table = quote(posts.model._meta.get_field("latest_metrics").related_model._meta.db_table)
        params = (day,)
        table_join = f"LEFT JOIN {latest_table} l ON l.post_id = p.{quote('id')} AND l.captured_on <= %s "
        probe_when = "l.post_id IS NULL"
        counted_sql = ", ".join(
            column if field == "followers" else f"CASE WHEN {probe_when} THEN {column} ELSE l.{column[2:]} END"
            for field, column in zip(engagement.COUNTED_FIELDS, counted.split(", "), strict=True)
        )
        id_sql = f"CASE WHEN {probe_when} THEN s.{snapshot_id} ELSE l.{quote('snapshot_id')} END"
    if connection.vendor == "postgresql":
        # Selected by field name, which is also each column's name: `s.` reads them as from the table. With the
        # table, its condition goes inside the probe, where PostgreSQL checks it once per post before the index
        # scan (outside, it ran every probe and dropped the rows afterwards).
        columns = (snapshots._meta.pk.attname, *metrics)
        latest = _latest_snapshot_sql(posts.db, snapshots, columns, when=probe_when or None)
        join = f"LEFT JOIN LATERAL ({latest}) s ON TRUE"
    else:
        latest = _latest_snapshot_sql(posts.db, snapshots, ("pk",))
        if probe_when:  # CASE, so that SQLite does not run the probe for a post the table answered
            latest = f"CASE WHEN {probe_when} THEN ({latest}) END"
        join = f"LEFT JOIN {table} s ON s.{snapshot_id} = ({latest})"
    sql = (
        f"SELECT {', '.join(f'p.{quote(name)}' for name in names)}, {counted_sql}, {id_sql} "
        f"FROM ({inner_sql}) p {table_join}{join}"
    )
    return sql, (*inner_params, *params, day)


def _sql(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


@functools.cache
def _latest_snapshot_sql(
    alias: str, snapshots: type[models.Model], columns: tuple[str, ...], when: str | None = None
) -> str:
    """
    The SQL of `snapshots.objects.on_or_before(day, post=...)[:1]`, for the post of the outer row `p`, selecting
    `columns`: the rule itself, not a copy; `when`, a condition on the outer row that must hold too. Its one
    parameter is the day, which the read passes; compiled once per database, as compiling it took a fifth of a
    millisecond of every read.
    """
    connection = connections[alias]
    outer_post = RawSQL(f"p.{connection.ops.quote_name('id')}", (), output_field=models.BigIntegerField())
    probe = date(2000, 1, 1)
    latest = snapshots.objects.using(alias).on_or_before(probe, post=outer_post)
    if when is not None:
        latest = latest.filter(RawSQL(when, (), output_field=models.BooleanField()))
    sql, params = _sql(latest.values(*columns)[:1])
    if list(params) != [connection.ops.adapt_datefield_value(probe)]:
        raise NotSupportedError(f"Expected the day as the only parameter of the latest snapshot's SQL: {params!r}.")
    return sql
