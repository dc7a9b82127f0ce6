"""
The import benchmark behind `python manage.py benchmark_import`.

What it answers: how fast the import workflow (`metrics.imports.import_file`) loads a template CSV of
1,000,000 snapshot rows (1,000 accounts x 100 posts x 10 capture dates, every row naming its platform and
handle) into empty tables, how much memory it takes, and how that compares with two references on the same
file and the same tables:

- the floor: the least work that leaves the same rows. The file parsed once, with the workflow's parser
  (pandas, in chunks of the same size, every cell as text), counts and dates converted as the workflow
  converts them, and every post and snapshot written once with the raw DB-API cursor of the same
  connection (`executemany` on SQLite, COPY on PostgreSQL, as the workflow writes), provenance columns
  (batch, source, source row) included; no validation, no ORM, no history. The floor and the workflow run
  in ONE process, interleaved, for several rounds (`--rounds`), measured by `portfolio.benchmarks.measure`
  (wall and CPU seconds, the PostgreSQL backend's CPU, the load): a ratio taken from two processes at two
  moments holds the load of those moments. Target: the workflow within 1.3x the floor.
- django-import-export, the library a Django project would reach for: a `ModelResource` for
  PostMetrics that finds or creates each row's post and upserts the snapshot on (post, captured_on), in
  one transaction. Once with its default options and once with `use_bulk` and `skip_diff`, its documented
  options for speed. It is slow, so it imports only the first `--iex-rows` rows of the file, and its
  rate is extrapolated to the whole file (the report says so). Target: the workflow at least 10x faster
  per row than the faster of the two.

How:
- The developer's own data is never touched: the throwaway database of the API benchmark (a SQLite file
  in a temporary folder, or `<name>_bench` on the PostgreSQL server of `--database-url`), and a
  temporary folder for the file and for MEDIA_ROOT (the workflow keeps every imported file).
- Each step runs in a process of its own (`manage.py benchmark_import --inside --step ...`): first one that
  migrates, creates the accounts and writes the file; then the floor and the workflow together; then each
  django-import-export method. Every timed import starts on empty post, snapshot and import tables. The
  memory figures are the workflow's: the growth of the process's peak resident memory over its rounds
  (everything loaded before left out), and the peak of Python's own allocations in one more, untimed run
  with `tracemalloc` on (tracing slows Python down several times).
- DEBUG is off in the children, so Django does not log every query.
"""

import csv
import gc
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import partial
from itertools import islice, repeat
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Institution, Platform, SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics.importers.template import CHUNK_ROWS, HEADER
from metrics.imports import collector_spared, import_file
from metrics.models import ImportBatch, Post, PostMetrics, Provenance, hashtag_search_text
from portfolio.benchmarks import measure as harness
from portfolio.benchmarks.api import (
    THROWAWAY_DATABASE_ENV,
    BenchmarkError,
    _throwaway_database,
    describe_database,
    load_average,
    peak_memory_mb,
)
from portfolio.benchmarks.data import DEFAULT_SEED, _Builder
from portfolio.benchmarks.measure import Measurements, Run, format_table

TARGET_FLOOR_RATIO = 1.3  # the workflow's CPU seconds, at most this many times the floor's
TARGET_IEX_SPEEDUP = 10.0  # django-import-export's time per row, at least this many times the workflow's
CAPTURE_DATES = 10  # snapshots per post, on distinct days
DEFAULT_ROWS = 1_000_000
DEFAULT_ACCOUNTS = 1_000
DEFAULT_IEX_ROWS = 10_000
DEPARTMENTS = 4
FILE_NAME = "snapshots.csv"
PREPARE = "prepare"
INTERLEAVED = "floor-and-workflow"  # the step that measures both in one process
FLOOR, WORKFLOW = "floor", "import_file"
DEFAULT_ROUNDS = 3
PROGRESS_STEPS = 10  # progress lines per import of the whole file


@dataclass(frozen=True)
class Method:
    label: str
    # Untimed setup (load the user, import the library...) that returns the timed import.
    build: Callable[..., Callable[[], None]]


@dataclass(frozen=True)
class Sample:
    """The generated file and what the children need to import it, as the prepare step wrote them."""

    path: str
    rows: int
    accounts: int
    posts_per_account: int
    posts: int
    size: int
    seconds: float  # to create the accounts and write the file
    database: str
    institution_id: int
    user_id: int  # the institution's admin, who imports
    today: str  # ISO date: the file's dates are relative to it
    upload_limit: int  # IMPORT_MAX_BYTES


