"""
The dossier benchmark behind `python manage.py benchmark_dossier`.

What it answers: for one faculty member with 5,000 posts and 150,000 snapshots (two accounts, weekly
follower counts for a year, an audience snapshot, ten highlighted posts, three activities, the default
scoring weights), how long the live dossier page takes (median of its server time) and how many queries it
runs, and how long its PDF takes. The targets: the page under 300 ms median, the same number of queries for
a colleague with 500 posts (the count does not grow with posts), and the PDF under 5 s.

How: the throwaway database and child process of `portfolio.benchmarks.api` (the developer's data is never
touched); peers from `build_dataset`, so that percentiles have someone to rank against; requests through
Django's test client in process (full middleware, session, templates; DEBUG off), signed in as the faculty
member. The PDF is timed as its download (`/dossiers/<id>/download/pdf/`): the page's computation, the
document and WeasyPrint's layout.
"""

import math
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Appointment, Department, Faculty, Platform, SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics, Provenance
from metrics.vocabulary import CareerCategory
from portfolio.benchmarks.api import (
    BenchmarkError,
    analyse_after_bulk_load,
    describe_database,
    load_average,
    p95,
    report_header,
    served_in_process,
    time_requests,
)
from portfolio.benchmarks.data import DEFAULT_SEED, SHARE_OF_IMPRESSIONS, build_dataset, insert_rows
from portfolio.dossiers.models import Activity, Dossier, Highlight, ScoringProfile

TARGET_PAGE_MS = 300.0
TARGET_PDF_SECONDS = 5.0
PLATFORMS = ("instagram", "twitter")
HIGHLIGHTS = 10
PERIOD_DAYS = 365
FOLLOWER_WEEKS = 53


@dataclass(frozen=True)
class PageTiming:
    posts: int
    snapshots: int
    samples: int
    median_ms: float
    p95_ms: float
    queries: int


@dataclass(frozen=True)
class Report:
    database: str
    peer_counts: dict[str, int]
    seed: int
    generation_seconds: float
    pages: list[PageTiming]  # the large dossier first
    pdf_seconds: list[float]
    pdf_bytes: int
    freeze_seconds: float
    load_average: float | None

    @property
    def page_meets_target(self) -> bool:
        return self.pages[0].median_ms < TARGET_PAGE_MS

    @property
    def queries_constant(self) -> bool:
        return len({page.queries for page in self.pages}) == 1

    @property
    def pdf_median(self) -> float:
        return statistics.median(self.pdf_seconds)


