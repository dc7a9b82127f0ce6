"""
The comparison benchmark behind `python manage.py benchmark_compare`.

What it answers: with 1,000 accounts and 1,000,000 post snapshots (100 posts per account over the last year,
10 snapshots each, a weekly follower count), how long one comparison of every account takes, and how much
memory it needs. The target: a median under 1 s for the comparison API as a superuser (every account in the
set, every figure and percentile computed, a page of 50 rows answered).

Timed, in process through Django's test client (full middleware, session authentication, DEBUG off), in the
throwaway database of `portfolio.benchmarks.api` (never the developer's data):
- `/api/v1/compare/` over all institutions as the superuser (1,000 accounts) and as the first institution's
  admin (a third of them);
- the comparison page `/compare/` as the superuser (the same computation, plus the HTML and the charts);
- `/api/v1/compare/rollups/` per institution, as the superuser.
Memory: the peak of Python allocations during one comparison (tracemalloc), and the process's peak resident
memory, data generation included.

The floor, in the same process, interleaved with the superuser's comparison request for `--requests` rounds
(`portfolio.benchmarks.measure`: wall and CPU seconds, the PostgreSQL backend's CPU, the load): the comparison
rows' one query run bare, its SQL executed and its rows fetched, with no Python shaping; and, between the two,
the comparison's rows and summaries alone (`PostTable`). The ratios say what the request adds to its query.

Baseline, measured in the same run: the comparison's read of every post with its metrics and the per-account
summaries (`PostTable`), against the same figures from the queryset annotations that pages use for single posts
(`with_engagement().values()`, a dict per post, then `engagement.summarize_by`), with a check that both give the
same summaries.
"""

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Institution
from accounts.vocabulary import METRIC_FIELDS
from metrics import engagement
from metrics.models import Post
from metrics.post_table import KEY_FIELDS, PostTable, fetch_sql
from portfolio.benchmarks.api import (
    BenchmarkError,
    build_and_analyse,
    describe_database,
    get,
    load_average,
    peak_memory_mb,
    report_header,
    served_in_process,
    time_requests,
)
from portfolio.benchmarks.data import DEFAULT_SEED
from portfolio.benchmarks.measure import Measurements, format_table, measure
from portfolio.comparisons.rows import POST_FIELDS

TARGET_MEDIAN_S = 1.0
BARE_QUERY, ROWS, REQUEST = "bare query", "PostTable rows + summaries", "API compare, superuser"
WARMUP_REQUESTS = 1


@dataclass(frozen=True)
class Timing:
    label: str
    samples: int
    median_s: float
    max_s: float
    queries: int
    is_target: bool

    @property
    def meets_target(self) -> bool:
        return self.median_s < TARGET_MEDIAN_S


@dataclass(frozen=True)
class Baseline:
    posts: int
    ours_s: float
    orm_rows_s: float
    same_figures: bool

    @property
    def ratio(self) -> float:
        return self.orm_rows_s / self.ours_s


@dataclass(frozen=True)
class Report:
    database: str
    counts: dict[str, int]
    seed: int
    generation_seconds: float
    timings: list[Timing]
    baseline: Baseline
    interleaved: Measurements  # the bare query, the rows and the request, in one process
    traced_peak_mb: float
    peak_memory_mb: float | None
    load_average: tuple[float, float] | None

    @property
    def misses(self) -> list[Timing]:
        return [timing for timing in self.timings if timing.is_target and not timing.meets_target]


