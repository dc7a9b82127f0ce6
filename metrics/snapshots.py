"""
Writing snapshots: the one upsert behind the bulk API (`metrics.bulk`) and the import (`metrics.imports_writer`),
and the lookup of posts by (account, external id) that both name posts by.

A snapshot is one reading of an owner's numbers (a post's, or an account's followers) on one day, unique on
(owner, captured_on). `POST_SNAPSHOTS.upsert(owners, days, counts, ...)` reads the stored snapshots of the
readings' keys in bulk, sorts every reading into created, changed or unchanged, and writes with the batch
helpers of `metrics.db`: an INSERT for the new snapshots, an UPDATE run for every changed one, nothing for the
unchanged. The queries do not grow with the readings (beyond the batches that SQLite's parameter limit calls
for).

What differs between the callers is said by parameters: the provenance of what is written (source, import
batch, source row), whether a reading names every metric or only some (`partial`), and the shape of the INSERT.
"""

import operator
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import repeat

from django.db.models import QuerySet

from accounts.vocabulary import METRIC_FIELDS
from metrics.db import db_converter, db_value, in_batches, insert_rows, update_rows
from metrics.history import record_bulk_changes, request_user_id
from metrics.models import AccountMetrics, Post, PostMetrics, Provenance


@dataclass(frozen=True)
class Upserted:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (source row of the reading, source row of the stored snapshot) for each reading whose snapshot this
    # same import batch wrote already (the file has it twice). When there is any, nothing was written.
    repeats: tuple[tuple[int | None, int | None], ...] = ()


class SnapshotTable:
    """The snapshots of one model (`PostMetrics`, `AccountMetrics`): their owner's field and their metrics."""

    def __init__(self, model, *, owner: str, metrics: Sequence[str]):
        self.model = model
        self.owner = owner
        self.metrics = tuple(metrics)
        self._index = {name: index for index, name in enumerate(self.metrics)}
        self._in_order = operator.itemgetter(*self.metrics)  # a reading's counts, when it names every metric
        # The columns of a new snapshot; those left out (its verification) are NULL: a new reading is unverified.
        self.new_fields = (owner, "captured_on", "source", "import_batch", "source_row", "created_at", *self.metrics)
        # A changed snapshot rewrites its counts and every provenance column: a changed reading is unverified.
        self.changed_fields = (*self.metrics, *model.provenance_fields)

    def upsert(
        self,
        owners: Sequence[int],
        days: Sequence[date],
        counts: "Sequence[dict[str, int | None]] | CountColumns",
        *,
        source_rows: Sequence[int | None] | None = None,
        source: Provenance,
        import_batch_id: int | None = None,
        partial: bool,
        now: datetime,
        new_owners: Collection[int] = frozenset(),
        rows_per_insert: int | None = None,
        user_id: int | None = None,
    ) -> Upserted:
        """
        Create or update the snapshot of each reading (at most one reading per owner and day), as `source`
        (with `import_batch_id` and each reading's source row, or None). A reading is the owner id, the
        day, the counts ({metric: count or None}) and the source row at the same position of `owners`,
        `days`, `counts` and `source_rows`: columns rather than a tuple per reading, which would cost an
        import of a million rows seconds in the garbage collector alone. `counts` may itself be columns
        (`CountColumns`, every reading naming the same metrics): the import of a template passes them so.

        `partial`: a reading names only some metrics (an export's columns): the others keep their stored
        value. Otherwise a reading is the whole snapshot: a metric it does not name becomes null.
        `new_owners`: owners created just now, in the same transaction: they have no snapshot yet, so their
        readings are not looked up. `rows_per_insert`: None writes every new snapshot in one statement run
        for each row (a COPY on PostgreSQL); a number writes multi-row INSERTs of at most that many rows.
        `user_id`: who is writing, for the history of the changed snapshots (None: the request's signed-in user).

        A reading equal to its stored snapshot is not written (the snapshot keeps its provenance and its
        verification). When `import_batch_id` already wrote a reading's snapshot, the reading is a repeat:
        repeats are returned and nothing at all is written.
        """
        stored = self.stored((owner, day) for owner, day in zip(owners, days, strict=True) if owner not in new_owners)
        source = Provenance(source).value  # the plain string: a driver need not know Django's choices
        created_at = db_value(self.model, "created_at", now)
        metrics, index, in_order = self.metrics, self._index, self._in_order
        driver_day = db_converter(self.model, "captured_on")
        driver_days = {day: driver_day(day) for day in set(days)}
        new, changed, unchanged, repeats = [], [], 0, []
        source_rows = repeat(None, len(owners)) if source_rows is None else source_rows
        if isinstance(counts, CountColumns):
            # Readings as columns: the new ones go to the driver as they are, zipped; only the few readings
            # with a stored snapshot become a reading each, for the comparison below.
            found_at = [i for i, key in enumerate(zip(owners, days, strict=True)) if key in stored] if stored else []
            source_rows = list(source_rows)
            leading = [owners, list(map(driver_days.__getitem__, days)), source_rows]
            new = counts.new_rows(
                leading, metrics, provenance=(source, import_batch_id), created_at=created_at, skip=found_at
            )
            owners, days, source_rows = ([values[i] for i in found_at] for values in (owners, days, source_rows))
            counts = [counts.reading(i) for i in found_at]
        for owner, day, reading, source_row in zip(owners, days, counts, source_rows, strict=True):
            found = stored.get((owner, day))
            if found is None:
                values = in_order(reading) if len(reading) == len(metrics) else [reading.get(name) for name in metrics]
                new.append((owner, driver_days[day], source, import_batch_id, source_row, created_at, *values))
                continue
            pk, stored_batch_id, stored_row, values = found
            if import_batch_id is not None and stored_batch_id == import_batch_id:
                repeats.append((source_row, stored_row))
                continue
            if partial:
                merged = list(values)
                for name, value in reading.items():
                    merged[index[name]] = value
            else:
                merged = [reading.get(name) for name in metrics]
            if merged == values:
                unchanged += 1
                continue
            # A verification vouches for the numbers an admin compared with the platform, not for whatever
            # the snapshot holds later: new numbers are a new, unverified reading (the evidence rules of the
            # design). This is the one place where a stored snapshot's numbers are overwritten in bulk.
            changed.append((*merged, source, import_batch_id, source_row, None, None, pk))
        if repeats:
            return Upserted(repeats=tuple(repeats))
        insert_rows(self.model, self.new_fields, new, rows_per_insert=rows_per_insert)
        if changed:
            # New snapshots keep no history record (their batch and row are their creation record, so an import
            # stays at its speed); changed ones do, old values first, in a few queries whatever their number.
            write_history = record_bulk_changes(
                self.model,
                self.changed_fields,
                changed,
                source=source,
                user_id=request_user_id() if user_id is None else user_id,
                now=now,
            )
            update_rows(self.model, self.changed_fields, changed)
            write_history()
        return Upserted(created=len(new), updated=len(changed), unchanged=unchanged)

    def stored(
        self, keys: Iterable[tuple[int, date]]
    ) -> dict[tuple[int, date], tuple[int, int | None, int | None, list]]:
        """
        The stored snapshots of (owner id, day) `keys`: (pk, import batch id, source row, counts in
        `metrics` order). A query per batch of owners.
        """
        days_by_owner = defaultdict(set)
        for owner, day in keys:
            days_by_owner[owner].add(day)
        found = {}
        for owners in in_batches(days_by_owner):
            days = set().union(*(days_by_owner[owner] for owner in owners))
            # A range rather than the list of days keeps the statement short; the exact pairs are picked here.
            snapshots = self.model.objects.filter(
                **{f"{self.owner}__in": owners}, captured_on__range=(min(days), max(days))
            ).order_by()
            for pk, owner, day, batch_id, source_row, *counts in snapshots.values_list(
                "pk", self.owner, "captured_on", "import_batch", "source_row", *self.metrics
            ):
                if day in days_by_owner[owner]:
                    found[(owner, day)] = (pk, batch_id, source_row, counts)
        return found


