"""
Importing an analytics export: one workflow for the command, the admin upload and the API.

`import_file()` reads the file, recognises its format, checks that it belongs to
the chosen account, and upserts posts on (account, external id) and snapshots on
(post, captured_on). It is atomic and idempotent:
- a file with any invalid row is refused as a whole, with every error listed
  (row, column, reason), and nothing is written;
- a dry run does the whole import and rolls it back, so its counts are exact;
- the same file imported twice (same SHA-256, same account) changes nothing and
  says so; a later export of the same posts adds snapshots, never duplicate posts.
Every batch is recorded, with its file when it wrote anything (or may, after a
preview), and every snapshot it writes points back to its batch and source row.
The parsed rows are checked and saved chunk by chunk by `imports_writer.ImportWriter`.
A preview keeps the first rows as they would be stored, and counts the captions about to be stored that
the check named by settings.IMPORT_CAPTION_CHECK flags (the privacy rules live in a portfolio app,
which this app does not import).

Who may import what is decided here, for every entry point: the acting user imports into an account
they may change (an institution admin: their institution's; a faculty member: their own; a reviewer:
none), and only an institution's admins (and superusers) import a template naming several of its
accounts. Otherwise `import_file` raises `ImportRefused`, before reading the file or writing anything.
"""

import gc
import hashlib
import logging
import os
import zoneinfo
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.access import access_for
from accounts.models import SocialAccount
from metrics.importers import open_export
from metrics.importers.base import RowError, UnrecognisedFile
from metrics.imports_writer import ImportWriter
from metrics.models import ImportBatch

logger = logging.getLogger(__name__)

NOT_YOUR_ACCOUNT = "Your role does not allow importing into this account."
NOT_YOUR_INSTITUTION = "Only the institution's admins import files naming several accounts."


class ImportRefused(PermissionDenied):
    """The acting user may not import into that account (or that institution); nothing was read or written."""


class _RollBack(Exception):
    """Undo the writes of a refused file or a dry run, keeping the counts."""


def importable_accounts(user) -> QuerySet[SocialAccount]:
    """
    The accounts `user` may import into: those they may change. `user` None is the command line run
    without a user, which acts as a superuser: every account.
    """
    return SocialAccount.objects.all() if user is None else SocialAccount.objects.editable_by(user)


def check_may_import(*, user, account: SocialAccount | None = None, institution=None) -> None:
    """Raise ImportRefused unless `user` may import into `account`, or a template naming `institution`'s accounts."""
    if user is None:
        return
    if account is not None:
        if not importable_accounts(user).filter(pk=account.pk).exists():
            raise ImportRefused(NOT_YOUR_ACCOUNT)
        return
    access = access_for(user)
    # `Institution.objects.administered_by(user)`, read from the roles already loaded rather than queried again.
    if not (access.is_superuser or institution.pk in access.admin_institution_ids):
        raise ImportRefused(NOT_YOUR_INSTITUTION)


