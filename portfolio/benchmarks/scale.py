"""
The PostgreSQL scale benchmark behind `python manage.py benchmark_scale --database-url postgres://...`.

What it answers: at 10,000,000 snapshots (1,000,000 posts of 10,000 accounts in 10 institutions of 1,000
accounts), what the reads that grow with the data cost: the posts list (its first page and a page in the middle,
as a superuser and as an institution admin), one account's engagement over a year, and the comparison of the
1,000 accounts of one institution (all on one platform, as a comparison ranks one platform at a time), today and
as of a past day (which probes the snapshot table for every post). Each runs through the Django test client in
process, interleaved for a few rounds (`portfolio.benchmarks.measure`: wall, process CPU, database backend CPU,
load), and every SQL statement of one run of each is written with its EXPLAIN (ANALYZE, BUFFERS) plan to the
file the report names.

How the data is built, to fit in minutes: the people and accounts through the ORM (`portfolio.benchmarks.data`),
then posts and snapshots as CSV generated in memory chunk by chunk and streamed to COPY, with the tables'
secondary indexes, constraints and the latest-snapshot triggers set aside during the load and built after it
(one sort per index instead of ten million index insertions), the latest-snapshot table rebuilt in one
statement, then VACUUM ANALYZE. PostgreSQL only: SQLite has no COPY and is not the database of a site this size.
"""

import functools
import io
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.vocabulary import METRIC_FIELDS
from metrics import latest
from metrics.models import Post, PostMetrics
from portfolio.benchmarks.api import BenchmarkError, describe_database, get, report_header, served_in_process
from portfolio.benchmarks.data import _Builder
from portfolio.benchmarks.measure import format_table, measure
from portfolio.pagination import encode_cursor

ROUNDS = 3
PAST_AS_OF_DAYS = 90  # the historical comparison: numbers as they stood then
CHUNK_POSTS = 50_000  # posts per COPY chunk (and their snapshots): a few hundred MB of CSV at most
LOADED_TABLES = (Post, PostMetrics)


@dataclass(frozen=True)
class Report:
    database: str
    counts: dict[str, int]
    seed: int
    build_seconds: float
    lines: list[str]
    plans: Path


def run_benchmark(*, posts: int, snapshots_per_post: int, accounts: int, plans: str, seed: int, log=print) -> Report:
    if connection.vendor != "postgresql":
        raise BenchmarkError("benchmark_scale runs on PostgreSQL only (COPY, EXPLAIN (ANALYZE, BUFFERS)).")
    if accounts < 10 or posts < accounts:
        raise BenchmarkError("At least 10 accounts (10 institutions), and a post per account.")
    started = timezone.now()
    today = timezone.localdate()
    builder = _Builder(today=today, rng=random.Random(seed), snapshots_per_post=snapshots_per_post)
    builder.create_people(institutions=10, departments_per_institution=1)
    builder.create_accounts(count=accounts, one_platform_first=True)  # the compared institution's: 1,000 alike
    log(f"Loading {posts:,} posts and {posts * snapshots_per_post:,} snapshots with COPY...")
    counts = load(builder, posts=posts, snapshots_per_post=snapshots_per_post, today=today, seed=seed, log=log)
    build_seconds = (timezone.now() - started).total_seconds()
    log(f"Built in {build_seconds:.0f} s. Measuring...")
    dataset = builder.dataset()
    path = Path(plans).resolve()
    lines = measure_reads(dataset, today=today, plans=path)
    return Report(describe_database(), counts, seed, build_seconds, lines, path)


