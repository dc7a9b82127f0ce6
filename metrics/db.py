"""
Database helpers the ORM lacks: writing many rows given as plain tuples, and filtering on a long list of values.

The ORM builds a model instance per row and converts every value field by field; for the hundreds of
thousands of rows of a large import that costs several times the database's own work. These helpers take
rows whose values are already what the driver accepts (ints, strings, None, and dates and times passed
through `db_value`) and hand them to the driver in one call per statement.
"""

import functools
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Lookup, QuerySet

# Room left in a statement for the parameters of other filters, beside a batch of values (`in_batches`).
RESERVED_PARAMETERS = 100


def in_batches(values: Iterable, *, per_value: int = 1) -> Iterator[list]:
    """`values` in lists that fit one statement: SQLite caps a statement's parameters; PostgreSQL takes them all."""
    values = sorted(values)
    limit = connection.features.max_query_params
    size = max((limit - RESERVED_PARAMETERS) // per_value, 1) if limit else max(len(values), 1)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# Flags set on a Query (its clones copy them, a count's inner query too), read by `OneOf`: its arrays are not
# weighed by PostgreSQL's planner (`without_estimates`); on SQLite its checks use no index on their column
# (`walking_order`).
ONE_OF_UNESTIMATED = "one_of_unestimated"
ONE_OF_WALKS_ORDER = "one_of_walks_order"


class IdList:
    """
    Integer ids for `OneOf`, kept compactly (8 bytes each, against 36 in a tuple of Python integers), with the
    text `OneOf` sends made once: a list kept between requests (a user's visible accounts, remembered under the
    scope stamp) is sent as it is, request after request. Joining 3,334 ids into text took about 1.5 ms a
    request of an admin's posts list.
    """

    def __init__(self, values: Iterable[int]):
        self.values = array("q", (int(value) for value in values))

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    @functools.cached_property
    def postgresql_array(self) -> str:
        # An array literal, a string: psycopg quotes a string at once, a list of numbers number by number.
        return "{" + ",".join(map(str, self.values)) + "}"

    @functools.cached_property
    def json_array(self) -> str:
        return json.dumps(self.values.tolist())


class OneOf(Lookup):
    """
    `filter(OneOf(F("account"), ids))`: the column holds one of `ids` (integers, as ids are), sent as ONE
    parameter: an array on PostgreSQL (`= ANY`), a JSON array read by `json_each` on SQLite. `__in` sends a
    parameter per value: Django compiles 3,000 of them in about 15 ms, and SQLite refuses more than its limit
    of parameters a statement.

    On PostgreSQL the array is a constant, so the planner weighs its values one by one: an exact estimate of the
    rows (which decides between walking the list's order and reading the accounts' rows), for about 1.3 ms of
    planning per 1,000 values. An array computed at run time plans in no time but with a default estimate
    that took a page of an admin's 3,334 accounts (1,000,000 posts) from 30 ms to a second.
    """

    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = self.rhs if isinstance(self.rhs, IdList) else IdList(self.rhs)
        if connection.vendor == "postgresql":
            literal = ids.postgresql_array
            if getattr(compiler.query, ONE_OF_WALKS_ORDER, False):
                # `+ 0`: no index on the column serves the check, so the page walks its ordering's index. The array
                # stays a constant (hashed, one probe a row), but the expression has no statistics to weigh it by.
                return f"({lhs} + 0) = ANY(%s::bigint[])", (*params, literal)
            if getattr(compiler.query, ONE_OF_UNESTIMATED, False):
                # A scalar subquery: the array is known at run time only, so the planner does not weigh it. The CAST
                # makes it an expression: `= ANY (SELECT ...)` alone would compare with each row of the subquery.
                return f"{lhs} = ANY(CAST((SELECT %s::bigint[]) AS bigint[]))", (*params, literal)
            return f"{lhs} = ANY(%s::bigint[])", (*params, literal)
        if getattr(compiler.query, ONE_OF_WALKS_ORDER, False):
            # A unary plus: SQLite then uses no index on the column (https://sqlite.org/optoverview.html#uplus).
            lhs = f"+{lhs}"
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*params, ids.json_array)


def without_estimates(queryset: QuerySet) -> QuerySet:
    """
    `queryset`, its `OneOf` arrays planned without weighing their values, for a query whose plan does not hang
    on how many rows they select: a capped count walks the ids' index in any case. It then plans in no time
    rather than in about 1 ms per 1,000 values (an admin's count at 1,000,000 posts: 1.7 ms of 4).
    """
    queryset = queryset.all()
    setattr(queryset.query, ONE_OF_UNESTIMATED, True)
    return queryset


