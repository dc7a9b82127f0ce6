"""
Saving an import's rows, one parsed chunk at a time: the second half of `metrics.imports.import_file`.

`ImportWriter.add(chunk)` checks the chunk's rows (their account, their dates, repeats), then upserts
posts on (account, external id) and snapshots on (post, captured_on); every snapshot records its batch and
source row. Once the file has shown an error nothing more is written (the workflow rolls back what was),
but every chunk is still checked, so that the person sees every problem at once.

Why rows are written as plain tuples (`metrics.db`) and read back with `values_list`, not as model
instances: a large template is a million rows, and building, converting and saving an instance per row
cost several times what the database itself spends on them. The queries per chunk do not grow with its
rows: a lookup of the posts and snapshots it names (split into batches where SQLite caps a statement's
parameters), an INSERT for the new ones (a COPY on PostgreSQL) and an UPDATE for the changed ones; and a
lookup of the accounts the chunk names for the first time in the file, if any.

What lives across chunks is small: the counts, the first `MAX_LISTED_ERRORS` errors (and how many there
were in all), and the accounts the file names. A chunk's rows are gone once it is written.
"""

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from django.db.models import Q
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS, ContentType
from metrics.db import db_value, in_batches, insert_rows, update_fields, update_rows
from metrics.importers.base import AccountRow, ParsedChunk, PostRow, RowError
from metrics.models import AccountMetrics, ImportBatch, Post, PostMetrics, Provenance, hashtag_search_text
from metrics.vocabulary import CareerCategory

MAX_LISTED_ERRORS = 500
ACCOUNTS_PER_QUERY = 100  # handles per lookup (each one an OR'ed condition; SQLite caps a statement's depth)
BATCH_SIZE = 2000  # instances per INSERT for the ORM's bulk_create (account rows)
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
# Looked up for every row: plain sets, since `ContentType.values` builds a new list on every call.
CONTENT_TYPES = frozenset(ContentType.values)
CATEGORIES = frozenset(CareerCategory.values)
METRICS = tuple(METRIC_FIELDS)
METRIC_INDEX = {name: index for index, name in enumerate(METRICS)}
all_metrics = operator.itemgetter(*METRICS)  # a row's counts in METRICS order, when it has every one
IMPORTED = Provenance.IMPORT.value  # the plain string: a driver need not know Django's choices
NEW_POST_FIELDS = ("account", "external_id", *POST_FIELDS, "hashtags", "highlight_note", "created_at", "updated_at")
NEW_SNAPSHOT_FIELDS = ("post", "captured_on", "source", "import_batch", "source_row", "created_at", *METRICS)
# An imported reading replaces the stored one: its counts, its provenance, and no verification any more.
CHANGED_SNAPSHOT_FIELDS = (*METRICS, "source", "import_batch", "source_row", "verified_by", "verified_at")


@dataclass
class Counts:
    posts_created: int = 0
    posts_updated: int = 0
    snapshots_created: int = 0
    snapshots_updated: int = 0
    account_snapshots_created: int = 0
    account_snapshots_updated: int = 0
    rows_unchanged: int = 0
    rows_skipped: int = 0