@dataclass(frozen=True)
class Measurement:
    method: str
    rows: int  # rows of the file imported in the timed run
    seconds: float
    rss_mb: float | None  # growth of the process's peak resident memory during the timed run
    python_peak_mb: float | None  # tracemalloc's peak, in a second untimed run
    posts: int  # what the timed run left in the tables, to show every method did the same work
    snapshots: int

    @property
    def seconds_per_row(self) -> float:
        return self.seconds / self.rows

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@dataclass(frozen=True)
class Interleaved:
    """The floor and the workflow, measured in one process (`measure.Run`s as dicts), and what they wrote."""

    rows: int
    runs: list[dict]
    rss_mb: float | None  # growth of the peak resident memory over the rounds
    python_peak_mb: float | None  # the workflow's tracemalloc peak, in one more untimed run
    posts: int
    snapshots: int

    @property
    def measurements(self) -> Measurements:
        return Measurements(runs=[Run(**run) for run in self.runs])

    def seconds_per_row(self, name: str = WORKFLOW) -> float:
        return self.measurements.median(name, "wall") / self.rows


@dataclass(frozen=True)
class Report:
    sample: Sample
    interleaved: Interleaved
    measurements: dict[str, Measurement]  # django-import-export's, by method key
    load_average: tuple[float, float] | None  # before and after the measurements
    in_process: bool  # SQLite: the database's CPU is the process's

    def ratio(self, column: str = "cpu") -> float:
        """The workflow's median `column` (`cpu` or `wall`) over the floor's."""
        return self.interleaved.measurements.ratio(WORKFLOW, FLOOR, column)

    def iex_speedup(self, key: str) -> float:
        """How many times the workflow's time per row django-import-export's `key` run took."""
        return self.measurements[key].seconds_per_row / self.interleaved.seconds_per_row()

    @property
    def floor_target_met(self) -> bool:
        return self.ratio("cpu") <= TARGET_FLOOR_RATIO

    @property
    def iex_target_met(self) -> bool:
        return min(self.iex_speedup(key) for key in IEX_METHODS) >= TARGET_IEX_SPEEDUP


# The parent process: a throwaway database and one child process per step ---------------------------------------


def run_in_throwaway_database(
    *,
    database_url: str | None,
    rows: int,
    accounts: int,
    iex_rows: int,
    rounds: int,
    trace: bool,
    keep: bool,
    write: Callable[[str], None],
) -> Report:
    """
    Create a throwaway database and a temporary folder, run every step in a child process against them
    (relaying their output to `write`), delete both unless `keep`, and return the report. Raises
    BenchmarkError if a child fails.
    """
    check_sizes(rows=rows, accounts=accounts, iex_rows=iex_rows, rounds=rounds)
    arguments = [f"--rows={rows}", f"--accounts={accounts}", f"--iex-rows={iex_rows}", f"--rounds={rounds}"]
    if not trace:
        arguments.append("--no-tracemalloc")
    with _throwaway_database(database_url, keep=keep, write=write) as url, _work_folder(keep, write) as work:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            THROWAWAY_DATABASE_ENV: url,
            "MEDIA_ROOT": str(work / "media"),  # the workflow keeps the imported file
            "PYTHONUNBUFFERED": "1",
        }
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        manage = str(settings.BASE_DIR / "manage.py")

        def run_child(step: str) -> None:
            command = [sys.executable, manage, "benchmark_import", "--inside", f"--step={step}", f"--work-dir={work}"]
            with subprocess.Popen([*command, *arguments], env=env, stdout=subprocess.PIPE, text=True) as child:
                for line in child.stdout:
                    write(line.rstrip("\n"))
            if child.returncode:
                raise BenchmarkError(f"The {step} step failed (exit status {child.returncode}); see above.")

        run_child(PREPARE)
        load_before = load_average()
        for step in (INTERLEAVED, *METHODS):
            run_child(step)
        load_after = load_average()
        sample = Sample(**_read(work, PREPARE))
        interleaved = Interleaved(**_read(work, INTERLEAVED))
        measurements = {key: Measurement(**_read(work, key)) for key in METHODS}
    return Report(
        sample=sample,
        interleaved=interleaved,
        measurements=measurements,
        load_average=(load_before, load_after) if load_before is not None else None,
        in_process=not database_url,
    )


