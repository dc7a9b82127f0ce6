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
"""

import hashlib
import os
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import SocialAccount
from metrics.db import update_fields
from metrics.importers import open_export
from metrics.importers.base import AccountRow, ParsedChunk, PostRow, RowError, UnrecognisedFile
from metrics.models import AccountMetrics, ImportBatch, Post, PostMetrics, Provenance, hashtag_search_text
from metrics.vocabulary import CareerCategory, ContentType

MAX_LISTED_ERRORS = 500
BATCH_SIZE = 2000
POST_FIELDS = ("url", "published_at", "content_type", "caption", "category")
# Exports that do not say what kind of post a row is: the platform's usual kind. The template
# (any platform) has no default and must say it for a new post.
DEFAULT_CONTENT_TYPES = {
    "twitter": ContentType.TEXT,
    "tiktok": ContentType.SHORT_VIDEO,
    "youtube": ContentType.VIDEO,
    "linkedin": ContentType.TEXT,
    "facebook": ContentType.TEXT,
    "instagram": ContentType.IMAGE,
}


class _RollBack(Exception):
    """Undo the writes of a refused file or a dry run, keeping the counts."""


@dataclass
class _Counts:
    posts_created: int = 0
    posts_updated: int = 0
    snapshots_created: int = 0
    snapshots_updated: int = 0
    account_snapshots_created: int = 0
    account_snapshots_updated: int = 0
    rows_unchanged: int = 0
    rows_skipped: int = 0


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
    `institution`); return the saved batch, whose status says what happened. The caller has already
    checked that `user` may write to `account` / `institution`; rows naming other accounts are
    checked here.
    """
    today = today or timezone.localdate()
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
        return _refuse(batch, f"The file is {size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,} bytes.")
    if size == 0:
        return _refuse(batch, "The file is empty.")

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
        return batch

    upload.seek(0)
    try:
        parsed = open_export(upload, filename=batch.file_name, today=today, tz=_time_zone(account, institution))
    except UnrecognisedFile as error:
        return _refuse(batch, str(error))
    facts = parsed.facts
    batch.format = facts.format
    batch.ignored_columns = list(facts.ignored_columns)
    batch.captured_on = facts.captured_on or captured_on or today
    mismatch = _account_mismatch(facts, account)
    if mismatch:
        return _refuse(batch, mismatch)

    writer = _Writer(batch=batch, user=user, account=account, institution=institution)
    with transaction.atomic():
        batch.status = ImportBatch.Status.PREVIEW if dry_run else ImportBatch.Status.IMPORTED
        batch.save()
        try:
            with transaction.atomic():
                for chunk in parsed.chunks:
                    writer.add(chunk)
                    if progress:
                        progress(len(chunk.posts) + len(chunk.account_rows) + chunk.skipped_rows)
                if writer.errors or dry_run:
                    raise _RollBack
        except _RollBack:
            pass
        except IntegrityError as error:
            # A rule only the database knew (the parsers and checks above should have caught it first).
            writer.errors.append(RowError(0, "", f"The database refused the file: {error}"))
        _finish(batch, writer)
        batch.save()
    if batch.status != ImportBatch.Status.REFUSED:
        upload.seek(0)
        # Storage copies a File in chunks: a large export is never held in memory whole.
        batch.file.save(batch.file_name, upload if isinstance(upload, File) else File(upload), save=True)
    return batch


def confirm_preview(*, batch: ImportBatch, user) -> ImportBatch:
    """Import for real the file a preview batch holds, as the same account and date."""
    with batch.file.open("rb") as stored:
        stored.name = batch.file_name
        return import_file(
            user=user,
            upload=stored,
            account=batch.account,
            institution=batch.institution,
            captured_on=batch.captured_on,
        )