def walking_order(queryset: QuerySet) -> QuerySet:
    """
    `queryset`, read by walking its ordering's index and checking each row against its `OneOf` lists, rather
    than by reading every row of the listed ids and sorting them. SQLite cannot weigh a list read by
    `json_each`, so it always took the ids' index: for an admin's page of 33,400 visible posts it read them all
    and sorted them (1.8 ms), where walking the list's order reads about three rows a row shown (0.2 ms).
    PostgreSQL weighs the list, but value by value: 1-3 ms of planning for 3,334 ids, against 0.6 ms for the
    walk. Walking pays when the rows are many and not too sparse: the caller decides (`walk_pays`).
    """
    queryset = queryset.all()
    setattr(queryset.query, ONE_OF_WALKS_ORDER, True)
    return queryset


def db_value(model, name: str, value):
    """`value` of field `name` as the database driver takes it (what the ORM would send); None stays None."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def db_converter(model, name: str) -> Callable:
    """
    `db_value` of field `name` for many values that are already of the field's type (dates for a DateField,
    aware datetimes for a DateTimeField): the field's own last step, without the coercions that preparing a
    value of any type runs first, which cost an import of a million rows most of a second. Made for one
    chunk of work: it keeps the connection of the thread that made it.
    """
    # This thread's connection itself, not the proxy `connection`, which looks it up again at every value.
    here = connections[DEFAULT_DB_ALIAS]
    return functools.partial(model._meta.get_field(name).get_db_prep_value, connection=here, prepared=True)


def insert_rows(model, fields: Sequence[str], rows: list[Sequence], *, rows_per_insert: int | None = None) -> None:
    """
    INSERT `rows` (tuples of values for `fields`, in that order, ready for the driver) into `model`'s table.
    Fields left out get NULL (not the model's default). Nothing is returned (`insert_returning` returns the ids).

    By default one statement executed for every row; on PostgreSQL a COPY, several times faster again.
    With `rows_per_insert`, multi-row INSERTs of at most that many rows each: the statements the ORM's
    `bulk_create(batch_size=rows_per_insert)` sends, fewer rows each where the database's parameter limit
    calls for it (counted, as `bulk_create` counts it, over every column of the model).
    """
    if not rows:
        return
    meta = model._meta
    table, columns, marks = _insert_parts(model, fields)
    with connection.cursor() as cursor:
        if rows_per_insert is not None:
            fit = connection.ops.bulk_batch_size(
                [field for field in meta.concrete_fields if not field.primary_key], rows
            )
            _multi_row_inserts(cursor, model, fields, rows, size=max(min(rows_per_insert, fit), 1))
        elif connection.vendor == "postgresql":
            _copy(cursor, f"COPY {table} ({columns}) FROM STDIN", rows)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {marks}", rows)


def insert_returning(model, fields: Sequence[str], rows: list[Sequence], returning: Sequence[str]) -> list[tuple]:
    """
    INSERT `rows` as `insert_rows` does, and return the `returning` columns of each row written (their order is
    the database's: return a key with the id). Multi-row INSERTs with RETURNING (SQLite 3.35 and later,
    PostgreSQL), as many as the database's parameter limit calls for: for a few hundred rows a statement, where
    reading the new ids back would be one more query.
    """
    if not rows:
        return []
    limit = connection.features.max_query_params
    size = max(limit // len(fields), 1) if limit else len(rows)
    with connection.cursor() as cursor:
        return _multi_row_inserts(cursor, model, fields, rows, size=size, returning=returning)


def _insert_parts(model, fields: Sequence[str]) -> tuple[str, str, str]:
    """The quoted table, its quoted `fields` columns, and the placeholders of one row."""
    return (
        connection.ops.quote_name(model._meta.db_table),
        _columns(model, fields),
        f"({', '.join(['%s'] * len(fields))})",
    )


def _columns(model, fields: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)


def _multi_row_inserts(
    cursor, model, fields: Sequence[str], rows: list[Sequence], *, size: int, returning: Sequence[str] = ()
) -> list[tuple]:
    """INSERT `rows`, `size` rows a statement; the `returning` columns of every row written, if any are named."""
    table, columns, marks = _insert_parts(model, fields)
    tail = f" RETURNING {_columns(model, returning)}" if returning else ""
    found = []
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        values = ", ".join([marks] * len(batch))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values}{tail}", [value for row in batch for value in row]
        )
        if returning:
            found += cursor.fetchall()
    return found


def _copy(cursor, sql: str, rows: list[Sequence]) -> None:
    # psycopg 3's COPY, under Django's cursor. Its errors become Django's (an IntegrityError is an
    # IntegrityError to the caller), and the debug cursor (tests, DEBUG) logs it as one statement, as it
    # logs an executemany, so query counts see it.
    log = cursor.debug_sql(sql, rows, many=True) if hasattr(cursor, "debug_sql") else nullcontext()
    with connection.wrap_database_errors, log, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def update_rows(model, fields: Sequence[str], rows: list[Sequence]) -> None:
    """
    Set `fields` of many rows of `model`: each row is the new values (ready for the driver) followed by
    the primary key. One UPDATE statement run for every row in one call.

    Not `QuerySet.bulk_update`: it builds a CASE WHEN expression per row and column in Python, and 10,000
    snapshots took about a minute on SQLite and PostgreSQL alike; this takes a fraction of a second.
    """
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s", rows)
