"""
The REST API benchmark behind `python manage.py benchmark_api`.

What it answers: on 100,000 posts and 1,000,000 snapshots (`--posts 1000000` for ten times that), how long the
posts list (a page of 50, the first and one in the middle of the list) and an account's engagement summary
take, as median and 95th percentile, next to a plain DRF list of the same table timed in the same run. The
plain list is what DRF alone costs for a page of 50 posts: a ModelSerializer list view, no filters, no
metrics, paged by DRF's own cursor (so neither pays a COUNT of every post). The target: the posts list within
3x the plain list, at both sizes and for both roles. A bare endpoint (`{"status": "ok"}`) is timed too, for
what the framework costs with no database at all.

The posts list and the plain list are then measured once more by `portfolio.benchmarks.measure`: interleaved
rounds of requests in one process, with the CPU seconds of the process and of the database backend and the
load average, so that the ratio is not the load of one moment; the target is judged on that CPU ratio.

How:
- The developer's own data is never touched. The command creates a throwaway database (a SQLite file in a
  temporary folder, or `<name>_bench` on the PostgreSQL server of `--database-url`) and runs the benchmark in
  a child process whose DATABASE_URL names it; afterwards it deletes the database. A child process rather
  than swapping `settings.DATABASES` in this one: the child's settings, connections and caches are built for
  that database from the start, as a deployed site's are, and nothing can leak into the database this
  process was started with.
- Requests go through Django's test client, in process: the full middleware stack, session
  authentication, URL resolution, DRF and the JSON renderer, with DEBUG off. No server and no network, so
  the figures are the application's own cost.
- Every endpoint is timed as a superuser and as an institution admin, whose visibility filter adds
  subqueries to every query.
- The middle page is reached by its cursor (the position of the post in the middle of the list, read once
  before the timing), as a client following `next` links would reach it.
"""

import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.models import Post
from portfolio.benchmarks.data import DEFAULT_SEED, Dataset, build_dataset
from portfolio.benchmarks.measure import format_table, load_average, measure
from portfolio.pagination import encode_cursor

TARGET_RATIO = 3.0  # the posts list's CPU seconds, interleaved, at most this many times the plain list's
PAGE_SIZE = 50
BARE_PATH = "/benchmark/bare/"
PLAIN_LIST_PATH = "/benchmark/plain-posts/"
WARMUP_REQUESTS = 20
# The interleaved measurement: rounds of runs of this many requests each.
# Five rounds: at 1,000,000 posts one run of the plain list took from 5 to 10 ms a request between runs on a quiet
# machine, and the median of three rounds moved the ratio by a third.
INTERLEAVED_ROUNDS = 5
INTERLEAVED_REQUESTS = 20
# A slow endpoint (seconds a request) stops after this long, once it has MIN_SAMPLES timed requests.
SECONDS_PER_ENDPOINT = 30
MIN_SAMPLES = 10
# Set by the parent process to the URL of the database it created; the child refuses to run without it.
THROWAWAY_DATABASE_ENV = "BENCHMARK_THROWAWAY_DATABASE_URL"


class BenchmarkError(Exception):
    """The benchmark cannot run, or an endpoint did not answer 200."""


class BareView(APIView):
    """The floor: DRF's authentication, permission check and JSON renderer, and no work of its own."""

    def get(self, request):
        return Response({"status": "ok"})


class PlainPostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = ["id", "account", "external_id", "url", "published_at", "content_type", "caption", "category"]


class PlainCursor(CursorPagination):
    ordering = ("-published_at", "-id")
    page_size = PAGE_SIZE


class PlainPostList(generics.ListAPIView):
    """A page of posts as DRF lists them with no metrics and no visibility filter: what the rows alone cost."""

    queryset = Post.objects.all()
    serializer_class = PlainPostSerializer
    pagination_class = PlainCursor


# The parent process: a throwaway database and a child process that benchmarks in it -------------------------------


def run_in_throwaway_database(
    *,
    database_url: str | None,
    arguments: list[str],
    keep: bool,
    write: Callable[[str], None],
    command: str = "benchmark_api",
) -> None:
    """
    Create a throwaway database (SQLite, or next to `database_url` on PostgreSQL), run
    `manage.py <command> --inside <arguments>` against it, relay its output to `write`,
    and delete the database unless `keep`. Raises BenchmarkError if the child fails.
    """
    with _throwaway_database(database_url, keep=keep, write=write) as url:
        env = {**os.environ, "DATABASE_URL": url, THROWAWAY_DATABASE_ENV: url, "PYTHONUNBUFFERED": "1"}
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        child_command = [sys.executable, str(settings.BASE_DIR / "manage.py"), command, "--inside", *arguments]
        with subprocess.Popen(child_command, env=env, stdout=subprocess.PIPE, text=True) as child:
            for line in child.stdout:
                write(line.rstrip("\n"))
        if child.returncode:
            raise BenchmarkError(f"The benchmark process failed (exit status {child.returncode}); see above.")