def import_file(
    *,
    user,
    upload,
    account: SocialAccount | None = None,
    institution=None,
    captured_on: date | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """
    Import `upload` (a Django File) into `account` (or, for a template naming its accounts, for
    `institution`) as `user`; return the saved batch, whose status says what happened.

    Raises ImportRefused, with nothing read or recorded, when `user` may not import there
    (`check_may_import`); rows of a template naming accounts that `user` may not import into are
    errors of the file. `user` None is the command line without a user: every right, no uploader.
    """
    if (account is None) == (institution is None):
        raise ValueError("Import into an account, or a template for an institution: exactly one of them.")
    try:
        check_may_import(user=user, account=account, institution=institution)
    except ImportRefused:
        _log_refusal("permission", user=user, account=account, institution=institution)
        raise
    batch, row_errors = _import(
        user=user,
        upload=upload,
        account=account,
        institution=institution,
        captured_on=captured_on,
        dry_run=dry_run,
        today=today or timezone.localdate(),
        progress=progress,
    )
    if batch.status == ImportBatch.Status.REFUSED:
        _log_refusal(
            "invalid file", user=user, account=account, institution=institution, batch=batch, errors=row_errors
        )
    else:
        _log_outcome(batch, user=user)
    return batch


def _import(*, user, upload, account, institution, captured_on, dry_run, today, progress) -> tuple[ImportBatch, int]:
    """The import itself, once `user` may do it: the batch, and how many row errors refused the file."""
    data_hash, size = _checksum(upload)
    batch = ImportBatch(
        account=account,
        institution=institution,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        file_name=os.path.basename(upload.name or "upload"),
        size=size,
        sha256=data_hash,
    )
    if size > settings.IMPORT_MAX_BYTES:
        return _refuse(batch, f"The file is {size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,} bytes."), 0
    if size == 0:
        return _refuse(batch, "The file is empty."), 0

    earlier = ImportBatch.objects.filter(
        sha256=data_hash, account=account, institution=institution, status=ImportBatch.Status.IMPORTED
    ).first()
    if earlier is not None:
        batch.format = earlier.format
        batch.status = ImportBatch.Status.DUPLICATE
        batch.message = (
            f"This file was already imported on {timezone.localtime(earlier.created_at):%d %b %Y %H:%M} "
            f"(import #{earlier.pk}); nothing changed."
        )
        batch.save()
        return batch, 0

    upload.seek(0)
    try:
        parsed = open_export(upload, filename=batch.file_name, today=today, tz=_time_zone(account, institution))
    except UnrecognisedFile as error:
        return _refuse(batch, str(error)), 0
    facts = parsed.facts
    batch.format = facts.format
    batch.ignored_columns = list(facts.ignored_columns)
    batch.captured_on = facts.captured_on or captured_on or today
    mismatch = _account_mismatch(facts, account)
    if mismatch:
        return _refuse(batch, mismatch), 0

    writer = ImportWriter(
        batch=batch,
        accounts=importable_accounts(user),
        account=account,
        institution=institution,
        caption_check=_caption_check() if dry_run else None,
    )
    batch.status = ImportBatch.Status.PREVIEW if dry_run else ImportBatch.Status.IMPORTED
    try:
        # One transaction with no savepoint inside: on SQLite, writes under a savepoint journal every page they
        # reuse a second time, which cost a large import a sixth of its time. A refused file or a preview rolls
        # the whole transaction back, its batch with it, and the batch is then saved anew (`_save_anew`).
        with transaction.atomic(), collector_spared():
            batch.save()
            for chunk in parsed.chunks:
                writer.add(chunk)
                if progress:
                    progress(chunk.post_count + len(chunk.account_rows) + chunk.skipped_rows)
            if writer.error_count or dry_run:
                raise _RollBack
            _finish(batch, writer)
            batch.save()
    except _RollBack:
        _save_anew(batch, writer)
    except IntegrityError as error:
        # A rule only the database knew (the parsers and checks above should have caught it first).
        writer.fail(RowError(0, "", f"The database refused the file: {error}"))
        _save_anew(batch, writer)
    if batch.status != ImportBatch.Status.REFUSED:
        upload.seek(0)
        # Storage copies a File in chunks: a large export is never held in memory whole.
        batch.file.save(batch.file_name, upload if isinstance(upload, File) else File(upload), save=True)
    return batch, writer.error_count


@contextmanager
def collector_spared():
    """
    Spare the garbage collector the objects that exist already (Django's, pandas', the modules') while a file
    is imported. A chunk makes and drops tens of thousands of small objects; each time enough survive a moment,
    Python's collector walks every object of the process looking for cycles, and for a large template those
    walks cost several times the checks themselves. Frozen objects are left out of the walks (`gc.freeze`);
    what the import itself makes is still collected; afterwards everything is as before.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def confirm_preview(*, batch: ImportBatch, user, progress: Callable[[int], None] | None = None) -> ImportBatch:
    """Import for real the file a preview batch holds, as the same account and date, as `user` (see `import_file`)."""
    with batch.file.open("rb") as stored:
        stored.name = batch.file_name
        return import_file(
            user=user,
            upload=stored,
            account=batch.account,
            institution=batch.institution,
            captured_on=batch.captured_on,
            progress=progress,
        )


def _log_refusal(reason: str, *, user, account, institution, batch: ImportBatch | None = None, errors: int = 0):
    # Ids and counts only: never the file's content, captions, names or e-mail addresses (nor the batch's
    # message, which may quote a handle).
    logger.warning(
        "Import refused (%s): batch %s, user %s, account %s, institution %s, format %s, %d row errors",
        reason,
        batch.pk if batch is not None else "-",
        _user_id(user),
        account.pk if account is not None else "-",
        institution.pk if institution is not None else "-",
        (batch.format if batch is not None else "") or "-",
        errors,
    )


def _log_outcome(batch: ImportBatch, *, user) -> None:
    logger.info(
        "Import completed (%s): batch %s, user %s, account %s, institution %s, format %s, posts %d created %d updated, "
        "snapshots %d created %d updated, follower snapshots %d created %d updated, rows %d unchanged %d skipped",
        batch.status,
        batch.pk,
        _user_id(user),
        batch.account_id or "-",
        batch.institution_id or "-",
        batch.format or "-",
        batch.posts_created,
        batch.posts_updated,
        batch.snapshots_created,
        batch.snapshots_updated,
        batch.account_snapshots_created,
        batch.account_snapshots_updated,
        batch.rows_unchanged,
        batch.rows_skipped,
    )


def _user_id(user) -> str:
    if user is None:
        return "- (command line)"
    return str(user.pk) if user.pk is not None else "- (anonymous)"


def _caption_check():
    path = settings.IMPORT_CAPTION_CHECK
    return import_string(path) if path else None


def _finish(batch: ImportBatch, writer: ImportWriter) -> None:
    counts = writer.counts
    for name, value in vars(counts).items():
        setattr(batch, name, value)
    batch.sample_rows = writer.sample
    batch.captions_flagged = writer.captions_flagged if writer.caption_check is not None else None
    if writer.error_count:
        batch.sample_rows = []  # nothing will be stored
        batch.status = ImportBatch.Status.REFUSED
        batch.errors = [error.as_dict() for error in writer.errors]
        more = writer.error_count - len(writer.errors)
        batch.message = f"{writer.error_count:,} problem(s) found; nothing was written." + (
            f" The first {len(writer.errors)} are listed ({more:,} more)." if more else ""
        )
        # Counts of a refused file would describe writes that did not happen.
        for name in vars(counts):
            if name != "rows_skipped":
                setattr(batch, name, 0)
    elif batch.status == ImportBatch.Status.PREVIEW:
        batch.message = "Preview: this is what the import would do; nothing was written."
    elif not (
        counts.posts_created or counts.posts_updated or counts.snapshots_created or counts.snapshots_updated
    ) and not (counts.account_snapshots_created or counts.account_snapshots_updated):
        batch.message = "Nothing changed: every row matches what is already recorded."
    else:
        batch.message = "Imported."


def _save_anew(batch: ImportBatch, writer: ImportWriter) -> None:
    """Save the batch of a rolled back import as a new row, with what the import found."""
    batch.pk = None
    batch._state.adding = True
    _finish(batch, writer)
    batch.save()


def _refuse(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.REFUSED
    batch.message = message
    batch.errors = [{"row": 0, "column": "", "message": message}]
    batch.save()
    return batch


def _checksum(upload) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for piece in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
        digest.update(piece)
        size += len(piece)
    upload.seek(0)
    return digest.hexdigest(), size


def _time_zone(account: SocialAccount | None, institution) -> zoneinfo.ZoneInfo:
    """Exports give local times without a zone: read them in the owning institution's time zone."""
    if institution is not None:
        return zoneinfo.ZoneInfo(institution.timezone)
    if account is not None:
        return account.time_zone()
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _account_mismatch(facts, account: SocialAccount | None) -> str:
    if account is None:
        return ""
    if facts.platform and facts.platform != account.platform.key:
        return (
            f"This is a {facts.label} file, but @{account.handle} is a {account.platform.name} account: "
            "choose the account the file came from."
        )
    if facts.handle and facts.handle.lstrip("@").lower() != account.handle.lower():
        return f"This file is for @{facts.handle.lstrip('@')}, but the chosen account is @{account.handle}."
    return ""