def check_sizes(*, rows: int, accounts: int, iex_rows: int, rounds: int = 1) -> None:
    if rows < 1 or accounts < 1 or iex_rows < 1 or rounds < 1:
        raise ValueError("--rows, --accounts, --iex-rows and --rounds must be at least 1.")


@contextmanager
def _work_folder(keep: bool, write: Callable[[str], None]) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="some-portfolio-import-bench-"))
    try:
        yield folder
    finally:
        if keep:
            write(f"Kept the file and the imported copies in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _read(work: Path, step: str) -> dict:
    return json.loads((work / f"{step}.json").read_text())


def _write(work: Path, step: str, result) -> None:
    (work / f"{step}.json").write_text(json.dumps(asdict(result)))


# The child processes ----------------------------------------------------------------------------------------------


def run_step(
    step: str,
    *,
    work: Path,
    rows: int,
    accounts: int,
    iex_rows: int,
    rounds: int,
    trace: bool,
    log: Callable[[str], None],
) -> None:
    """
    One step in the throwaway database: `prepare`, the floor and the workflow interleaved, or one of
    django-import-export's METHODS. Writes `<work>/<step>.json`.
    """
    check_sizes(rows=rows, accounts=accounts, iex_rows=iex_rows, rounds=rounds)
    with override_settings(DEBUG=False):
        if step == PREPARE:
            _write(work, step, prepare(work=work, rows=rows, accounts=accounts, log=log))
        elif step == INTERLEAVED:
            sample = Sample(**_read(work, PREPARE))
            _write(work, step, measure_interleaved(sample=sample, rounds=rounds, trace=trace, log=log))
        elif step in METHODS:
            sample = Sample(**_read(work, PREPARE))
            _write(work, step, measure(step, sample=sample, iex_rows=iex_rows, trace=trace, log=log))
        else:
            raise BenchmarkError(f"Unknown step {step!r}.")


def prepare(*, work: Path, rows: int, accounts: int, log: Callable[[str], None]) -> Sample:
    """Migrate the empty database, create one institution with `accounts` accounts, and write the file."""
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    log(f"Creating {accounts:,} accounts and writing a template CSV of {rows:,} rows...")
    today = timezone.localdate()
    # The API benchmark's generator: accounts of every kind (institution, department, program, faculty member's)
    # over every platform of the registry, and posts with the counts their platform reports.
    builder = _Builder(today=today, rng=random.Random(DEFAULT_SEED), snapshots_per_post=CAPTURE_DATES)
    with transaction.atomic():
        builder.create_people(institutions=1, departments_per_institution=DEPARTMENTS)
        builder.create_accounts(count=accounts)
    path = work / FILE_NAME
    posts = write_template(path, builder, rows=rows)
    per_account = _posts_per_account(rows, accounts)
    return Sample(
        path=str(path),
        rows=rows,
        accounts=min(accounts, math.ceil(posts / per_account)),
        posts_per_account=per_account,
        posts=posts,
        size=path.stat().st_size,
        seconds=time.perf_counter() - started,
        database=describe_database(),
        institution_id=builder.institutions[0].pk,
        user_id=builder.admin.pk,
        today=today.isoformat(),
        upload_limit=settings.IMPORT_MAX_BYTES,
    )


def _posts_per_account(rows: int, accounts: int) -> int:
    return max(1, math.ceil(rows / (accounts * CAPTURE_DATES)))


def write_template(path: Path, builder: _Builder, *, rows: int) -> int:
    """
    Write `rows` rows of the template (HEADER) to `path`, account by account, post by post, one row per
    capture date, every row with the post's columns and its platform and handle, as a spreadsheet kept by
    hand would have them. Streamed: nothing but the current post is held in memory. Returns the posts.
    """
    zone = ZoneInfo(builder.institutions[0].timezone)  # the template's times are the institution's
    per_account = _posts_per_account(rows, len(builder.accounts))
    written = posts = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for index, account in enumerate(builder.accounts):
            for n in range(per_account):
                if written == rows:
                    return posts
                post, final = builder._plan_post(account, builder.followers[index], n)
                posts += 1
                published = post.published_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
                columns = [account.platform.key, account.handle, post.external_id, post.url, published]
                columns += [post.content_type, post.category, post.caption]
                for _, day, _, _, *counts in islice(builder._snapshot_rows(post, final), rows - written):
                    writer.writerow([*columns, day, *("" if count is None else count for count in counts)])
                    written += 1
    return posts


def measure_interleaved(*, sample: Sample, rounds: int, trace: bool, log: Callable[[str], None]) -> Interleaved:
    """
    The floor and the workflow on the whole file, interleaved in this process for `rounds` rounds, each on
    emptied tables; then, if `trace`, the workflow once more with tracemalloc on, for its memory.
    """
    floor = build_floor(sample=sample)
    workflow = build_workflow(sample=sample, rows=sample.rows, log=log)
    written = {}

    def empty(name: str) -> None:
        _empty_tables()
        gc.collect()

    def check(name: str, run: Callable[[], None]) -> Callable[[], None]:
        def checked() -> None:
            run()
            written[name] = (Post.objects.count(), PostMetrics.objects.count())
            if written[name][1] != sample.rows:
                raise BenchmarkError(f"{name} wrote {written[name][1]:,} snapshots for {sample.rows:,} rows.")

        return checked

    rss_before = peak_memory_mb()
    log(f"The floor and import_file, {rounds} interleaved rounds of {sample.rows:,} rows each...")
    results = harness.measure(
        {FLOOR: check(FLOOR, floor), WORKFLOW: check(WORKFLOW, workflow)}, rounds=rounds, before_each=empty, log=log
    )
    rss_mb = None if rss_before is None else peak_memory_mb() - rss_before
    if len(set(written.values())) != 1:
        raise BenchmarkError(f"The floor and import_file wrote different rows: {written}.")
    python_peak_mb = None
    if trace:
        empty(WORKFLOW)
        log("import_file: importing again with tracemalloc on, for the memory...")
        python_peak_mb = _python_peak(workflow)
    posts, snapshots = written[WORKFLOW]
    return Interleaved(
        rows=sample.rows,
        runs=[asdict(run) for run in results.runs],
        rss_mb=rss_mb,
        python_peak_mb=python_peak_mb,
        posts=posts,
        snapshots=snapshots,
    )


def measure(step: str, *, sample: Sample, iex_rows: int, trace: bool, log: Callable[[str], None]) -> Measurement:
    """Import with METHODS[step] into empty tables: timed, then again with tracemalloc on (if `trace`)."""
    method = METHODS[step]
    rows = min(iex_rows, sample.rows)
    _empty_tables()
    run = method.build(sample=sample, rows=rows, log=log)
    gc.collect()
    rss_before = peak_memory_mb()
    log(f"{method.label}: importing {rows:,} rows...")
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    rss_mb = None if rss_before is None else peak_memory_mb() - rss_before
    posts, snapshots = Post.objects.count(), PostMetrics.objects.count()
    if snapshots != rows:
        raise BenchmarkError(f"{method.label} wrote {snapshots:,} snapshots for {rows:,} rows.")
    log(f"{method.label}: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s).")
    python_peak_mb = None
    if trace:
        _empty_tables()
        run = method.build(sample=sample, rows=rows, log=log)
        gc.collect()
        log(f"{method.label}: importing again with tracemalloc on, for the memory...")
        python_peak_mb = _python_peak(run)
    return Measurement(
        method=step,
        rows=rows,
        seconds=seconds,
        rss_mb=rss_mb,
        python_peak_mb=python_peak_mb,
        posts=posts,
        snapshots=snapshots,
    )


def _python_peak(run: Callable[[], None]) -> float:
    """The peak of Python's allocations while `run` runs, in MB (tracemalloc: untimed, it slows Python down)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _empty_tables() -> None:
    """Empty the tables the imports write (TRUNCATE on PostgreSQL, which also gives them fresh files)."""
    tables = [model._meta.db_table for model in (PostMetrics, Post, ImportBatch)]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True):
            cursor.execute(statement)


def _import_setup(sample: Sample) -> tuple[Institution, object, date]:
    institution = Institution.objects.get(pk=sample.institution_id)
    user = get_user_model().objects.get(pk=sample.user_id)
    return institution, user, date.fromisoformat(sample.today)


# The methods --------------------------------------------------------------------------------------------------------


def build_workflow(*, sample: Sample, rows: int, log: Callable[[str], None]) -> Callable[[], None]:
    """The site's import, as the upload view calls it: the whole file, for the institution, by its admin."""
    institution, user, today = _import_setup(sample)
    path = Path(sample.path)
    step = max(1, rows // PROGRESS_STEPS)

    def run() -> None:
        started, done, next_report = time.perf_counter(), 0, step

        def progress(count: int) -> None:
            nonlocal done, next_report
            done += count
            if done >= next_report and done < rows:
                log(f"  import_file: {done:,} of {rows:,} rows ({time.perf_counter() - started:.0f} s)")
                next_report += step

        # A file over the upload limit would be refused before its first row: the limit is not what is measured.
        with open(path, "rb") as handle, override_settings(IMPORT_MAX_BYTES=max(sample.size, sample.upload_limit)):
            batch = import_file(
                user=user, upload=File(handle, name=path.name), institution=institution, today=today, progress=progress
            )
        if batch.status != ImportBatch.Status.IMPORTED:
            raise BenchmarkError(f"import_file did not import the file: {batch.message} {batch.errors[:3]}")

    return run


def build_floor(*, sample: Sample) -> Callable[[], None]:
    """
    The floor: the least work that leaves the rows the workflow leaves. The file parsed once, with the
    workflow's parser and chunk size (pandas, every cell as text); per chunk, the new posts from their first
    row (the same columns, hashtags and timestamps), their ids read back with one SELECT, and the snapshots
    with their provenance (source, import batch, source row), written with the DB-API cursor of Django's own
    connection: `executemany` on SQLite, COPY on PostgreSQL, as `metrics.db.insert_rows` writes them. Counts
    are converted column by column, as the workflow converts them; dates go to the driver as the ISO text
    the file holds. No validation, no ORM, no history. The garbage collector is spared the standing
    objects as in the workflow (`collector_spared`), so that the difference is the workflow's own work.
    """
    institution, _, _ = _import_setup(sample)
    zone = ZoneInfo(institution.timezone)
    path = Path(sample.path)
    ops = connection.ops
    quote = ops.quote_name
    copy = connection.vendor == "postgresql"
    mark = "?" if connection.Database.paramstyle == "qmark" else "%s"

    def insert(model, fields: list[str]) -> str:
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        if copy:
            return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join([mark] * len(fields))})"

    def write(cursor, sql: str, rows: list[tuple]) -> None:
        if copy:
            with cursor.copy(sql) as stream:
                for row in rows:
                    stream.write_row(row)
        else:
            cursor.executemany(sql, rows)

    post_fields = ["account", "external_id", "url", "published_at", "content_type", "caption", "hashtags"]
    post_fields += ["category", "highlight_note", "created_at", "updated_at"]
    insert_post = insert(Post, post_fields)
    snapshot_fields = ["post", "captured_on", "source", "import_batch", "source_row", "created_at", *METRIC_FIELDS]
    insert_snapshot = insert(PostMetrics, snapshot_fields)
    accounts_sql = (
        f"SELECT a.{quote('id')}, p.{quote('key')}, a.{quote('handle')} FROM {quote(SocialAccount._meta.db_table)} a "
        f"JOIN {quote(Platform._meta.db_table)} p ON p.{quote('id')} = a.{quote('platform_id')}"
    )
    new_posts_sql = (
        f"SELECT {quote('id')}, {quote('account_id')}, {quote('external_id')} FROM {quote(Post._meta.db_table)} "
        f"WHERE {quote('id')} > {mark}"
    )
    metrics = list(METRIC_FIELDS)

    def run() -> None:
        now = ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(), collector_spared():
            batch = ImportBatch.objects.create(
                institution=institution, file_name=path.name, size=sample.size, status=ImportBatch.Status.IMPORTED
            )
            connection.ensure_connection()
            cursor = connection.connection.cursor()
            cursor.execute(accounts_sql)
            accounts = {(key, name): pk for pk, key, name in cursor.fetchall()}
            ids, last_id, first_row = {}, 0, 2
            frames = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS)
            for frame in frames:
                account_ids = list(map(accounts.__getitem__, zip(frame["platform"], frame["handle"], strict=True)))
                keys = list(zip(account_ids, frame["external_id"], strict=True))
                # Each post from its first row in the file (the workflow keeps its last: the same, in this file).
                unseen = np.flatnonzero(~frame.duplicated(["platform", "handle", "external_id"]).to_numpy())
                first = [position for position in unseen.tolist() if keys[position] not in ids]
                if first:
                    posts = frame.iloc[first]
                    published = [
                        ops.adapt_datetimefield_value(datetime.fromisoformat(moment).replace(tzinfo=zone))
                        for moment in posts["published_at"]
                    ]
                    captions = posts["caption"].tolist()
                    write(
                        cursor,
                        insert_post,
                        list(
                            zip(
                                [account_ids[position] for position in first],
                                posts["external_id"],
                                posts["url"],
                                published,
                                posts["content_type"],
                                captions,
                                map(hashtag_search_text, captions),
                                posts["category"],
                                repeat(""),
                                repeat(now),
                                repeat(now),
                                strict=False,
                            )
                        ),
                    )
                    cursor.execute(new_posts_sql, [last_id])
                    for pk, account_id, external_id in cursor.fetchall():
                        ids[account_id, external_id] = pk
                        last_id = max(last_id, pk)
                block = frame[metrics].to_numpy(dtype=object)
                blank = block == ""
                counts = np.where(blank, "0", block).astype(np.int64).astype(object)
                counts[blank] = None
                source_rows = range(first_row, first_row + len(frame))
                first_row += len(frame)
                snapshots = zip(
                    map(ids.__getitem__, keys),
                    frame["captured_on"],
                    repeat(Provenance.IMPORT.value),
                    repeat(batch.pk),
                    source_rows,
                    repeat(now),
                    *counts.T.tolist(),
                    strict=False,
                )
                write(cursor, insert_snapshot, list(snapshots))
            cursor.close()

    return run


