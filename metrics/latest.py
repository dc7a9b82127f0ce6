"""
The latest-snapshot table (`LatestPostMetrics`): each post's latest snapshot, kept by database triggers.

Why triggers rather than Python: the table must agree with the snapshots after every write, in the same
transaction, and snapshots are written through many doors (the upsert's INSERT, UPDATE and COPY, model saves
and deletes, simple-history reverts, queryset and cascade deletes). A trigger sees each of them, and a door
added later too. On PostgreSQL the triggers run once per statement over its transition tables (a COPY of a
million snapshots updates the table in one set-based statement); SQLite has only row triggers, each a probe and
a write of one row.

The rule is the one of `PostMetrics.objects.on_or_before`: a post's latest snapshot is the one with the
greatest `captured_on` ((post, captured_on) is unique, so there is one). `rebuild` recomputes the whole table
from the snapshots (repairs; `manage.py latest_snapshots --rebuild`), `disagreements` counts the posts where
the table and the snapshots differ (`manage.py latest_snapshots --check`).

`install` creates the triggers when they are missing, from `post_migrate`: after a migration that rebuilt the
snapshot table (SQLite rebuilds a table to alter it, which drops its triggers), the triggers come back and the
table is rebuilt, so a deployment cannot run without them.
"""

from django.db import connections

from accounts.vocabulary import METRIC_FIELDS
from metrics.models import LatestPostMetrics, PostMetrics

TRIGGERS = ("latest_post_metrics_insert", "latest_post_metrics_update", "latest_post_metrics_delete")


def _names(connection) -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "latest": quote(LatestPostMetrics._meta.db_table),
        "snapshots": quote(PostMetrics._meta.db_table),
        # The table's columns, and the snapshot's columns that fill them, in the same order.
        "columns": ", ".join(quote(name) for name in ("post_id", "snapshot_id", "captured_on", *METRIC_FIELDS)),
        "values": ", ".join(quote(name) for name in ("post_id", "id", "captured_on", *METRIC_FIELDS)),
        "assign": ", ".join(
            f"{quote(name)} = EXCLUDED.{quote(name)}" for name in ("snapshot_id", "captured_on", *METRIC_FIELDS)
        ),
    }


def _latest_rows_sql(names: dict[str, str], *, where: str = "TRUE") -> str:
    """Each post's latest snapshot among the snapshots of the posts `where` selects (`s` is the snapshot)."""
    return (
        f"SELECT {', '.join(f's.{column.strip()}' for column in names['values'].split(','))} "
        f"FROM {names['snapshots']} s WHERE ({where}) AND NOT EXISTS ("
        f"SELECT 1 FROM {names['snapshots']} later "
        f"WHERE later.post_id = s.post_id AND later.captured_on > s.captured_on)"
    )


def _sqlite_triggers(names: dict[str, str]) -> list[str]:
    def refresh(post: str) -> str:
        return (
            f"DELETE FROM {names['latest']} WHERE post_id = {post}; "
            f"INSERT INTO {names['latest']} ({names['columns']}) "
            f"{_latest_rows_sql(names, where=f's.post_id = {post}')};"
        )

    new_values = ", ".join(f"NEW.{column.strip()}" for column in names["values"].split(","))
    watched = ", ".join(["post_id", "captured_on", *METRIC_FIELDS])
    return [
        # A new snapshot is the latest unless a later one is there: the post's row written in place (an upsert,
        # which costs a third less than INSERT OR REPLACE's delete and insert; `WHERE TRUE` tells SQLite's parser that
        # ON CONFLICT belongs to the INSERT, not to the SELECT).
        f"CREATE TRIGGER IF NOT EXISTS latest_post_metrics_insert AFTER INSERT ON {names['snapshots']} BEGIN "
        f"INSERT INTO {names['latest']} ({names['columns']}) SELECT {new_values} WHERE TRUE ON CONFLICT (post_id) "
        f"DO UPDATE SET {names['assign']} WHERE {names['latest']}.captured_on < EXCLUDED.captured_on; END",
        # A changed day or post may hand "latest" to another snapshot: both posts are recomputed.
        f"CREATE TRIGGER IF NOT EXISTS latest_post_metrics_update AFTER UPDATE OF {watched} "
        f"ON {names['snapshots']} BEGIN {refresh('OLD.post_id')} {refresh('NEW.post_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS latest_post_metrics_delete AFTER DELETE ON {names['snapshots']} "
        f"BEGIN {refresh('OLD.post_id')} END",
    ]


