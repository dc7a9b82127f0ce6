"""
Saving an import's rows, one parsed chunk at a time: the second half of `metrics.imports.import_file`.

`ImportWriter.add(chunk)` checks the chunk's rows (their account, their dates, repeats), then upserts
posts on (account, external id) and snapshots on (post, captured_on) (with `metrics.snapshots`, the upsert
the bulk API uses too); every snapshot records its batch and source row. Once the file has shown an error
nothing more is written (the workflow rolls back what was), but every chunk is still checked, so that the
person sees every problem at once.

Why rows are written as plain tuples (`metrics.db`) and read back with `values_list`, not as model
instances: a large template is a million rows, and building, converting and saving an instance per row
cost several times what the database itself spends on them. The queries per chunk do not grow with its
rows: a lookup of the posts and snapshots it names (split into batches where SQLite caps a statement's
parameters), an INSERT for the new ones (a COPY on PostgreSQL) and an UPDATE for the changed ones; and,
once per file, the accounts the user may import into, if the rows name accounts.

The template's chunks come as columns (`PostColumns`) when they have no bad cell: `_checked_columns` and
`_write_columns` check and write them with the rules of `_checked_posts` and `_write_posts` (the same
messages, in the same order), a check at a time over whole columns, and no Python run per row on a good
chunk. Other formats and the template's chunks with a bad cell come as `PostRow`s.

What lives across chunks is small: the counts, the first `MAX_LISTED_ERRORS` errors (and how many there
were in all), the first `SAMPLE_ROWS` rows as they are stored (for the preview), and the accounts the file
names. A chunk's rows are gone once it is written.

A preview may also count the captions about to be stored (those of new posts, and changed captions) that
`caption_check` flags: the check is the caller's (the privacy rules live outside this app), and it runs in
previews only, so that an import's speed does not depend on it.
"""

import operator
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from functools import partial
from itertools import repeat

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS, ContentType
from metrics import plausibility
from metrics.db import db_converter, db_value, insert_returning, update_rows
from metrics.history import record_bulk_changes
from metrics.importers.base import AccountRow, ParsedChunk, PostColumns, PostRow, RowError
from metrics.models import ImportBatch, Post, Provenance, hashtag_search_text
from metrics.snapshots import ACCOUNT_SNAPSHOTS, POST_SNAPSHOTS, CountColumns, posts_by_key
from metrics.vocabulary import CareerCategory

MAX_LISTED_ERRORS = 500
SAMPLE_ROWS = 10  # rows shown by a preview, as they will be stored
SAMPLE_COUNT_ORDER = (*METRIC_FIELDS, *ACCOUNT_SNAPSHOTS.metrics)
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
UNKNOWN_CONTENT_TYPE = "Unknown content type {!r}."
UNKNOWN_CATEGORY = "Unknown career category {!r}."
CAPTURED_BEFORE_PUBLICATION = "Captured on {}, before the post was published."
REPEATED_IN_FILE = "Repeats row {}: the same snapshot twice in one file."
NEW_POST_FIELDS = ("account", "external_id", *POST_FIELDS, "hashtags", "highlight_note", "created_at", "updated_at")