def run_benchmark(
    *,
    posts: int,
    small_posts: int,
    snapshots_per_post: int,
    peer_posts: int,
    requests: int,
    pdf_requests: int,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> Report:
    """Build the data in the current (empty) database, then time the dossier page and its PDF."""
    if requests < 2 or pdf_requests < 1:
        raise BenchmarkError("Time at least 2 page requests (a median and a 95th percentile) and 1 PDF.")
    if not 1 <= snapshots_per_post <= 300:
        raise BenchmarkError("snapshots_per_post must be between 1 and 300 (one a day, on posts up to a year old).")
    today = timezone.localdate()
    rng = random.Random(seed)
    log(f"Building: {peer_posts:,} peer posts, then {posts:,} and {small_posts:,} posts of two faculty members...")
    started = time.perf_counter()
    peers = build_dataset(posts=peer_posts, snapshots_per_post=3, today=today, seed=seed)
    department = Department.objects.filter(institution=peers.institution).order_by("pk").first()
    built = [
        _faculty_with_dossier(
            name, posts=count, snapshots_per_post=snapshots_per_post, department=department, today=today, rng=rng
        )
        for name, count in (("large", posts), ("small", small_posts))
    ]
    analyse_after_bulk_load()
    generation_seconds = time.perf_counter() - started
    log(f"Built in {generation_seconds:.1f} s. Timing the dossier pages and the PDF...")
    load = load_average()
    pages, pdf_seconds, pdf_size = [], [], 0
    with served_in_process():
        for user, dossier, snapshots in built:
            client = Client()
            client.force_login(user)
            samples, queries = time_requests(client, f"/dossiers/{dossier.pk}/", requests=requests)
            count = Post.objects.filter(account__faculty=dossier.faculty).count()
            pages.append(PageTiming(count, snapshots, len(samples), statistics.median(samples), p95(samples), queries))
        user, dossier, _ = built[0]
        client = Client()
        client.force_login(user)
        for _ in range(pdf_requests + 1):  # the first one warms up WeasyPrint's fonts
            started = time.perf_counter()
            response = client.get(f"/dossiers/{dossier.pk}/download/pdf/")
            pdf_seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise BenchmarkError(f"The PDF answered {response.status_code}.")
            pdf_size = len(response.content)
        # Freezing is one click for the faculty member: its figures, document, PDF (signed) and pinned values.
        started = time.perf_counter()
        response = client.post(f"/dossiers/{dossier.pk}/freeze/")
        freeze_seconds = time.perf_counter() - started
        if response.status_code != 302:
            raise BenchmarkError(f"Freezing answered {response.status_code}.")
    return Report(
        database=describe_database(),
        peer_counts=peers.counts,
        seed=seed,
        generation_seconds=generation_seconds,
        pages=pages,
        pdf_seconds=pdf_seconds[1:],
        pdf_bytes=pdf_size,
        freeze_seconds=freeze_seconds,
        load_average=load,
    )


def _faculty_with_dossier(
    name: str, *, posts: int, snapshots_per_post: int, department: Department, today: date, rng: random.Random
):
    """A faculty member with a login, `posts` posts over two accounts, and a dossier of the last year."""
    user = get_user_model().objects.create(username=f"bench-faculty-{name}")
    faculty = Faculty.objects.create(name=f"Benchmark Faculty ({name})", email=f"{name}@bench.test", user=user)
    Appointment.objects.create(faculty=faculty, department=department, primary=True)
    accounts = [
        SocialAccount.objects.create(
            platform=Platform.objects.get(key=key), handle=f"{name}_{key}", faculty=faculty, kind="personal"
        )
        for key in PLATFORMS
    ]
    snapshots = 0
    for index, account in enumerate(accounts):
        share = math.ceil(posts / len(accounts)) if index == 0 else posts - math.ceil(posts / len(accounts))
        snapshots += _posts_with_snapshots(account, count=share, per_post=snapshots_per_post, today=today, rng=rng)
        _followers_and_audience(account, today=today, rng=rng)
    dossier = Dossier.objects.create(
        faculty=faculty,
        title="Promotion to Associate Professor",
        period_start=today - timedelta(days=PERIOD_DAYS - 1),
        period_end=today,
        as_of=today,
        narrative="I teach imaging to residents on four continents. " * 20,
        scoring_profile=ScoringProfile.objects.for_institution(None),
        created_by=user,
    )
    dossier.accounts.set(accounts)
    highlighted = Post.objects.filter(account__in=accounts).order_by("-published_at")[:HIGHLIGHTS]
    Highlight.objects.bulk_create(
        Highlight(dossier=dossier, post=post, position=n) for n, post in enumerate(highlighted, start=1)
    )
    dossier.activities.set(
        Activity.objects.create(faculty=faculty, kind=kind, title=f"Benchmark {kind}", started_on=today)
        for kind in ("peer_review", "moderation", "media")
    )
    return user, dossier, snapshots


def _posts_with_snapshots(account, *, count: int, per_post: int, today: date, rng: random.Random) -> int:
    reported = set(account.platform.reported_metrics)
    zone = timezone.get_current_timezone()
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = connection.ops.adapt_datefield_value
    plans = []
    for n in range(count):
        day = today - timedelta(days=rng.randint(per_post - 1, PERIOD_DAYS - 1))
        post = Post(
            account=account,
            external_id=f"{account.handle}-{n}",
            url=f"https://social.example/{account.handle}/{n}",
            published_at=datetime.combine(day, clock(rng.randint(7, 20)), tzinfo=zone),
            content_type="image",
            caption="Case of the week: what is your diagnosis? #MSKMonday",
            category=rng.choice(CareerCategory.values),
        )
        impressions = rng.uniform(500, 12000)
        final = {"impressions": impressions} if "impressions" in reported else {}
        final.update({field: impressions * share for field, share in SHARE_OF_IMPRESSIONS.items() if field in reported})
        plans.append((post, day, final))
    with transaction.atomic():
        Post.objects.bulk_create([post for post, _, _ in plans], batch_size=500)
        rows = (
            (post.pk, adapt_date(captured_on), Provenance.IMPORT, created_at, *counts)
            for post, day, final in plans
            for captured_on, counts in _growing_counts(day, final, per_post=per_post, today=today, rng=rng)
        )
        return insert_rows(PostMetrics, ["post", "captured_on", "source", "created_at", *METRIC_FIELDS], rows)


def _growing_counts(published: date, final: dict[str, float], *, per_post: int, today: date, rng: random.Random):
    """`per_post` snapshots on distinct days from publication to today; counts grow fast, then level off."""
    offsets = sorted(rng.sample(range((today - published).days + 1), per_post))
    for i, offset in enumerate(offsets):
        fraction = math.sqrt((i + 1) / per_post)
        counts = [round(final[field] * fraction) if field in final else None for field in METRIC_FIELDS]
        yield published + timedelta(days=offset), counts


def _followers_and_audience(account, *, today: date, rng: random.Random) -> None:
    start, now = rng.randint(2000, 6000), rng.randint(6000, 12000)
    AccountMetrics.objects.bulk_create(
        AccountMetrics(
            account=account,
            captured_on=today - timedelta(weeks=FOLLOWER_WEEKS - 1 - week),
            followers=round(start + (now - start) * week / (FOLLOWER_WEEKS - 1)),
            source=Provenance.IMPORT,
        )
        for week in range(FOLLOWER_WEEKS)
    )
    buckets = {"country": {"US": 30, "IN": 15, "BR": 13, "SA": 12, "GB": 10}, "age": {"18-24": 13, "25-34": 57}}
    AudienceSnapshot.objects.bulk_create(
        AudienceSnapshot(account=account, captured_on=today, dimension=dimension, bucket=bucket, count=count * 10)
        for dimension, counts in buckets.items()
        for bucket, count in counts.items()
    )


def format_report(report: Report) -> list[str]:
    lines = report_header(
        database=report.database,
        counts=report.peer_counts,
        seed=report.seed,
        generation_seconds=report.generation_seconds,
        data="Peers",
    )
    lines += [
        "Dossier page (/dossiers/<id>/), signed in as the faculty member, in process (DEBUG off):",
        f"  {'posts':>6} {'snapshots':>10} {'n':>4} {'median ms':>9} {'p95 ms':>8} {'queries':>7}",
    ]
    for page in report.pages:
        lines.append(
            f"  {page.posts:>6,} {page.snapshots:>10,} {page.samples:>4} {page.median_ms:>9.1f} {page.p95_ms:>8.1f} "
            f"{page.queries:>7}"
        )
    pdf = ", ".join(f"{seconds:.2f}" for seconds in report.pdf_seconds)
    lines += [
        f"PDF of the {report.pages[0].posts:,}-post dossier: median {report.pdf_median:.2f} s ({pdf} s; "
        f"{report.pdf_bytes / 1024:,.0f} KiB)",
        f"Freezing the {report.pages[0].posts:,}-post dossier (one click): {report.freeze_seconds:.2f} s",
        "",
        f"Target (page median under {TARGET_PAGE_MS:g} ms): {'PASS' if report.page_meets_target else 'MISS'}",
        f"Target (same query count at {report.pages[-1].posts:,} and {report.pages[0].posts:,} posts): "
        f"{'PASS' if report.queries_constant else 'MISS'}",
        f"Target (PDF under {TARGET_PDF_SECONDS:g} s): {'PASS' if report.pdf_median < TARGET_PDF_SECONDS else 'MISS'}",
    ]
    if report.load_average is not None:
        lines.append(f"Machine: {os.cpu_count()} CPUs, load average {report.load_average:.1f} before the timing")
    return lines
