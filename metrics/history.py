"""
The history of every value that can reach a dossier: posts, post metric snapshots, follower counts and audience
rows, kept by simple-history (`Model.history`), one record per create, change and delete, each a full row.

How a change came in (`history_source`, a `Provenance`) is set here for every record: the writer's own word
(`instance._history_source`, or the upsert's `source`), else the door of the request (the API marks its
requests `api`; the admin and the pages are `manual`), else, outside any request, the snapshot's own source.

An import writes its rows in bulk without a history record: its batch and row are their creation record. Before
such a row first changes or is deleted, `record_creations` writes that creation record from the row as it still
is, so the old values are kept; the history API shows the same creation record when none was written yet
(`history_of`). Changes made by the upsert are recorded in bulk by `record_changes`, in a constant number of
queries however many rows change (`record_bulk_changes`).
"""

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from django.db.models import Exists, F, IntegerField, OuterRef, Value
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from metrics.db import in_batches

CREATED, CHANGED, DELETED = "+", "~", "-"


def current_request():
    """The request being served (simple-history's middleware keeps it), or None outside one."""
    return getattr(HistoricalRecords.context, "request", None)


def source_of_request(request) -> str:
    """How a write made while serving `request` came in: the API marks its requests, every other door is typed."""
    return getattr(request, "history_source", "manual")


@receiver(pre_create_historical_record)
def record_how(sender, instance, history_instance, **kwargs):
    if not hasattr(history_instance, "history_source"):
        return
    how = getattr(instance, "_history_source", None)
    if how is None:
        request = current_request()
        how = source_of_request(request) if request is not None else getattr(instance, "source", "")
    history_instance.history_source = how


def request_user_id() -> int | None:
    request = current_request()
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def has_batches(model) -> bool:
    return any(field.name == "import_batch" for field in model._meta.fields)


def _uploaders(model, rows) -> dict[int, int | None]:
    """The id of the person who uploaded each row's import batch, by row pk (rows of a model without batches: {})."""
    if not has_batches(model):
        return {}
    return dict(
        model.objects.filter(pk__in=[row.pk for row in rows], import_batch__isnull=False)
        .annotate(uploader=F("import_batch__uploaded_by"))
        .values_list("pk", "uploader")
    )


def _records(model, rows, *, history_type: str, date_of, user_of, source_of) -> list:
    historical = model.history.model
    fields = [field.attname for field in historical.tracked_fields]
    return [
        historical(
            history_date=date_of(row),
            history_type=history_type,
            history_user_id=user_of(row),
            history_source=source_of(row),
            **{name: getattr(row, name) for name in fields},
        )
        for row in rows
    ]


def record_creations(model, pks: Collection[int]) -> None:
    """
    Write the creation record of each row of `model` named by `pks` that has no history record yet (an imported
    row): the row as it is now, dated when it was created, by whoever uploaded its batch, with its own source.
    Call it before changing or deleting the rows. A query per batch of pks, and two more when some lack one.
    """
    historical = model.history.model
    missing = set(pks)
    for batch in in_batches(list(missing)):
        missing -= set(historical.objects.filter(id__in=batch).values_list("id", flat=True).distinct())
    if not missing:
        return
    rows = [row for batch in in_batches(list(missing)) for row in model.objects.filter(pk__in=batch)]
    uploaders = _uploaders(model, rows)
    historical.objects.bulk_create(
        _records(
            model,
            rows,
            history_type=CREATED,
            date_of=lambda row: row.created_at,
            user_of=lambda row: uploaders.get(row.pk),
            source_of=lambda row: getattr(row, "source", ""),
        )
    )


def record_bulk_changes(
    model, fields: Sequence[str], rows: Sequence[Sequence], *, source: str, user_id: int | None, now: datetime
) -> Callable[[], None]:
    """
    Keep the history of a bulk UPDATE of `model`: `rows` are its rows of new values for `fields` (Python values,
    or values the field takes as such), each followed by the pk. Call it before the UPDATE: it reads the rows as
    they are (one query per batch of pks); call what it returns after the UPDATE, which writes every record in one
    INSERT (as many as the database's parameter limit calls for): the creation record of a row that had none yet
    (an imported one, as it was), and the change record of each (its new values).
    """
    historical = model.history.model
    if not rows:
        return lambda: None
    attnames = [model._meta.get_field(name).attname for name in fields]
    recorded = historical.objects.filter(id=OuterRef("pk"))
    # Who uploaded a row's batch is who created it, for the creation records.
    uploader = F("import_batch__uploaded_by") if has_batches(model) else Value(None, output_field=IntegerField())
    old = {}
    for batch in in_batches([row[-1] for row in rows]):
        for instance in model.objects.filter(pk__in=batch).annotate(has_history=Exists(recorded), uploader=uploader):
            old[instance.pk] = instance
    created = [row for row in old.values() if not row.has_history]
    records = _records(
        model,
        created,
        history_type=CREATED,
        date_of=lambda row: row.created_at,
        user_of=lambda row: row.uploader,
        source_of=lambda row: getattr(row, "source", ""),
    )
    for row in rows:
        instance = old[row[-1]]
        for attname, value in zip(attnames, row[:-1], strict=True):
            setattr(instance, attname, value)
    records += _records(
        model,
        list(old.values()),
        history_type=CHANGED,
        date_of=lambda row: now,
        user_of=lambda row: user_id,
        source_of=lambda row: source,
    )
    return lambda: historical.objects.bulk_create(records)


def history_of(obj) -> list[dict]:
    """
    The history of `obj`, newest first: each entry `{"at", "by" (user id or None), "source", "changes": {field:
    [old, new]}}` over `obj.history_fields`. A creation shows `[None, value]` for each field it set, a deletion
    `[value, None]`. A row with no record yet (written by an import, never changed since) shows its creation
    from the row itself: when, who uploaded the batch, its source, and its batch and row among the fields.
    One query, two for such a row.
    """
    return histories_of([obj])[obj.pk]


def histories_of(objs: Sequence) -> dict[int, list[dict]]:
    """`history_of` each of `objs` (rows of one model), by pk: one query, and one more if some have no record."""
    if not objs:
        return {}
    model = type(objs[0])
    names = {name: model._meta.get_field(name).attname for name in model.history_fields}
    records_by_pk = {obj.pk: [] for obj in objs}
    for record in model.history.filter(id__in=list(records_by_pk)).order_by("history_date", "history_id"):
        records_by_pk[record.id].append(record)
    unrecorded = [obj for obj in objs if not records_by_pk[obj.pk]]
    uploaders = _uploaders(model, unrecorded)
    for created in _records(
        model,
        unrecorded,
        history_type=CREATED,
        date_of=lambda row: row.created_at,
        user_of=lambda row: uploaders.get(row.pk),
        source_of=lambda row: getattr(row, "source", ""),
    ):
        records_by_pk[created.id] = [created]
    return {pk: _entries(records, names) for pk, records in records_by_pk.items()}


def _entries(records, names: dict[str, str]) -> list[dict]:
    entries, previous = [], {}
    for record in records:
        values = {name: getattr(record, attname) for name, attname in names.items()}
        if record.history_type == DELETED:
            changes = {name: [value, None] for name, value in values.items() if value is not None}
        else:
            changes = {
                name: [previous.get(name), value] for name, value in values.items() if previous.get(name) != value
            }
        entries.append(
            {
                "at": record.history_date,
                "by": record.history_user_id,
                "source": record.history_source or None,
                "changes": changes,
            }
        )
        previous = values
    entries.reverse()
    return entries