@dataclass
class ImportCounts:
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
    accounts: QuerySet  # the accounts the acting user may import into (`imports.importable_accounts`)
    account: SocialAccount | None
    institution: object
    counts: ImportCounts = field(default_factory=ImportCounts)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_LISTED_ERRORS
    error_count: int = 0  # all of them
    _accounts: dict = field(default_factory=dict)  # (platform, lower-case handle) -> account or None
    _importable: dict | None = None  # lower-case handle -> {pk: account}, read once per file
    _zones: dict = field(default_factory=dict)  # account id -> its time zone, found once, for days near today
    _capture_problems: dict = field(default_factory=dict)  # (account id, day) -> why refused ("" if not)
    # The site's time zone, for the days of publication: found once per file, not once per post.
    _site_zone: tzinfo = field(default_factory=timezone.get_current_timezone)
    caption_check: Callable[[str], object] | None = None  # truthy for a caption that needs a second look
    captions_flagged: int = 0
    sample: list[dict] = field(default_factory=list)  # the first SAMPLE_ROWS rows as stored

    def fail(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)

    def add(self, chunk: ParsedChunk) -> None:
        self.counts.rows_skipped += chunk.skipped_rows
        for error in chunk.errors:
            self.fail(error)
        columns = chunk.columns
        named = [*chunk.posts, *chunk.account_rows]
        self._find_accounts({(row.platform, row.handle) for row in named if row.handle})
        if columns is not None:
            self._find_accounts({pair for pair in zip(columns.platform, columns.handle, strict=True) if pair[1]})
        posts = self._checked_posts(chunk.posts)
        checked_columns = self._checked_columns(columns) if columns is not None else None
        account_rows = self._checked_account_rows(chunk.account_rows)
        if self.error_count:
            return  # keep validating the rest of the file, but write nothing more
        now = timezone.now()
        self._write_posts(posts, now=now)
        if checked_columns is not None:
            self._write_columns(columns, *checked_columns, now=now)
        self._write_account_rows(account_rows, now=now)

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
                self.fail(RowError(row.row, "content_type", UNKNOWN_CONTENT_TYPE.format(row.content_type)))
            if row.category and row.category not in CATEGORIES:
                self.fail(RowError(row.row, "category", UNKNOWN_CATEGORY.format(row.category)))
            if row.published_at is not None:
                published_on, problem = self._publication(local_days, account, row.published_at)
                if captured_on < published_on:
                    self.fail(RowError(row.row, "captured_on", CAPTURED_BEFORE_PUBLICATION.format(captured_on)))
                if problem:
                    self.fail(RowError(row.row, "published_at", problem))
            self._check_capture_day(row, captured_on, account)
            checked.append((row, account, key, captured_on))
        return checked

    def _checked_account_rows(self, rows: list[AccountRow]) -> list[tuple[AccountRow, SocialAccount]]:
        checked, seen = [], {}
        for row in rows:
            account = self._account_for(row)
            if account is not None:
                self._check_repeat(seen, (account.pk, None, row.captured_on), row)
                self._check_capture_day(row, row.captured_on, account)
                checked.append((row, account))
        return checked

    def _zone(self, account: SocialAccount):
        """A function giving the account's time zone: looked up at most once per file, and only if needed."""

        def zone():
            if account.pk not in self._zones:
                self._zones[account.pk] = account.time_zone()
            return self._zones[account.pk]

        return zone

    def _publication(self, local_days: dict, account: SocialAccount, published_at) -> tuple[date, str]:
        """
        A post's local day of publication and, if it is after today, why that is refused. A post's rows share
        its publication time: worked out once per chunk (`local_days`).
        """
        published = local_days.get((account.pk, published_at))
        if published is None:
            published = local_days[account.pk, published_at] = (
                plausibility.publication_day(published_at, self._site_zone),
                plausibility.future_publication_problem(published_at, self._zone(account)),
            )
        return published

    def _capture_problem(self, captured_on: date | None, account: SocialAccount) -> str:
        # A file repeats a few capture days over many rows: each (account, day) is judged once per file.
        key = (account.pk, captured_on)
        problem = self._capture_problems.get(key)
        if problem is None:
            problem = self._capture_problems[key] = plausibility.future_capture_problem(
                captured_on, self._zone(account)
            )
        return problem

    def _check_capture_day(self, row, captured_on: date | None, account: SocialAccount) -> None:
        if problem := self._capture_problem(captured_on, account):
            self.fail(RowError(row.row, "captured_on", problem))

    def _check_repeat(self, seen: dict, key: tuple, row) -> None:
        if key in seen:
            self.fail(RowError(row.row, "", REPEATED_IN_FILE.format(seen[key])))
        else:
            seen[key] = row.row

    def _checked_columns(self, columns: PostColumns) -> tuple[list[int], list[date], dict[int, SocialAccount]]:
        """
        `_checked_posts` for rows given as columns: the same checks and the same messages. Each check is
        worked out once per distinct value (account, publication time, capture day) and spread over the rows
        with set and map operations, so that a good chunk runs no Python per row; only a check that finds a
        problem looks for its rows. The problems are put in the order `_checked_posts` finds them (by row,
        then check). Returns each row's account id (None: no account, a problem) and capture date, and the
        accounts by id.
        """
        rows, problems = columns.row, []  # (position, check, error)
        pairs = list(zip(columns.platform, columns.handle, strict=True))
        named = {pair: self._account_named(*pair) for pair in set(pairs)}
        ids = {pair: None if account is None else account.pk for pair, (account, _) in named.items()}
        account_ids = list(map(ids.__getitem__, pairs))
        accounts = {account.pk: account for account, _ in named.values() if account is not None}
        if any(problem for _, problem in named.values()):
            for position, pair in enumerate(pairs):
                if problem := named[pair][1]:
                    problems.append((position, 0, RowError(rows[position], "handle", problem)))
        captured = columns.captured_on
        if None in captured:
            captured = [self.batch.captured_on if day is None else day for day in captured]
        # As in `_checked_posts`, a row without an account is checked no further.
        checked = range(len(rows)) if None not in ids.values() else [p for p, pk in enumerate(account_ids) if pk]

        snapshots = list(zip(account_ids, columns.external_id, captured, strict=True))
        if len(set(snapshots)) < len(snapshots):
            seen = {}
            for position in checked:
                if (first := seen.setdefault(snapshots[position], rows[position])) != rows[position]:
                    problems.append((position, 1, RowError(rows[position], "", REPEATED_IN_FILE.format(first))))
        for check, name, known, message in (
            (2, "content_type", CONTENT_TYPES, UNKNOWN_CONTENT_TYPE),
            (3, "category", CATEGORIES, UNKNOWN_CATEGORY),
        ):
            values = getattr(columns, name)
            if set(values) - known - {""}:
                for position in checked:
                    if (value := values[position]) and value not in known:
                        problems.append((position, check, RowError(rows[position], name, message.format(value))))

        moments = list(zip(account_ids, columns.published_at, strict=True))
        local_days = {}
        for pk, published_at in set(moments):
            if pk is not None and published_at is not None:
                self._publication(local_days, accounts[pk], published_at)
        published_on = list(map({key: day for key, (day, _) in local_days.items()}.get, moments, repeat(date.min)))
        if any(map(operator.lt, captured, published_on)):
            for position in checked:
                if captured[position] < published_on[position]:
                    message = CAPTURED_BEFORE_PUBLICATION.format(captured[position])
                    problems.append((position, 4, RowError(rows[position], "captured_on", message)))
        if any(problem for _, problem in local_days.values()):
            for position in checked:
                if (found := local_days.get(moments[position])) and found[1]:
                    problems.append((position, 5, RowError(rows[position], "published_at", found[1])))

        # Only a day near today may be after today in an account's zone: the rest are not looked at.
        surely_past = plausibility.today_everywhere()
        days = {
            (pk, day): self._capture_problem(day, accounts[pk])
            for pk, day in set(zip(account_ids, captured, strict=True))
            if pk is not None and day > surely_past
        }
        if any(days.values()):
            for position in checked:
                if problem := days.get((account_ids[position], captured[position])):
                    problems.append((position, 6, RowError(rows[position], "captured_on", problem)))
        for _, _, error in sorted(problems, key=lambda problem: problem[:2]):
            self.fail(error)
        return account_ids, captured, accounts

    def _account_for(self, row: PostRow | AccountRow) -> SocialAccount | None:
        account, problem = self._account_named(row.platform, row.handle)
        if problem:
            self.fail(RowError(row.row, "handle", problem))
        return account

    def _account_named(self, platform: str, handle: str) -> tuple[SocialAccount | None, str]:
        """The account a row names (platform and handle), or the one chosen for the file; and why not, if not."""
        if not handle:
            if self.account is None:
                return None, "Name the account (platform and handle) or choose one for the file."
            return self.account, ""
        handle = handle.lstrip("@")
        if self.account is not None:
            if handle.lower() != self.account.handle.lower() or (platform and platform != self.account.platform.key):
                return None, f"This row is for @{handle}, but the import is into @{self.account.handle}."
            return self.account, ""
        account = self._accounts[(platform, handle.lower())]  # looked up by `_find_accounts`
        if account is None:
            where = f" on {platform}" if platform else ""
            return None, f"No account @{handle}{where} that you may import into (or several match)."
        return account, ""

    def _find_accounts(self, names: set[tuple[str, str]]) -> None:
        """
        Look up the accounts that rows name (platform and handle, any case: `names`) for the first time in this
        file. The accounts the user may import into, within the institution if one was chosen, are read once
        per file, at the first row that names one: a template names up to a thousand accounts over hundreds of
        chunks, and a query per chunk cost more than reading them all once.
        """
        if self.account is not None:
            return  # every row must name the chosen account; `_account_for` checks that
        wanted = {(platform, handle.lstrip("@").lower()) for platform, handle in names} - self._accounts.keys()
        if not wanted:
            return
        if self._importable is None:
            candidates = self.accounts.select_related("platform")
            if self.institution is not None:
                candidates = candidates.for_institutions([self.institution.pk])
            self._importable = defaultdict(dict)  # lower-case handle -> {pk: account}: the scoping joins may repeat one
            for account in candidates:
                self._importable[account.handle.lower()][account.pk] = account
        for platform, handle in wanted:
            found = self._importable.get(handle, {}).values()
            matches = [account for account in found if platform in ("", account.platform.key)]
            self._accounts[(platform, handle)] = matches[0] if len(matches) == 1 else None

    # --- writing posts and their snapshots ----------------------------------------------------

    def _write_posts(self, rows: list[tuple[PostRow, SocialAccount, tuple[int, str], date]], *, now) -> None:
        if not rows:
            return
        post_ids, new_posts = self._upsert_posts(rows, now=now)
        if self.error_count:
            return
        self._upsert_snapshots(
            [post_ids[key] for _, _, key, _ in rows],
            [captured_on for _, _, _, captured_on in rows],
            [row.metrics for row, _, _, _ in rows],
            source_rows=[row.row for row, _, _, _ in rows],
            new_posts=new_posts,
            now=now,
        )

    def _write_columns(
        self,
        columns: PostColumns,
        account_ids: list[int],
        captured: list[date],
        accounts: dict[int, SocialAccount],
        *,
        now,
    ) -> None:
        """`_write_posts` for rows given as columns (every row checked and named an account)."""
        keys = list(zip(account_ids, columns.external_id, strict=True))
        # Each post from its last row, as `_upsert_posts` keeps it, in the order of its first row.
        last = dict(zip(keys, range(len(keys)), strict=True))
        posts = columns.take(list(last.values())).post_rows()
        post_ids, new_posts = self._upsert_posts(
            [(row, accounts[key[0]], key, None) for row, key in zip(posts, last, strict=True)], now=now
        )
        if self.error_count:
            return
        self._upsert_snapshots(
            list(map(post_ids.__getitem__, keys)),
            captured,
            CountColumns(columns.metrics),
            source_rows=columns.row,
            new_posts=new_posts,
            now=now,
        )

    def _upsert_snapshots(self, posts: list[int], days: list[date], counts, *, source_rows, new_posts, now) -> None:
        # The file's counts over the stored ones: a metric the file has no column for stays as it is.
        result = POST_SNAPSHOTS.upsert(
            posts,
            days,
            counts,
            source_rows=source_rows,
            source=Provenance.IMPORT,
            import_batch_id=self.batch.pk,
            user_id=self.batch.uploaded_by_id,
            partial=True,
            now=now,
            new_owners=new_posts,
        )
        for row, first in result.repeats:
            self.fail(RowError(row, "", f"Repeats row {first}: the same snapshot twice."))
        self.counts.snapshots_created += result.created
        self.counts.snapshots_updated += result.updated
        self.counts.rows_unchanged += result.unchanged

    def _upsert_posts(
        self, rows: list[tuple[PostRow, SocialAccount, tuple[int, str], date]], *, now
    ) -> tuple[dict, set]:
        """
        Create or update the posts of the rows (the last row of a post wins). Returns the id of every
        post, keyed by (account id, external id), and the ids of those created here.
        """
        latest = {key: (row, account) for row, account, key, _ in rows}
        stored = {
            key: (post[0], dict(zip(POST_FIELDS, post[1:], strict=True)))
            for key, post in posts_by_key(Post.objects, latest, values=POST_FIELDS).items()
        }
        updated_at = db_value(Post, "updated_at", now)
        post_values = partial(_post_values, db_converter(Post, "published_at"))  # the parsers give aware datetimes
        new, changed, changed_values = [], [], []
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
                new.append((account.pk, row.external_id, *post_values({**values}), "", updated_at, updated_at))
                self._check_caption(values.get("caption", ""))
                self._keep_sample(row, account, values, new=True)
                continue
            pk, current = stored[key]
            if values.get("caption", current["caption"]) != current["caption"]:
                self._check_caption(values["caption"])
            self._keep_sample(row, account, {**current, **values}, new=False)
            if any(current[name] != value for name, value in values.items()):
                changed.append((*post_values({**current, **values}), updated_at, pk))
                merged = {**current, **values}
                changed_values.append((*(merged.get(name, "") for name in POST_FIELDS), pk))
        if self.error_count:
            return {}, set()
        # The new posts' ids come back with the INSERT (with their keys, since the order is the database's).
        created = insert_returning(Post, NEW_POST_FIELDS, new, returning=("account", "external_id", "id"))
        # A post's history keeps what the file changed in it (the fields that count), as the snapshots' does.
        write_history = record_bulk_changes(
            Post, POST_FIELDS, changed_values, source=Provenance.IMPORT, user_id=self.batch.uploaded_by_id, now=now
        )
        update_rows(Post, (*POST_FIELDS, "hashtags", "updated_at"), changed)
        write_history()
        self.counts.posts_created += len(new)
        self.counts.posts_updated += len(changed)
        ids = {key: pk for key, (pk, _) in stored.items()}
        ids.update({(account_id, external_id): pk for account_id, external_id, pk in created})
        return ids, {pk for _, _, pk in created}

    def _check_caption(self, caption: str) -> None:
        if self.caption_check is not None and caption and self.caption_check(caption):
            self.captions_flagged += 1

    def _keep_sample(self, row: PostRow | AccountRow, account: SocialAccount, values: dict, *, new: bool) -> None:
        """The row as it will be stored (a new post's default content type included), for the preview: plain
        JSON, since the batch keeps it."""
        if len(self.sample) >= SAMPLE_ROWS:
            return
        published_at = values.get("published_at")
        if isinstance(row, PostRow):
            captured_on = row.captured_on or self.batch.captured_on
            reported = row.metrics
        else:
            captured_on = row.captured_on
            reported = values
        # Pairs in the vocabulary's order: a JSON object's keys come back from PostgreSQL in an order of its own.
        counts = [[name, reported[name]] for name in SAMPLE_COUNT_ORDER if reported.get(name) is not None]
        self.sample.append(
            {
                "row": row.row,
                "account": f"@{account.handle}",
                "platform": account.platform.name,
                "external_id": getattr(row, "external_id", ""),
                "new": new,
                "published_at": published_at.isoformat() if published_at else "",
                "content_type": values.get("content_type", ""),
                "category": values.get("category", ""),
                "caption": values.get("caption", ""),
                "captured_on": captured_on.isoformat() if captured_on else "",
                "counts": counts,
            }
        )

    # --- writing account rows (small files: followers by day) ---------------------------------

    def _write_account_rows(self, rows: list[tuple[AccountRow, SocialAccount]], *, now) -> None:
        if not rows:
            return
        # A blank cell is "not in this file": the stored count stays.
        counts = [
            {name: value for name in ACCOUNT_SNAPSHOTS.metrics if (value := getattr(row, name)) is not None}
            for row, _ in rows
        ]
        for (row, account), values in zip(rows[:SAMPLE_ROWS], counts, strict=False):
            self._keep_sample(row, account, values, new=False)
        result = ACCOUNT_SNAPSHOTS.upsert(
            [account.pk for _, account in rows],
            [row.captured_on for row, _ in rows],
            counts,
            source_rows=[row.row for row, _ in rows],
            source=Provenance.IMPORT,
            import_batch_id=self.batch.pk,
            user_id=self.batch.uploaded_by_id,
            partial=True,
            now=now,
        )
        for row, first in result.repeats:
            self.fail(RowError(row, "", f"Repeats row {first}: the same day twice."))
        self.counts.account_snapshots_created += result.created
        self.counts.account_snapshots_updated += result.updated
        self.counts.rows_unchanged += result.unchanged


def _post_values(driver_moment: Callable, values: dict) -> tuple:
    """A post's POST_FIELDS and hashtags as the driver takes them; fields the row leaves out are blank."""
    caption = values.get("caption", "")
    return (
        values.get("url", ""),
        driver_moment(values["published_at"]),
        values["content_type"],
        caption,
        values.get("category", ""),
        hashtag_search_text(caption),
    )