@dataclass
class ImportWriter:
    """Validates every chunk; writes a chunk only while the file has shown no error."""

    batch: ImportBatch
    user: object
    account: SocialAccount | None
    institution: object
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_LISTED_ERRORS
    error_count: int = 0  # all of them
    _accounts: dict = field(default_factory=dict)  # (platform, lower-case handle) -> account or None
    _days: dict = field(default_factory=dict)  # capture date -> as the driver takes it (a file has few)

    def fail(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)

    def add(self, chunk: ParsedChunk) -> None:
        self.counts.rows_skipped += chunk.skipped_rows
        for error in chunk.errors:
            self.fail(error)
        self._find_accounts([*chunk.posts, *chunk.account_rows])
        posts = self._checked_posts(chunk.posts)
        account_rows = self._checked_account_rows(chunk.account_rows)
        if self.error_count:
            return  # keep validating the rest of the file, but write nothing more
        now = timezone.now()
        self._write_posts(posts, now=now)
        self._write_account_rows(account_rows)

    # --- validation ---------------------------------------------------------------------------

    def _checked_posts(self, rows: list[PostRow]) -> list[tuple[PostRow, SocialAccount, tuple[int, str], date]]:
        """
        The rows with their account, their post's key (account id, external id) and their capture date.
        Repeats within a chunk are caught here; across chunks, by the snapshot this batch already wrote.
        """
        checked, seen, local_days = [], {}, {}
        for row in rows:
            account = self._account_for(row)
            if account is None:
                continue
            key = (account.pk, row.external_id)
            captured_on = row.captured_on or self.batch.captured_on
            self._check_repeat(seen, (*key, captured_on), row)
            if row.content_type and row.content_type not in CONTENT_TYPES:
                self.fail(RowError(row.row, "content_type", f"Unknown content type {row.content_type!r}."))
            if row.category and row.category not in CATEGORIES:
                self.fail(RowError(row.row, "category", f"Unknown career category {row.category!r}."))
            if row.published_at is not None:
                # A post's rows share its publication time: its local day is worked out once per chunk.
                published_on = local_days.get(row.published_at)
                if published_on is None:
                    published_on = local_days[row.published_at] = timezone.localdate(row.published_at)
                if captured_on < published_on:
                    message = f"Captured on {captured_on}, before the post was published."
                    self.fail(RowError(row.row, "captured_on", message))
            checked.append((row, account, key, captured_on))
        return checked

    def _checked_account_rows(self, rows: list[AccountRow]) -> list[tuple[AccountRow, SocialAccount]]:
        checked, seen = [], {}
        for row in rows:
            account = self._account_for(row)
            if account is not None:
                self._check_repeat(seen, (account.pk, None, row.captured_on), row)
                checked.append((row, account))
        return checked

    def _check_repeat(self, seen: dict, key: tuple, row) -> None:
        if key in seen:
            self.fail(RowError(row.row, "", f"Repeats row {seen[key]}: the same snapshot twice in one file."))
        else:
            seen[key] = row.row

    def _account_for(self, row: PostRow | AccountRow) -> SocialAccount | None:
        if not row.handle:
            if self.account is None:
                self.fail(
                    RowError(row.row, "handle", "Name the account (platform and handle) or choose one for the file.")
                )
            return self.account
        handle = row.handle.lstrip("@")
        if self.account is not None:
            if handle.lower() != self.account.handle.lower() or (
                row.platform and row.platform != self.account.platform.key
            ):
                message = f"This row is for @{handle}, but the import is into @{self.account.handle}."
                self.fail(RowError(row.row, "handle", message))
                return None
            return self.account
        account = self._accounts[(row.platform, handle.lower())]  # looked up by `_find_accounts`
        if account is None:
            where = f" on {row.platform}" if row.platform else ""
            message = f"No account @{handle}{where} that you may import into (or several match)."
            self.fail(RowError(row.row, "handle", message))
        return account

    def _find_accounts(self, rows: list[PostRow | AccountRow]) -> None:
        """
        Look up the accounts that rows name (platform and handle, any case) for the first time in this file:
        those the user may import into, within the institution if one was chosen. One query per
        ACCOUNTS_PER_QUERY handles, rather than one per account: a template may name a thousand.
        """
        if self.account is not None:
            return  # every row must name the chosen account; `_account_for` checks that
        wanted = {(row.platform, row.handle.lstrip("@").lower()) for row in rows if row.handle} - self._accounts.keys()
        if not wanted:
            return
        candidates = SocialAccount.objects.editable_by(self.user).select_related("platform")
        if self.institution is not None:
            candidates = candidates.for_institutions([self.institution.pk])
        handles = sorted({handle for _, handle in wanted})
        found = defaultdict(dict)  # lower-case handle -> {pk: account}: the scoping joins may repeat a row
        for start in range(0, len(handles), ACCOUNTS_PER_QUERY):
            named = reduce(
                operator.or_, (Q(handle__iexact=handle) for handle in handles[start : start + ACCOUNTS_PER_QUERY])
            )
            for account in candidates.filter(named):
                found[account.handle.lower()][account.pk] = account
        for platform, handle in wanted:
            matches = [account for account in found[handle].values() if platform in ("", account.platform.key)]
            self._accounts[(platform, handle)] = matches[0] if len(matches) == 1 else None

    # --- writing posts and their snapshots ----------------------------------------------------

    def _write_posts(self, rows: list[tuple[PostRow, SocialAccount, tuple[int, str], date]], *, now) -> None:
        if not rows:
            return
        post_ids, stored_posts = self._upsert_posts(rows, now=now)
        if self.error_count:
            return
        # Only a post stored before this chunk can have a snapshot already.
        stored = self._stored_snapshots(
            (post_ids[key], captured_on) for _, _, key, captured_on in rows if key in stored_posts
        )
        created_at, batch_id, days = db_value(PostMetrics, "created_at", now), self.batch.pk, self._days
        new, changed = [], []
        for row, _, key, captured_on in rows:
            post_id = post_ids[key]
            found = stored.get((post_id, captured_on))
            if found is None:
                day = days.get(captured_on)
                if day is None:
                    day = days[captured_on] = db_value(PostMetrics, "captured_on", captured_on)
                counts = row.metrics
                counts = all_metrics(counts) if len(counts) == len(METRICS) else [counts.get(name) for name in METRICS]
                new.append((post_id, day, IMPORTED, batch_id, row.row, created_at, *counts))
                continue
            pk, stored_batch_id, source_row, values = found
            if stored_batch_id == batch_id:
                self.fail(RowError(row.row, "", f"Repeats row {source_row}: the same snapshot twice."))
                continue
            # The file's counts over the stored ones; a metric the file has no column for stays as it is.
            merged = list(values)
            for name, value in row.metrics.items():
                merged[METRIC_INDEX[name]] = value
            if merged == values:
                self.counts.rows_unchanged += 1
                continue
            changed.append((*merged, IMPORTED, batch_id, row.row, None, None, pk))
        if self.error_count:
            return
        insert_rows(PostMetrics, NEW_SNAPSHOT_FIELDS, new)
        update_rows(PostMetrics, CHANGED_SNAPSHOT_FIELDS, changed)
        self.counts.snapshots_created += len(new)
        self.counts.snapshots_updated += len(changed)

    def _upsert_posts(
        self, rows: list[tuple[PostRow, SocialAccount, tuple[int, str], date]], *, now
    ) -> tuple[dict, set]:
        """
        Create or update the posts of the rows (the last row of a post wins). Returns the id of every
        post, keyed by (account id, external id), and the keys of those that were stored before.
        """
        latest = {key: (row, account) for row, account, key, _ in rows}
        stored = {}
        for keys in in_batches(latest, per_value=2):
            posts = Post.objects.filter(
                account_id__in={account_id for account_id, _ in keys},
                external_id__in={external_id for _, external_id in keys},
            )
            for pk, account_id, external_id, *values in posts.order_by().values_list(
                "pk", "account_id", "external_id", *POST_FIELDS
            ):
                stored[(account_id, external_id)] = (pk, dict(zip(POST_FIELDS, values, strict=True)))
        updated_at = db_value(Post, "updated_at", now)
        new, changed = [], []
        for key, (row, account) in latest.items():
            values = {name: getattr(row, name) for name in POST_FIELDS}
            values = {name: value for name, value in values.items() if value not in ("", None)}
            if key not in stored:
                if "content_type" not in values and self.batch.format != "template":
                    default = DEFAULT_CONTENT_TYPES.get(account.platform.key)
                    if default:
                        values["content_type"] = default.value
                missing = [name for name in ("published_at", "content_type") if name not in values]
                if missing:
                    message = f"A new post needs {' and '.join(missing)}; the row has none."
                    self.fail(RowError(row.row, missing[0], message))
                    continue
                new.append((account.pk, row.external_id, *self._post_values({**values}), "", updated_at, updated_at))
                continue
            pk, current = stored[key]
            if any(current[name] != value for name, value in values.items()):
                changed.append((*self._post_values({**current, **values}), updated_at, pk))
        if self.error_count:
            return {}, set()
        insert_rows(Post, NEW_POST_FIELDS, new)
        update_rows(Post, (*POST_FIELDS, "hashtags", "updated_at"), changed)
        self.counts.posts_created += len(new)
        self.counts.posts_updated += len(changed)
        ids = {key: pk for key, (pk, _) in stored.items()}
        ids.update(self._post_ids([(account_id, external_id) for account_id, external_id, *_ in new]))
        return ids, set(stored)

    @staticmethod
    def _post_values(values: dict) -> tuple:
        """A post's POST_FIELDS and hashtags as the driver takes them; fields the row leaves out are blank."""
        caption = values.get("caption", "")
        return (
            values.get("url", ""),
            db_value(Post, "published_at", values["published_at"]),
            values["content_type"],
            caption,
            values.get("category", ""),
            hashtag_search_text(caption),
        )

    @staticmethod
    def _post_ids(keys: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """The ids of the posts just inserted (neither an executemany nor a COPY returns them)."""
        wanted, ids = set(keys), {}
        for batch in in_batches(wanted, per_value=2):
            posts = Post.objects.filter(
                account_id__in={account_id for account_id, _ in batch},
                external_id__in={external_id for _, external_id in batch},
            )
            for pk, account_id, external_id in posts.order_by().values_list("pk", "account_id", "external_id"):
                if (account_id, external_id) in wanted:
                    ids[(account_id, external_id)] = pk
        return ids

    @staticmethod
    def _stored_snapshots(keys) -> dict[tuple[int, date], tuple[int, int | None, int | None, list]]:
        """The stored snapshots of (post id, day) `keys`: (pk, import batch id, source row, counts)."""
        days_by_post = defaultdict(set)
        for post_id, day in keys:
            days_by_post[post_id].add(day)
        found = {}
        for batch in in_batches(days_by_post):
            days = set().union(*(days_by_post[post_id] for post_id in batch))
            # A range rather than the list of days keeps the statement short; the exact pairs are picked here.
            snapshots = PostMetrics.objects.filter(post_id__in=batch, captured_on__range=(min(days), max(days)))
            for pk, post_id, day, batch_id, source_row, *counts in snapshots.order_by().values_list(
                "pk", "post_id", "captured_on", "import_batch_id", "source_row", *METRICS
            ):
                if day in days_by_post[post_id]:
                    found[(post_id, day)] = (pk, batch_id, source_row, counts)
        return found

    # --- writing account rows (small files: followers by day) ---------------------------------

    def _write_account_rows(self, rows: list[tuple[AccountRow, SocialAccount]]) -> None:
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
                self.fail(RowError(row.row, "", f"Repeats row {snapshot.source_row}: the same day twice."))
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