def in_throwaway_database() -> bool:
    """Whether this process runs against the database that `run_in_throwaway_database` created for it."""
    url = os.environ.get(THROWAWAY_DATABASE_ENV)
    return bool(url) and url == os.environ.get("DATABASE_URL")


@contextmanager
def _throwaway_database(database_url: str | None, *, keep: bool, write: Callable[[str], None]) -> Iterator[str]:
    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="some-portfolio-bench-"))
        path = folder / "bench.sqlite3"
        write(f"Benchmark database: new SQLite file {path}")
        try:
            yield f"sqlite:///{path}"
        finally:
            if keep:
                write(f"Kept the benchmark database: DATABASE_URL=sqlite:///{path}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return

    config = dj_database_url.parse(database_url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise BenchmarkError("--database-url must be a PostgreSQL URL (postgres://...); leave it out for SQLite.")
    name = f"{config['NAME'] or 'some_portfolio'}_bench"
    url = urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    where = f"{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}"
    _drop_postgres_database(config, name, create_again=True)
    write(f"Benchmark database: new PostgreSQL database {name} on {where}")
    try:
        yield url
    finally:
        if keep:
            write(f"Kept the benchmark database {name} on {where}.")
        else:
            _drop_postgres_database(config, name)


def _drop_postgres_database(config: dict, name: str, *, create_again: bool = False) -> None:
    """Drop database `name` on the server of `config` if it exists, and create it empty if `create_again`."""
    import psycopg
    from psycopg import sql

    credentials = {key.lower(): config[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if config.get(key)}
    # From the server's `postgres` database, outside a transaction, as CREATE and DROP DATABASE need.
    with psycopg.connect(dbname="postgres", autocommit=True, **credentials, **config.get("OPTIONS", {})) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create_again:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# The child process: build the data set, time the endpoints, report ------------------------------------------------


@dataclass(frozen=True)
class Timing:
    role: str
    endpoint: str
    samples: int  # timed requests
    median_ms: float
    p95_ms: float
    queries: int  # per request, the session's and the user's included
    ratio: float  # median over the plain list's median, for the same role (sequential: for the record)
    is_posts_list: bool


@dataclass(frozen=True)
class Report:
    database: str
    counts: dict[str, int]
    seed: int
    generation_seconds: float
    requests: int
    visible_posts: dict[str, int]  # role -> posts in its posts list
    timings: list[Timing]
    load_average: tuple[float, float] | None  # one-minute load average before and after the timing
    peak_memory_mb: float | None
    interleaved: list[str]  # the table of `measure.format_table`, per role
    cpu_ratios: dict[str, float]  # role -> the posts list's interleaved CPU ratio (the worse of its two pages)

    @property
    def misses(self) -> list[str]:
        """The roles whose posts list is over the target, judged by CPU seconds measured interleaved."""
        return [role for role, ratio in self.cpu_ratios.items() if ratio > TARGET_RATIO]


def run_benchmark(
    *,
    posts: int,
    snapshots_per_post: int,
    posts_per_account: int,
    requests: int,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> Report:
    """Build the data set in the current (empty) database, then time the endpoints. See the module docstring."""
    if requests < 2:
        raise BenchmarkError("Time at least 2 requests per endpoint, for a median and a 95th percentile.")
    log(f"Building the data set: {posts:,} posts with {snapshots_per_post} snapshots each (seed {seed})...")
    dataset, generation_seconds = build_and_analyse(
        posts=posts, snapshots_per_post=snapshots_per_post, posts_per_account=posts_per_account, seed=seed
    )
    log(f"Built in {generation_seconds:.1f} s. Timing the endpoints...")
    load_before = load_average()
    timings, visible_posts, interleaved, cpu_ratios = time_endpoints(dataset, requests=requests)
    load_after = load_average()
    return Report(
        database=describe_database(),
        counts=dataset.counts,
        seed=seed,
        generation_seconds=generation_seconds,
        requests=requests,
        visible_posts=visible_posts,
        timings=timings,
        load_average=(load_before, load_after) if load_before is not None else None,
        peak_memory_mb=peak_memory_mb(),
        interleaved=interleaved,
        cpu_ratios=cpu_ratios,
    )


def build_and_analyse(
    *, posts: int, snapshots_per_post: int, posts_per_account: int, seed: int
) -> tuple[Dataset, float]:
    """`build_dataset` as of today, then `analyse_after_bulk_load`; with the seconds both took."""
    started = time.perf_counter()
    dataset = build_dataset(
        posts=posts,
        snapshots_per_post=snapshots_per_post,
        posts_per_account=posts_per_account,
        today=timezone.localdate(),
        seed=seed,
    )
    analyse_after_bulk_load()
    return dataset, time.perf_counter() - started


def analyse_after_bulk_load() -> None:
    """What autovacuum does soon after a bulk load; without statistics the planner guesses."""
    # SQLite is left as Django leaves it: never analysed.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


@contextmanager
def served_in_process(**overrides) -> Iterator[None]:
    """Requests through the test client as a deployed site answers them: DEBUG off, plus `overrides`."""
    with (
        override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], **overrides),
        warnings.catch_warnings(),
    ):
        # WhiteNoise looks for STATIC_ROOT, which only `collectstatic` creates; no benchmark serves static files.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        yield


def time_endpoints(
    dataset: Dataset, *, requests: int
) -> tuple[list[Timing], dict[str, int], list[str], dict[str, float]]:
    """
    Time every endpoint as the superuser and as the institution admin of `dataset`, one after the other, then
    the lists interleaved. Returns the timings, the posts each role sees, the interleaved tables and, per role,
    the posts list's interleaved ratio to the plain list by CPU seconds (wall time where CPU was not read).
    """
    today = timezone.localdate()
    window = f"start={today - timedelta(days=364)}&end={today}"
    engagement = f"/api/v1/accounts/{dataset.sample_account.pk}/engagement/?{window}"
    posts_list = f"/api/v1/posts/?page_size={PAGE_SIZE}"
    plain_list = f"{PLAIN_LIST_PATH}?page_size={PAGE_SIZE}"
    timings, visible_posts, interleaved, cpu_ratios = [], {}, [], {}
    with served_in_process(ROOT_URLCONF="portfolio.benchmarks.urls"):
        for role, user in (("superuser", dataset.superuser), ("institution admin", dataset.admin)):
            client = Client(HTTP_ACCEPT="application/json")
            client.force_login(user)
            count = get(client, posts_list).json()["count"]
            visible = Post.objects.visible_to(user).order_by("-published_at", "-id")
            visible_posts[role] = visible.count()  # once, untimed: the list itself counts only up to its cap
            middle = visible.values("published_at", "pk")[visible_posts[role] // 2]
            deep = f"{posts_list}&cursor={middle_cursor(middle)}"
            summarised = get(client, engagement).json()["posts"]
            shown = f"{count:,}" if visible_posts[role] == count else f"more than {count:,}"
            endpoints = [
                ("bare DRF endpoint", BARE_PATH, False),
                ("plain DRF list, page 1 (no metrics, no scoping)", plain_list, False),
                (f"posts list, page 1 (count: {shown})", posts_list, True),
                (f"posts list, middle page (post {visible_posts[role] // 2:,})", deep, True),
                (f"engagement summary, 1 year, {summarised} posts", engagement, False),
            ]
            medians = {}
            for label, path, is_posts_list in endpoints:
                samples, queries = time_requests(client, path, requests=requests)
                medians[path] = median = statistics.median(samples)
                ratio = median / medians.get(plain_list, median)
                timings.append(Timing(role, label, len(samples), median, p95(samples), queries, ratio, is_posts_list))
            interleaved += [f"Interleaved, as {role} ({INTERLEAVED_REQUESTS} requests a run):"]
            runs = measure(
                {
                    "plain list": functools.partial(repeat_requests, client, plain_list),
                    "posts list": functools.partial(repeat_requests, client, posts_list),
                    "posts list, middle": functools.partial(repeat_requests, client, deep),
                },
                rounds=INTERLEAVED_ROUNDS,
            )
            interleaved += format_table(
                runs, floor="plain list", workflow="posts list", in_process=connection.vendor == "sqlite"
            )
            cpu_ratios[role] = max(
                runs.ratio(name, "plain list", "cpu") or runs.ratio(name, "plain list", "wall")
                for name in ("posts list", "posts list, middle")
            )
    return timings, visible_posts, interleaved, cpu_ratios


def middle_cursor(position: dict) -> str:
    """The `cursor` of the page that starts after the post at `position` (its published_at and pk)."""
    return encode_cursor("next", [position["published_at"], position["pk"]])


def repeat_requests(client: Client, path: str) -> None:
    for _ in range(INTERLEAVED_REQUESTS):
        get(client, path)


def get(client: Client, path: str):
    """The response to GET `path`; BenchmarkError unless it answered 200."""
    response = client.get(path)
    if response.status_code != 200:
        raise BenchmarkError(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    return response


def time_requests(
    client: Client, path: str, *, requests: int, warmup: int = WARMUP_REQUESTS
) -> tuple[list[float], int]:
    """
    Milliseconds of each of `requests` timed requests, after up to `warmup` untimed ones, and the queries of one
    request. A slow endpoint stops early: after SECONDS_PER_ENDPOINT, once it has MIN_SAMPLES.
    """
    deadline = time.perf_counter() + SECONDS_PER_ENDPOINT / 4
    for _ in range(min(warmup, requests)):
        get(client, path)
        if time.perf_counter() > deadline:
            break
    # Counted on a request of its own: recording queries costs time. The log is emptied first because
    # it keeps only the last 9,000 queries, a length the data generation (with DEBUG on) reaches.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        get(client, path)
    queries = len(captured)  # now: the next request empties the log
    samples = []
    deadline = time.perf_counter() + SECONDS_PER_ENDPOINT
    while len(samples) < requests and (len(samples) < MIN_SAMPLES or time.perf_counter() < deadline):
        started = time.perf_counter()
        get(client, path)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, queries


def p95(samples: list[float]) -> float:
    """The 95th percentile, within the samples' range (`inclusive`: no extrapolation from a few samples)."""
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def describe_database() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}, file {name}"
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000}, database {name}"
    return f"{connection.vendor}, database {name}"


def peak_memory_mb() -> float | None:
    """This process's peak resident memory so far, where the system tells it."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def report_header(
    *, database: str, counts: dict[str, int], seed: int, generation_seconds: float, data: str = "Data"
) -> list[str]:
    """The first lines of every benchmark's report: where it ran, on what data set, built in how long."""
    described = ", ".join(f"{count:,} {label}" for label, count in counts.items())
    return [
        "",
        f"Database: {database}",
        f"{data}: {described} (seed {seed})",
        f"Generated in {generation_seconds:.1f} s",
    ]


def format_report(report: Report) -> list[str]:
    lines = report_header(
        database=report.database, counts=report.counts, seed=report.seed, generation_seconds=report.generation_seconds
    )
    lines += [
        f"Timing: {report.requests} requests per endpoint (n: fewer if they would take over {SECONDS_PER_ENDPOINT} s) "
        f"after up to {WARMUP_REQUESTS} warm-up requests, in process (Django test client: full middleware, "
        "session authentication, JSON renderer; DEBUG off)",
    ]
    header = f"  {'endpoint':<50} {'n':>4} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'x plain':>7}"
    for role, visible in report.visible_posts.items():
        lines += ["", f"As {role} (sees {visible:,} posts)", header]
        for t in (timing for timing in report.timings if timing.role == role):
            lines.append(
                f"  {t.endpoint:<50} {t.samples:>4} {t.median_ms:>9.2f} {t.p95_ms:>8.2f} {t.queries:>7} {t.ratio:>7.1f}"
            )
    lines += ["", *report.interleaved]
    # Judged by the interleaved CPU ratio: the sequential medians above hold the load of their own moments.
    target = f"posts list within {TARGET_RATIO:g}x the plain DRF list by CPU seconds, interleaved"
    ratios = ", ".join(f"{role} {ratio:.2f}x" for role, ratio in report.cpu_ratios.items())
    verdict = f"MISS ({', '.join(report.misses)})" if report.misses else "PASS"
    lines += ["", f"Target ({target}): {ratios}: {verdict}"]
    if report.load_average is not None:
        before, after = report.load_average
        lines.append(
            f"Machine: {os.cpu_count()} CPUs, load average {before:.1f} before the timing and {after:.1f} after "
            "(other processes slow the figures down)"
        )
    if report.peak_memory_mb is not None:
        lines.append(f"Peak memory of the benchmark process, data generation included: {report.peak_memory_mb:,.0f} MB")
    return lines
