"""
The scope stamp: a number that changes whenever who sees what may have changed, and the memory of each user's
scope that it keys.

A scoped request reads the user's roles (two queries) and, on the long lists, the ids of the accounts they see
(one query over every account of the site). They change rarely, so each process remembers them, keyed by
(user, stamp). The stamp is the one row of `ScopeStamp`, loaded with the user in the same query
(`accounts/authentication.py`), and database triggers give it a new value on any write that changes the rows
scope is made of:

- memberships (roles), added, removed or changed in user, role, institution or department;
- faculty records, added, removed or linked to another login;
- appointments, added, removed or moved;
- departments, added, removed or moved to another institution;
- accounts, added, removed or given another owner.

Triggers rather than signals because these rows change through many doors (forms, admin, API, queryset updates,
bulk creates, cascades, history restores): a trigger sees each of them, and a door added later too. A new value
is never one handed out before (a sequence on PostgreSQL, 64 random bits on SQLite), so a value set by a
transaction that rolled back never comes back, and nothing remembered under it either.

What is remembered was read after the stamp, so it is never older than the stamp says. It is remembered only
outside a transaction: inside one, the reads could see the transaction's own uncommitted changes, which a
rollback would take back. `install` creates the triggers and the row from `post_migrate`, as
`metrics/latest.py` does for its own, and sets a new stamp whenever it does.

Costs: the stamp's row is locked by a transaction that changes scope until it commits, so two such transactions
run one after the other (admin edits of roles, appointments and owners: short). A restore that bypasses triggers
(`pg_restore --disable-triggers`, `session_replication_role = replica`) must be followed by a restart of the
site's processes, or by `migrate`, which sets a new stamp when its triggers were missing.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.db import connection, connections

from accounts.models import Appointment, Department, Faculty, Membership, ScopeStamp, SocialAccount

# The columns of each table that scope is made of; an update that changes none of them leaves the stamp alone.
WATCHED = {
    Membership: ("user_id", "role", "institution_id", "department_id"),
    Faculty: ("user_id",),
    Appointment: ("faculty_id", "department_id"),
    Department: ("institution_id",),
    SocialAccount: ("faculty_id", "department_id", "institution_id"),
}
PREFIX = "scope_stamp_"
# PostgreSQL: the stamps come from a sequence (never the same twice, and a value taken by a transaction that
# rolled back is never handed out again). SQLite has no sequences: its 64-bit random().
SEQUENCE = "scope_stamp_values"
# How many (user, stamp) entries a process keeps: the users of a busy hour. An admin who sees 3,334 accounts
# costs about 27 KB (`metrics.db.IdList`: 8 bytes an id) and, once sent, its text (about 45 KB); entries of an
# older stamp are dropped when a newer one is seen.
REMEMBERED_ENTRIES = 1000


def _functions(connection) -> list[str]:
    """PostgreSQL's sequence and trigger functions (SQLite's triggers hold their statement)."""
    if connection.vendor != "postgresql":
        return []
    change = f"UPDATE {connection.ops.quote_name(ScopeStamp._meta.db_table)} SET value = nextval('{SEQUENCE}');"
    function = (
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
    )
    return [
        f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}",
        function.format(name=f"{PREFIX}change", body=change),
        # Inserts and deletes: once per statement, and only when it wrote a row (a bulk create of a thousand
        # accounts changes the stamp once; a DELETE that matched nothing, not at all).
        function.format(
            name=f"{PREFIX}change_if_rows", body=f"IF EXISTS (SELECT 1 FROM changed_rows) THEN {change} END IF;"
        ),
    ]


def _triggers(connection, tag: str) -> dict[str, str]:
    """Trigger name -> the statement that creates it."""
    quote = connection.ops.quote_name
    statements = {}
    for model, columns in WATCHED.items():
        table = quote(model._meta.db_table)
        name = f"{PREFIX}{tag}_{model._meta.db_table}"
        # Django's save() writes every column: an update counts only when a scope column's value changed.
        if connection.vendor == "postgresql":
            changed = " OR ".join(f"OLD.{quote(column)} IS DISTINCT FROM NEW.{quote(column)}" for column in columns)
            statements[f"{name}_insert"] = (
                f"CREATE OR REPLACE TRIGGER {name}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS "
                f"changed_rows FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}change_if_rows()"
            )
            statements[f"{name}_update"] = (
                f"CREATE OR REPLACE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({changed}) EXECUTE FUNCTION {PREFIX}change()"
            )
            statements[f"{name}_delete"] = (
                f"CREATE OR REPLACE TRIGGER {name}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS "
                f"changed_rows FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}change_if_rows()"
            )
            statements[f"{name}_truncate"] = (
                f"CREATE OR REPLACE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}change()"
            )
            continue
        changed = " OR ".join(f"OLD.{quote(column)} IS NOT NEW.{quote(column)}" for column in columns)
        change = f"BEGIN UPDATE {quote(ScopeStamp._meta.db_table)} SET value = random(); END"
        statements[f"{name}_insert"] = f"CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON {table} {change}"
        statements[f"{name}_update"] = (
            f"CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE ON {table} WHEN {changed} {change}"
        )
        statements[f"{name}_delete"] = f"CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON {table} {change}"
    return statements


def triggers(connection) -> dict[str, str]:
    """
    The triggers this code wants, named with a digest of their definitions: when the definitions change (a
    column added to `WATCHED`), the names do too, so `install` replaces the triggers of every existing database.
    """
    definitions = [*_functions(connection), *_triggers(connection, "").values()]
    return _triggers(connection, hashlib.sha256("\n".join(definitions).encode()).hexdigest()[:8])


def installed_triggers(using: str = "default") -> dict[str, str]:
    """Trigger name -> its table, of every scope stamp trigger in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"]
            )
        return dict(cursor.fetchall())