def _finish(batch: ImportBatch, writer: "_Writer") -> None:
    counts = writer.counts
    for name, value in vars(counts).items():
        setattr(batch, name, value)
    if writer.errors:
        batch.status = ImportBatch.Status.REFUSED
        shown = writer.errors[:MAX_LISTED_ERRORS]
        batch.errors = [error.as_dict() for error in shown]
        more = len(writer.errors) - len(shown)
        batch.message = f"{len(writer.errors):,} problem(s) found; nothing was written." + (
            f" The first {len(shown)} are listed ({more:,} more)." if more else ""
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


@dataclass
class _Writer:
    """Validates every chunk; writes a chunk only while the file has shown no error."""

    batch: ImportBatch
    user: object
    account: SocialAccount | None
    institution: object
    counts: _Counts = field(default_factory=_Counts)
    errors: list[RowError] = field(default_factory=list)
    _accounts: dict = field(default_factory=dict)  # (platform, handle) -> account or None

    def add(self, chunk: ParsedChunk) -> None:
        self.counts.rows_skipped += chunk.skipped_rows
        self.errors.extend(chunk.errors)
        posts = [(row, self._account_for(row)) for row in chunk.posts]
        account_rows = [(row, self._account_for(row)) for row in chunk.account_rows]
        # Repeats within a chunk are caught here; across chunks, by the snapshot this batch already wrote.
        seen = {}
        for row, account in posts:
            if account is not None:
                self._check_post_row(row, account, seen)
        for row, account in account_rows:
            if account is not None:
                self._check_repeat(seen, (account.pk, None, row.captured_on), row)
        if self.errors:
            return  # keep validating the rest of the file, but write nothing more
        self._write_posts([(row, account) for row, account in posts])
        self._write_account_rows(account_rows)

    # --- validation ---------------------------------------------------------------------------

    def _account_for(self, row: PostRow | AccountRow) -> SocialAccount | None:
        if not row.handle:
            if self.account is None:
                self.errors.append(
                    RowError(row.row, "handle", "Name the account (platform and handle) or choose one for the file.")
                )
            return self.account
        handle = row.handle.lstrip("@")
        if self.account is not None:
            if handle.lower() != self.account.handle.lower() or (
                row.platform and row.platform != self.account.platform.key
            ):
                self.errors.append(
                    RowError(
                        row.row, "handle", f"This row is for @{handle}, but the import is into @{self.account.handle}."
                    )
                )
                return None
            return self.account
        key = (row.platform, handle.lower())
        if key not in self._accounts:
            candidates = SocialAccount.objects.editable_by(self.user).filter(handle__iexact=handle)
            if row.platform:
                candidates = candidates.filter(platform__key=row.platform)
            if self.institution is not None:
                candidates = candidates.for_institutions([self.institution.pk])
            found = list(candidates.select_related("platform")[:2])
            self._accounts[key] = found[0] if len(found) == 1 else None
        if self._accounts[key] is None:
            where = f" on {row.platform}" if row.platform else ""
            self.errors.append(
                RowError(row.row, "handle", f"No account @{handle}{where} that you may import into (or several match).")
            )
        return self._accounts[key]

    def _check_repeat(self, seen: dict, key: tuple, row) -> None:
        if key in seen:
            self.errors.append(RowError(row.row, "", f"Repeats row {seen[key]}: the same snapshot twice in one file."))
        else:
            seen[key] = row.row

    def _check_post_row(self, row: PostRow, account: SocialAccount, seen: dict) -> None:
        captured_on = self._captured_on(row)
        self._check_repeat(seen, (account.pk, row.external_id, captured_on), row)
        if row.content_type and row.content_type not in ContentType.values:
            self.errors.append(RowError(row.row, "content_type", f"Unknown content type {row.content_type!r}."))
        category = getattr(row, "category", "")
        if category and category not in CareerCategory.values:
            self.errors.append(RowError(row.row, "category", f"Unknown career category {category!r}."))
        if row.published_at is not None and captured_on < timezone.localdate(row.published_at):
            self.errors.append(
                RowError(row.row, "captured_on", f"Captured on {captured_on}, before the post was published.")
            )

    def _captured_on(self, row) -> date:
        return row.captured_on or self.batch.captured_on

    # --- writing ------------------------------------------------------------------------------

    def _write_posts(self, rows: list[tuple[PostRow, SocialAccount]]) -> None:
        if not rows:
            return
        posts = self._upsert_posts(rows)
        if self.errors:
            return
        keys = {(posts[(account.pk, row.external_id)].pk, self._captured_on(row)) for row, account in rows}
        existing = {
            (snapshot.post_id, snapshot.captured_on): snapshot
            for snapshot in PostMetrics.objects.filter(
                post_id__in={post_id for post_id, _ in keys}, captured_on__in={day for _, day in keys}
            )
        }
        new, changed, changed_fields = [], [], set()
        for row, account in rows:
            post = posts[(account.pk, row.external_id)]
            captured_on = self._captured_on(row)
            snapshot = existing.get((post.pk, captured_on))
            if snapshot is None:
                new.append(PostMetrics(post=post, captured_on=captured_on, **row.metrics, **self._provenance(row)))
                continue
            if snapshot.import_batch_id == self.batch.pk:
                self.errors.append(
                    RowError(row.row, "", f"Repeats row {snapshot.source_row}: the same snapshot twice.")
                )
                continue
            differing = {name: value for name, value in row.metrics.items() if getattr(snapshot, name) != value}
            if not differing:
                self.counts.rows_unchanged += 1
                continue
            for name, value in {**differing, **self._provenance(row), "verified_by": None, "verified_at": None}.items():
                setattr(snapshot, name, value)
            changed.append(snapshot)
            changed_fields |= set(differing)
        PostMetrics.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            fields = [*changed_fields, "source", "import_batch", "source_row", "verified_by", "verified_at"]
            update_fields(changed, fields)
        self.counts.snapshots_created += len(new)
        self.counts.snapshots_updated += len(changed)

    def _upsert_posts(self, rows: list[tuple[PostRow, SocialAccount]]) -> dict:
        """Posts keyed by (account id, external id), created or updated from the rows; the last row wins."""
        latest = {(account.pk, row.external_id): (row, account) for row, account in rows}
        existing = {
            (post.account_id, post.external_id): post
            for post in Post.objects.filter(
                account_id__in={account_id for account_id, _ in latest},
                external_id__in={external_id for _, external_id in latest},
            )
        }
        new, changed, changed_fields = [], [], set()
        for key, (row, account) in latest.items():
            values = {name: getattr(row, name, "") for name in POST_FIELDS}
            values = {name: value for name, value in values.items() if value not in ("", None)}
            post = existing.get(key)
            if post is None:
                if "content_type" not in values and self.batch.format != "template":
                    default = DEFAULT_CONTENT_TYPES.get(account.platform.key)
                    if default:
                        values["content_type"] = default
                missing = [name for name in ("published_at", "content_type") if name not in values]
                if missing:
                    self.errors.append(
                        RowError(row.row, missing[0], f"A new post needs {' and '.join(missing)}; the row has none.")
                    )
                    continue
                post = Post(account=account, external_id=row.external_id, **values)
                post.hashtags = hashtag_search_text(post.caption)
                new.append(post)
                existing[key] = post
                continue
            differing = {name: value for name, value in values.items() if getattr(post, name) != value}
            if differing:
                for name, value in differing.items():
                    setattr(post, name, value)
                post.hashtags = hashtag_search_text(post.caption)
                changed.append(post)
                changed_fields |= set(differing)
        if self.errors:
            return existing
        Post.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            for post in changed:
                post.updated_at = timezone.now()
            update_fields(changed, [*changed_fields, "hashtags", "updated_at"])
        self.counts.posts_created += len(new)
        self.counts.posts_updated += len(changed)
        return existing

    def _write_account_rows(self, rows: list[tuple[AccountRow, SocialAccount | None]]) -> None:
        rows = [(row, account) for row, account in rows if account is not None]
        if not rows:
            return
        existing = {
            (snapshot.account_id, snapshot.captured_on): snapshot
            for snapshot in AccountMetrics.objects.filter(
                account_id__in={account.pk for _, account in rows}, captured_on__in={row.captured_on for row, _ in rows}
            )
        }
        new, changed = [], []
        for row, account in rows:
            values = {name: getattr(row, name) for name in ("followers", "following", "posts_count")}
            values = {name: value for name, value in values.items() if value is not None}
            snapshot = existing.get((account.pk, row.captured_on))
            if snapshot is None:
                new.append(
                    AccountMetrics(account=account, captured_on=row.captured_on, **values, **self._provenance(row))
                )
            elif snapshot.import_batch_id == self.batch.pk:
                self.errors.append(RowError(row.row, "", f"Repeats row {snapshot.source_row}: the same day twice."))
            elif any(getattr(snapshot, name) != value for name, value in values.items()):
                for name, value in {
                    **values,
                    **self._provenance(row),
                    "verified_by": None,
                    "verified_at": None,
                }.items():
                    setattr(snapshot, name, value)
                changed.append(snapshot)
            else:
                self.counts.rows_unchanged += 1
        AccountMetrics.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            fields = ["followers", "following", "posts_count", "source", "import_batch", "source_row"]
            update_fields(changed, [*fields, "verified_by", "verified_at"])
        self.counts.account_snapshots_created += len(new)
        self.counts.account_snapshots_updated += len(changed)

    def _provenance(self, row) -> dict:
        return {"source": Provenance.IMPORT, "import_batch": self.batch, "source_row": row.row}