class CountColumns(dict):
    """
    Readings given as columns, {metric: [count or None, one per reading]}: every reading names the same
    metrics. What an import of a million rows passes to `SnapshotTable.upsert` instead of a dict per reading.
    """

    def reading(self, position: int) -> dict[str, int | None]:
        return {name: values[position] for name, values in self.items()}

    def new_rows(
        self, leading: list[Sequence], metrics: Sequence[str], *, provenance: tuple, created_at, skip: list[int]
    ) -> list[tuple]:
        """
        The INSERT rows (`SnapshotTable.new_fields`, with `metrics` in that order) of every reading but those at
        the `skip` positions, from the `leading` columns (owners, days as the driver takes them, source rows),
        the provenance (source, import batch) and the counts: built by zipping whole columns, with no Python
        run per reading. A metric the readings do not name is NULL.
        """
        owners, days, source_rows = leading
        source, import_batch_id = provenance
        columns = [
            owners,
            days,
            repeat(source),
            repeat(import_batch_id),
            source_rows,
            repeat(created_at),
            *(self.get(name, repeat(None)) for name in metrics),
        ]
        if skip:
            kept = sorted(set(range(len(owners))) - set(skip))
            columns = [[values[i] for i in kept] if isinstance(values, list) else values for values in columns]
        return list(zip(*columns, strict=False))  # the repeats end with the columns


POST_SNAPSHOTS = SnapshotTable(PostMetrics, owner="post", metrics=METRIC_FIELDS)
ACCOUNT_SNAPSHOTS = SnapshotTable(AccountMetrics, owner="account", metrics=("followers", "following", "posts_count"))


def posts_by_key(
    posts: QuerySet, keys: Iterable[tuple[int, str]], *, values: Sequence[str] | None = None
) -> dict[tuple[int, str], Post | tuple]:
    """
    The posts of `posts` (a Post QuerySet, scoped as the caller needs) named by (account id, external id)
    `keys`, keyed by them; a key without a post is left out. A query per batch of keys, never one per post.

    Each post is the model instance (with what `posts` loads), or with `values` the tuple of its pk and
    those fields: an import of thousands of posts per chunk skips building instances.
    """
    wanted = set(keys)
    found = {}
    for batch in in_batches(wanted, per_value=2):
        # Accounts x external ids may match a few posts too many; the exact pairs are picked below.
        named = posts.filter(
            account_id__in={account_id for account_id, _ in batch},
            external_id__in={external_id for _, external_id in batch},
        ).order_by()
        if values is None:
            for post in named:
                key = (post.account_id, post.external_id)
                if key in wanted:
                    found[key] = post
        else:
            # Sliced, not unpacked: a list and a tuple fewer per post keep the garbage collector away.
            for post in named.values_list("account_id", "external_id", "pk", *values):
                key = post[:2]
                if key in wanted:
                    found[key] = post[2:]
    return found