def _postgresql_triggers(names: dict[str, str]) -> list[str]:
    def refresh(posts: str) -> str:
        # The posts whose snapshots a statement changed or deleted, recomputed from what is left.
        return (
            f"DELETE FROM {names['latest']} WHERE post_id IN ({posts}); "
            f"INSERT INTO {names['latest']} ({names['columns']}) "
            f"{_latest_rows_sql(names, where=f's.post_id IN ({posts})')};"
        )

    function = (
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
    )
    trigger = (
        "CREATE OR REPLACE TRIGGER {name} AFTER {event} ON " + names["snapshots"] + " REFERENCING {tables} "
        "FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )
    inserted = (
        # The latest of the new snapshots of each post, unless the table holds a later one.
        f"INSERT INTO {names['latest']} AS latest ({names['columns']}) "
        f"SELECT DISTINCT ON (post_id) {names['values']} FROM new_rows ORDER BY post_id, captured_on DESC "
        f"ON CONFLICT (post_id) DO UPDATE SET {names['assign']} WHERE latest.captured_on < EXCLUDED.captured_on;"
    )
    updated = refresh("SELECT post_id FROM old_rows UNION SELECT post_id FROM new_rows")
    deleted = refresh("SELECT post_id FROM old_rows")
    return [
        function.format(name="latest_post_metrics_insert", body=inserted),
        trigger.format(name="latest_post_metrics_insert", event="INSERT", tables="NEW TABLE AS new_rows"),
        function.format(name="latest_post_metrics_update", body=updated),
        trigger.format(
            name="latest_post_metrics_update", event="UPDATE", tables="OLD TABLE AS old_rows NEW TABLE AS new_rows"
        ),
        function.format(name="latest_post_metrics_delete", body=deleted),
        trigger.format(name="latest_post_metrics_delete", event="DELETE", tables="OLD TABLE AS old_rows"),
    ]


def installed_triggers(using: str = "default") -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [PostMetrics._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [PostMetrics._meta.db_table]
            )
        return {name for (name,) in cursor.fetchall()} & set(TRIGGERS)


def install(using: str = "default") -> bool:
    """
    Create the triggers that are missing and, when any was, rebuild the table (writes made without them are
    not in it). True when something was installed. Nothing on a database without the table (not migrated yet).
    """
    connection = connections[using]
    tables = connection.introspection.table_names()
    if LatestPostMetrics._meta.db_table not in tables or PostMetrics._meta.db_table not in tables:
        return False
    if installed_triggers(using) == set(TRIGGERS):
        return False
    names = _names(connection)
    statements = _postgresql_triggers(names) if connection.vendor == "postgresql" else _sqlite_triggers(names)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    rebuild(using)
    return True


def rebuild(using: str = "default") -> int:
    """Recompute the whole table from the snapshots; the number of posts it holds."""
    connection = connections[using]
    names = _names(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {names['latest']}")
        cursor.execute(f"INSERT INTO {names['latest']} ({names['columns']}) {_latest_rows_sql(names)}")
        return cursor.rowcount


def disagreements(using: str = "default") -> int:
    """How many rows the table and the snapshots' own latest rows do not share (0: they agree)."""
    connection = connections[using]
    names = _names(connection)
    table = f"SELECT {names['columns']} FROM {names['latest']}"
    truth = _latest_rows_sql(names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({table} EXCEPT {truth}) a) "
            f"+ (SELECT COUNT(*) FROM ({truth} EXCEPT {table}) b)"
        )
        return cursor.fetchone()[0]