def build_import_export(*, sample: Sample, rows: int, log: Callable[[str], None], tuned: bool) -> Callable[[], None]:
    """django-import-export on the first `rows` rows of the file (see `_snapshot_resource`)."""
    try:
        import tablib
    except ImportError:
        raise BenchmarkError("django-import-export is not installed: pip install -r requirements-dev.txt") from None
    institution, _, _ = _import_setup(sample)
    resource_class = _snapshot_resource(tuned=tuned)
    path = Path(sample.path)

    def run() -> None:
        with open(path, newline="", encoding="utf-8") as file:
            dataset = tablib.Dataset().load("".join(islice(file, rows + 1)), format="csv")
        resource = resource_class(institution=institution)
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
        if result.has_errors() or result.has_validation_errors():
            raise BenchmarkError("django-import-export refused rows of the file.")

    return run


def _snapshot_resource(*, tuned: bool):
    """
    A django-import-export `ModelResource` for PostMetrics, written as its documentation suggests: the
    snapshot is found by its import id fields (post, captured_on); the post comes from a
    `ForeignKeyWidget` on the `external_id` column that finds the row's account (by platform and handle,
    within the institution) and gets or creates the post from the row's post columns. Accounts and posts
    are remembered for the rest of the file, which spares the library a query per row. `tuned` turns on
    `use_bulk` (bulk_create in batches of 1,000) and `skip_diff` (no copy and diff of every instance).
    The app need not be installed: a resource is plain Python; only the admin integration needs the app.
    """
    from import_export import fields, resources, widgets

    class PostWidget(widgets.ForeignKeyWidget):
        def __init__(self, institution: Institution):
            super().__init__(Post)
            self.accounts = SocialAccount.objects.for_institutions([institution.pk])
            self.zone = ZoneInfo(institution.timezone)
            self.found_accounts: dict[tuple[str, str], int] = {}
            self.found_posts: dict[tuple[int, str], Post] = {}

        def clean(self, value, row=None, **kwargs):
            account_key = (row["platform"], row["handle"].lower())
            if account_key not in self.found_accounts:
                account = self.accounts.get(platform__key=row["platform"], handle__iexact=row["handle"])
                self.found_accounts[account_key] = account.pk
            key = (self.found_accounts[account_key], value)
            if key not in self.found_posts:
                published = datetime.fromisoformat(row["published_at"])
                self.found_posts[key], _ = Post.objects.get_or_create(
                    account_id=key[0],
                    external_id=value,
                    defaults={
                        "url": row["url"],
                        "published_at": published if published.tzinfo else published.replace(tzinfo=self.zone),
                        "content_type": row["content_type"],
                        "caption": row["caption"],
                        "category": row["category"],
                    },
                )
            return self.found_posts[key]

    class SnapshotResource(resources.ModelResource):
        post = fields.Field(attribute="post", column_name="external_id")

        class Meta:
            model = PostMetrics
            fields = ("post", "captured_on", *METRIC_FIELDS)
            import_id_fields = ("post", "captured_on")
            use_bulk = tuned
            skip_diff = tuned
            batch_size = 1000

        def __init__(self, *, institution: Institution):
            super().__init__()
            self.fields["post"].widget = PostWidget(institution)

        def before_save_instance(self, instance, row, **kwargs):
            instance.source = Provenance.IMPORT
            instance.source_row = kwargs["row_number"] + 1  # the header is row 1

    return SnapshotResource