def install(using: str = "default") -> bool:
    """
    Make the triggers the ones of `triggers` (dropping any other scope stamp trigger) and give the stamp its
    row; True when anything was missing, and then the stamp is new (writes made without the triggers did not
    change it). Nothing on a database not migrated yet.
    """
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {model._meta.db_table for model in (ScopeStamp, *WATCHED)} <= tables:
        return False
    wanted = triggers(connection)
    installed = installed_triggers(using)
    stamps = ScopeStamp.objects.using(using)
    if set(installed) == set(wanted) and stamps.exists():
        return False
    with connection.cursor() as cursor:
        for name, table in installed.items():
            if name not in wanted:
                on_table = f" ON {connection.ops.quote_name(table)}" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}")
        for statement in [*_functions(connection), *wanted.values()]:
            cursor.execute(statement)
    stamps.all().delete()
    stamps.create(value=secrets.randbits(62))
    return True


def current() -> int | None:
    """The stamp now (None: no row, as on a database flushed and not migrated since)."""
    return ScopeStamp.objects.values_list("value", flat=True).first()


class LeastRecentlyUsed:
    """
    A bounded map, the entry used longest ago out first, safe to share between a process's threads. It holds
    the entries of one stamp: an entry of another stamp clears it, since a new stamp makes the old entries
    useless (and an old stamp that comes back, from a request that loaded it just before the change, costs one
    reading afresh).
    """

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.stamp = None
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key not in self.entries:
                return None
            self.entries.move_to_end(key)
            return self.entries[key]

    def put(self, key, value, stamp) -> None:
        with self.lock:
            if stamp != self.stamp:
                self.entries.clear()
                self.stamp = stamp
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


scopes = LeastRecentlyUsed(REMEMBERED_ENTRIES)


def remembered(kind: str, user, compute: Callable[[], object]):
    """
    `compute()` for `user`, or what it gave for `kind` and this user under the same stamp. Computed afresh
    (and not kept) for a user loaded without a stamp, or inside a transaction.
    """
    stamp = getattr(user, "scope_stamp", None)
    if stamp is None or connection.in_atomic_block or not connection.get_autocommit():
        return compute()
    key = (kind, user.pk, stamp)
    value = scopes.get(key)
    if value is None:
        value = compute()
        scopes.put(key, value, stamp)
    return value
