"""
Imports on a worker: files larger than settings.IMPORT_BACKGROUND_BYTES, and the confirmation of their
previews, run as Celery tasks with their progress on a `BackgroundJob`.

`start_import` and `start_confirm` (called by the import page and the API) check the user's rights first,
keep the upload in storage, where every worker reads it (a shared MEDIA_ROOT or storage backend), and send
`run_import`, which calls the same workflow as every other door: `metrics.imports.import_file`, or
`confirm_preview`.

Safe to run twice, which a retry or a redelivered message does (tasks are acknowledged once finished):
the import and the job's "done" are committed in one transaction. A run interrupted before that commit
leaves neither rows, history nor batch behind, so the next run imports the file once; a run that committed
leaves the job done, and a later delivery of the same job does nothing.
"""

import logging
import os
from datetime import date

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import Institution, SocialAccount
from metrics.imports import ImportRefused, check_may_import, confirm_preview, import_file
from metrics.jobs import PASSING_TROUBLE, UNEXPECTED, BackgroundJob, retry_or_fail
from metrics.models import ImportBatch

logger = logging.getLogger(__name__)

PENDING_DIR = "imports/pending"
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


def start_import(
    *, user, upload, account=None, institution=None, captured_on=None, dry_run: bool = False
) -> BackgroundJob:
    """Queue the import of `upload` (the arguments of `import_file`); raises ImportRefused before keeping it."""
    check_may_import(user=user, account=account, institution=institution)
    job = BackgroundJob.objects.create(kind=BackgroundJob.Kind.IMPORT, created_by=user)
    file_name = os.path.basename(upload.name or "upload")
    stored = default_storage.save(f"{PENDING_DIR}/{job.pk}-{file_name}", upload)
    job.arguments = {
        "upload": stored,
        "file_name": file_name,
        "account": account.pk if account is not None else None,
        "institution": institution.pk if institution is not None else None,
        "captured_on": captured_on.isoformat() if captured_on else None,
        "dry_run": dry_run,
    }
    job.rows_total = _estimated_rows(stored, file_name)
    job.save(update_fields=["arguments", "rows_total"])
    run_import.delay(job.pk)
    return job


def start_confirm(*, user, batch: ImportBatch) -> BackgroundJob:
    """Queue the import for real of a preview's file (see `confirm_preview`)."""
    check_may_import(user=user, account=batch.account, institution=batch.institution)
    rows = (
        batch.snapshots_created
        + batch.snapshots_updated
        + batch.account_snapshots_created
        + batch.account_snapshots_updated
        + batch.rows_unchanged
        + batch.rows_skipped
    )
    job = BackgroundJob.objects.create(
        kind=BackgroundJob.Kind.IMPORT, created_by=user, arguments={"confirm": batch.pk}, rows_total=rows or None
    )
    run_import.delay(job.pk)
    return job


@shared_task(bind=True, max_retries=3, acks_late=True)
def run_import(self, job_id: int):
    job = BackgroundJob.objects.waiting(job_id, BackgroundJob.Kind.IMPORT)
    if job is None:
        return None
    arguments = job.arguments
    job.start(rows_total=job.rows_total)
    try:
        with transaction.atomic():
            batch = _import(job, arguments)
            job.finish(batch.message, import_batch=batch)
    except ImportRefused as refused:  # the user's rights changed since the upload
        job.fail(str(refused))
    except PASSING_TROUBLE as trouble:
        return retry_or_fail(self, job, trouble)
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        job.fail(UNEXPECTED)
    if job.finished and arguments.get("upload"):
        # The batch keeps its own copy of the file; a failed job's upload has no further use either.
        default_storage.delete(arguments["upload"])
    return None


def _import(job: BackgroundJob, arguments: dict) -> ImportBatch:
    user = job.created_by
    if "confirm" in arguments:
        preview = ImportBatch.objects.select_related("account__platform", "institution").get(pk=arguments["confirm"])
        return confirm_preview(batch=preview, user=user, progress=job.report)
    account = SocialAccount.objects.select_related("platform").filter(pk=arguments["account"]).first()
    institution = Institution.objects.filter(pk=arguments["institution"]).first()
    with default_storage.open(arguments["upload"], "rb") as stored:
        stored.name = arguments["file_name"]
        return import_file(
            user=user,
            upload=stored,
            account=account,
            institution=institution,
            captured_on=_date(arguments.get("captured_on")),
            dry_run=arguments.get("dry_run", False),
            progress=job.report,
        )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _estimated_rows(stored: str, file_name: str) -> int | None:
    """About how many rows a text file holds (its lines less the header); None for spreadsheets and archives."""
    if not file_name.lower().endswith(TEXT_SUFFIXES):
        return None
    lines = 0
    with default_storage.open(stored, "rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            lines += piece.count(b"\n")
    return max(lines - 1, 0)