METHODS = {
    "iex": Method("django-import-export, defaults", partial(build_import_export, tuned=False)),
    "iex-bulk": Method("django-import-export, use_bulk + skip_diff", partial(build_import_export, tuned=True)),
}
IEX_METHODS = ("iex", "iex-bulk")


# The report -------------------------------------------------------------------------------------------------------


def format_report(report: Report) -> list[str]:
    sample, interleaved, measured = report.sample, report.interleaved, report.measurements
    lines = [
        "",
        f"Database: {sample.database}",
        f"File: template CSV of {sample.rows:,} snapshot rows ({sample.accounts:,} accounts x "
        f"{sample.posts_per_account:,} posts x {CAPTURE_DATES} capture dates, {sample.posts:,} posts), "
        f"{sample.size / 2**20:,.1f} MB; accounts created and file written in {sample.seconds:.1f} s",
        "Every import goes into empty tables, in one transaction, as the institution's admin; DEBUG off.",
    ]
    if sample.size > sample.upload_limit:
        lines.append(
            f"The file is over IMPORT_MAX_BYTES ({sample.upload_limit / 2**20:,.0f} MB), which would refuse it "
            "before its first row: the limit is raised for import_file in this benchmark."
        )
    rate = sample.rows / interleaved.measurements.median(WORKFLOW, "wall")
    lines += [
        "",
        f"The floor and import_file on the whole file, interleaved in one process ({rate:,.0f} rows/s for "
        "import_file, median):",
        *format_table(interleaved.measurements, floor=FLOOR, workflow=WORKFLOW, in_process=report.in_process),
        f"  import_file's memory: peak resident memory +{_megabytes(interleaved.rss_mb)} MB over its rounds; "
        f"Python's allocations peak at {_megabytes(interleaved.python_peak_mb)} MB (tracemalloc, an untimed run).",
        f"  Written by each: {interleaved.posts:,} posts and {interleaved.snapshots:,} snapshots.",
        "  The floor: the file parsed once with the same parser and written once with the raw driver "
        f"({'COPY' if not report.in_process else 'executemany'}), provenance included, no checks.",
        "",
        f"  {'django-import-export':<44} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'RSS MB':>7} {'Python MB':>9} "
        f"{'x import_file':>13}",
    ]
    for key, m in measured.items():
        lines.append(
            f"  {METHODS[key].label:<44} {m.rows:>8,} {m.seconds:>8.1f} {m.rows_per_second:>8,.0f} "
            f"{_megabytes(m.rss_mb):>7} {_megabytes(m.python_peak_mb):>9} {report.iex_speedup(key):>13.2f}"
        )
    for key, m in measured.items():
        lines.append(
            f"  * The first {m.rows:,} rows of the file only, in a process of its own: at that rate, "
            f"{METHODS[key].label} would take about {_duration(m.seconds_per_row * sample.rows)} for the whole file."
        )
    speedups = ", ".join(f"{report.iex_speedup(key):,.1f}x ({METHODS[key].label})" for key in IEX_METHODS)
    lines += [
        "",
        f"Target: import_file within {TARGET_FLOOR_RATIO:g}x the floor's CPU seconds: "
        f"{report.ratio('cpu'):.2f}x (wall {report.ratio('wall'):.2f}x), "
        f"{'PASS' if report.floor_target_met else 'MISS'}",
        f"Target: import_file at least {TARGET_IEX_SPEEDUP:g}x faster than django-import-export: {speedups}, "
        f"{'PASS' if report.iex_target_met else 'MISS'}",
    ]
    if report.load_average is not None:
        before, after = report.load_average
        lines.append(
            f"Machine: {os.cpu_count()} CPUs, load average {before:.1f} before the imports and {after:.1f} after "
            "(other processes slow the figures down)"
        )
    return lines


def _megabytes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:,.0f} min"
    return f"{seconds / 3600:,.1f} h"