def load(builder, *, posts: int, snapshots_per_post: int, today, seed: int, log) -> dict[str, int]:
    rng = random.Random(seed)
    account_ids = [account.pk for account in builder.accounts]
    set_aside = _set_aside_indexes()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {PostMetrics._meta.db_table} DISABLE TRIGGER USER")
    now = timezone.now().isoformat()
    per_account = -(-posts // len(account_ids))
    next_id = 1
    for start in range(0, posts, CHUNK_POSTS):
        count = min(CHUNK_POSTS, posts - start)
        post_csv, snapshot_csv = io.StringIO(), io.StringIO()
        for n in range(start, start + count):
            account = account_ids[n // per_account]
            age = rng.randint(snapshots_per_post, 364)
            published = datetime.combine(today - timedelta(days=age), time(rng.randint(7, 20)), tzinfo=UTC)
            post_csv.write(
                f'{next_id},{account},p{n},"",{published.isoformat()},image,"","",education,"",{now},{now}\n'
            )
            impressions = rng.randint(200, 20_000)
            for day in range(snapshots_per_post):
                captured = published.date() + timedelta(days=age * (day + 1) // snapshots_per_post)
                share = (day + 1) / snapshots_per_post
                seen = int(impressions * share)
                likes = int(seen * 0.03)
                snapshot_csv.write(
                    f"{next_id},{captured},import,{now},{seen},{int(seen * 0.8)},,{likes},,{likes // 10},"
                    f"{likes // 20},{likes // 8},{likes // 30},{likes // 50},{likes // 40},\n"
                )
            next_id += 1
        _copy(
            Post,
            (
                "id",
                "account_id",
                "external_id",
                "url",
                "published_at",
                "content_type",
                "caption",
                "hashtags",
                "category",
                "highlight_note",
                "created_at",
                "updated_at",
            ),
            post_csv,
        )
        _copy(PostMetrics, ("post_id", "captured_on", "source", "created_at", *METRIC_FIELDS), snapshot_csv)
        log(f"  {start + count:,} posts loaded")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Post._meta.db_table}', 'id'), {next_id})")
    log("Building the indexes and constraints...")
    _restore_indexes(set_aside)
    latest.rebuild()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {PostMetrics._meta.db_table} ENABLE TRIGGER USER")
        cursor.execute("VACUUM ANALYZE")
    return {
        "institutions": 10,
        "accounts": len(account_ids),
        "posts": posts,
        "post snapshots": posts * snapshots_per_post,
    }


def _copy(model, columns: tuple[str, ...], rows: io.StringIO) -> None:
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(rows.getvalue())


def _set_aside_indexes() -> list[str]:
    """Drop the loaded tables' secondary indexes and constraints; the statements that make them again."""
    tables = [model._meta.db_table for model in LOADED_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype <> 'p'",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
            "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conindid <> 0)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints
    ]


def _restore_indexes(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)


def measure_reads(dataset, *, today, plans: Path) -> list[str]:
    institution = dataset.institution
    window = f"start={today - timedelta(days=364)}&end={today}"
    posts_list = "/api/v1/posts/?page_size=50"
    reads = {}
    lines = []
    with served_in_process(ROOT_URLCONF="portfolio.benchmarks.urls"):
        clients = {}
        for role, user in (("superuser", dataset.superuser), ("institution admin", dataset.admin)):
            client = clients[role] = Client(HTTP_ACCEPT="application/json")
            client.force_login(user)
            visible = Post.objects.visible_to(user).order_by("-published_at", "-id")
            total = visible.count()
            middle = visible.values("published_at", "pk")[total // 2]
            deep = f"{posts_list}&cursor={encode_cursor('next', [middle['published_at'], middle['pk']])}"
            reads[f"posts list, first page ({role}, {total:,} posts)"] = (client, posts_list)
            reads[f"posts list, page at post {total // 2:,} ({role})"] = (client, deep)
        root = clients["superuser"]
        reads["one account's engagement, 1 year"] = (
            root,
            f"/api/v1/accounts/{dataset.sample_account.pk}/engagement/?{window}",
        )
        reads[f"comparison of {institution.name}'s accounts"] = (
            root,
            f"/api/v1/compare/?institution={institution.pk}&{window}&as_of={today}&page_size=50",
        )
        # A past as-of day probes the snapshot table for each post (its covering index, on PostgreSQL).
        past = today - timedelta(days=PAST_AS_OF_DAYS)
        reads[f"comparison of {institution.name}'s accounts as of {PAST_AS_OF_DAYS} days ago"] = (
            root,
            f"/api/v1/compare/?institution={institution.pk}&start={past - timedelta(days=364)}&end={past}"
            f"&as_of={past}&page_size=50",
        )
        answer = get(root, reads[f"comparison of {institution.name}'s accounts"][1]).json()
        # A comparison ranks one platform at a time (the most common among the accounts, unless one is asked for).
        lines.append(f"The comparison covers {answer['count']:,} accounts, those on {answer['platform']['name']}.")
        with plans.open("w") as out:
            for name, (client, path) in reads.items():
                _write_plans(out, name, client, path)
        runs = measure(
            {name: functools.partial(get, client, path) for name, (client, path) in reads.items()}, rounds=ROUNDS
        )
    lines += format_table(runs)
    return lines


def _write_plans(out, name: str, client: Client, path: str) -> None:
    """Every statement of one request to `path` on the metrics tables, with its EXPLAIN (ANALYZE, BUFFERS)."""
    with CaptureQueriesContext(connection) as captured:
        get(client, path)
    out.write(f"=== {name}: GET {path}\n\n")
    for query in captured:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "metrics_" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        out.write(f"{sql}\n\n{plan}\n\n")


def format_report(report: Report) -> list[str]:
    lines = report_header(
        database=report.database, counts=report.counts, seed=report.seed, generation_seconds=report.build_seconds
    )
    lines += ["", *report.lines, "", f"Plans (EXPLAIN (ANALYZE, BUFFERS) of every statement): {report.plans}"]
    return lines