def run_benchmark(
    *,
    accounts: int,
    posts_per_account: int,
    snapshots_per_post: int,
    requests: int,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> Report:
    if requests < 1:
        raise BenchmarkError("Time at least one request per endpoint.")
    posts = accounts * posts_per_account
    log(f"Building the data set: {accounts:,} accounts, {posts:,} posts, {snapshots_per_post} snapshots each...")
    dataset, generation_seconds = build_and_analyse(
        posts=posts, snapshots_per_post=snapshots_per_post, posts_per_account=posts_per_account, seed=seed
    )
    log(f"Built in {generation_seconds:.1f} s. Timing the comparison...")

    everywhere = urlencode({"institution": list(Institution.objects.values_list("pk", flat=True))}, doseq=True)
    first = f"institution={dataset.institution.pk}"
    endpoints = [
        (
            dataset.superuser,
            f"API compare, superuser, all {accounts:,} accounts",
            f"/api/v1/compare/?{everywhere}",
            True,
        ),
        (dataset.admin, "API compare, institution admin, own institution", f"/api/v1/compare/?{first}", False),
        (dataset.superuser, "page /compare/, superuser, all accounts", f"/compare/?{everywhere}", False),
        (
            dataset.superuser,
            "API roll-ups, superuser, per institution",
            f"/api/v1/compare/rollups/?{everywhere}",
            False,
        ),
    ]
    load_before = load_average()
    timings = []
    with served_in_process():
        for user, label, path, is_target in endpoints:
            client = Client(HTTP_ACCEPT="application/json")
            client.force_login(user)
            timings.append(_time(client, label, path, requests=requests, is_target=is_target))
        traced_peak_mb = _traced_peak(dataset.superuser, f"/api/v1/compare/?{everywhere}")
        interleaved = _interleaved(dataset.superuser, f"/api/v1/compare/?{everywhere}", rounds=requests)
    baseline = _baseline(requests=requests)
    load_after = load_average()
    return Report(
        database=describe_database(),
        counts=dataset.counts,
        seed=seed,
        generation_seconds=generation_seconds,
        timings=timings,
        baseline=baseline,
        interleaved=interleaved,
        traced_peak_mb=traced_peak_mb,
        peak_memory_mb=peak_memory_mb(),
        load_average=(load_before, load_after) if load_before is not None else None,
    )


def _time(client: Client, label: str, path: str, *, requests: int, is_target: bool) -> Timing:
    milliseconds, queries = time_requests(client, path, requests=requests, warmup=WARMUP_REQUESTS)
    samples = [ms / 1000 for ms in milliseconds]
    return Timing(label, len(samples), statistics.median(samples), max(samples), queries, is_target)


def _baseline(*, requests: int) -> Baseline:
    """Every post's metrics read and summarised per account: the comparison's way, then through the ORM's rows."""
    as_of = timezone.localdate()
    posts = Post.objects.all()

    def ours():
        return PostTable.read(posts, as_of, POST_FIELDS).summaries_by("account_id")

    def orm_rows():
        rows = posts.with_engagement(as_of).values(
            "account_id", *POST_FIELDS, *METRIC_FIELDS, "followers", "snapshot_id"
        )
        return engagement.summarize_by(rows, key="account_id", as_of=as_of)

    medians, results = [], []
    for compute in (ours, orm_rows):
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            result = compute()
            samples.append(time.perf_counter() - started)
        medians.append(statistics.median(samples))
        results.append(result)
    return Baseline(posts.count(), medians[0], medians[1], same_figures=results[0] == results[1])


def _interleaved(user, path: str, *, rounds: int) -> Measurements:
    """The comparison request, its rows and summaries alone, and its query run bare: interleaved, one process."""
    client = Client(HTTP_ACCEPT="application/json")
    client.force_login(user)
    as_of, posts = timezone.localdate(), Post.objects.all()
    sql, params = fetch_sql(posts, as_of, tuple(dict.fromkeys((*KEY_FIELDS, *POST_FIELDS))))

    def bare_query() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return measure(
        {
            BARE_QUERY: bare_query,
            ROWS: lambda: PostTable.read(posts, as_of, POST_FIELDS).summaries_by("account_id"),
            REQUEST: lambda: get(client, path),
        },
        rounds=rounds,
    )


def _traced_peak(user, path: str) -> float:
    """Peak of Python allocations (MB) while one request computes the comparison."""
    client = Client(HTTP_ACCEPT="application/json")
    client.force_login(user)
    tracemalloc.start()
    try:
        get(client, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def format_report(report: Report) -> list[str]:
    lines = report_header(
        database=report.database, counts=report.counts, seed=report.seed, generation_seconds=report.generation_seconds
    )
    lines += [
        "Timing: in process (Django test client: full middleware, session authentication; DEBUG off), "
        f"after {WARMUP_REQUESTS} warm-up request",
        "",
        f"  {'request':<55} {'n':>3} {'median s':>9} {'max s':>7} {'queries':>7}  target",
    ]
    for t in report.timings:
        verdict = ("PASS" if t.meets_target else "MISS") if t.is_target else ""
        lines.append(
            f"  {t.label:<55} {t.samples:>3} {t.median_s:>9.3f} {t.max_s:>7.3f} {t.queries:>7}  {verdict}".rstrip()
        )
    baseline = report.baseline
    lines += [
        "",
        f"Baseline: reading {baseline.posts:,} posts with their metrics and summarising them per account took "
        f"{baseline.ours_s:.3f} s, against {baseline.orm_rows_s:.3f} s through the ORM's rows (a dict per post) "
        f"in this run: {baseline.ratio:.1f}x faster; the same figures: {'yes' if baseline.same_figures else 'NO'}",
    ]
    rows_ratio = report.interleaved.ratio(ROWS, BARE_QUERY, "cpu")
    lines += [
        "",
        "The request against its own query run bare (SQL executed and fetched, no Python shaping), interleaved:",
        *format_table(
            report.interleaved, floor=BARE_QUERY, workflow=REQUEST, in_process=report.database.startswith("SQLite")
        ),
        f"  Ratio {ROWS} / {BARE_QUERY}: {'-' if rows_ratio is None else f'{rows_ratio:.2f}x'} by CPU seconds",
    ]
    target = f"the superuser's comparison of every account under {TARGET_MEDIAN_S:g} s median"
    lines += ["", f"Target ({target}): {'MISS' if report.misses else 'PASS'}"]
    lines.append(f"Peak Python allocations during one comparison (tracemalloc): {report.traced_peak_mb:,.1f} MB")
    if report.load_average is not None:
        before, after = report.load_average
        lines.append(f"Machine load average {before:.1f} before the timing and {after:.1f} after")
    if report.peak_memory_mb is not None:
        lines.append(f"Peak memory of the benchmark process, data generation included: {report.peak_memory_mb:,.0f} MB")
    return lines
