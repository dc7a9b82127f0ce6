"""
`manage.py benchmark_api` on a tiny data set: it builds its data in a throwaway database of its own, prints
every figure for both roles, and deletes that database. No timing is asserted: how fast this machine is
is not the test's business.
"""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from metrics.models import Post
from portfolio.benchmarks.api import p95
from portfolio.benchmarks.api import report_header

pytestmark = pytest.mark.benchmark

ROW = re.compile(
    r"^  (?P<endpoint>.+?)\s+(?P<n>\d+)\s+(?P<median>\d+\.\d\d)\s+(?P<p95>\d+\.\d\d)\s+(?P<queries>\d+)"
    r"\s+(?P<ratio>\d+\.\d)(?:\s+(?P<verdict>PASS|MISS))?$",
    re.M,
)


@pytest.fixture(scope="session")
def report(run_benchmark):
    return run_benchmark("benchmark_api", "--posts", "200", "--snapshots-per-post", "3", "--requests", "5")


def test_it_reports_the_data_set_and_where_it_was_built(report):
    assert "Database: SQLite" in report
    assert "2 accounts, 200 posts, 600 post snapshots, 106 follower snapshots (seed 1)" in report
    assert re.search(r"^Generated in \d+\.\d s$", report, re.M)


def test_it_times_every_endpoint_for_both_roles(report):
    assert "As superuser (sees 200 posts)" in report
    assert "As institution admin (sees 100 posts)" in report
    rows = [match.groupdict() for match in ROW.finditer(report)]
    assert [row["endpoint"] for row in rows] == [
        "bare DRF endpoint",
        "plain DRF list, page 1 (no metrics, no scoping)",
        "posts list, page 1 (count: 200)",
        "posts list, middle page (post 100)",
        "engagement summary, 1 year, 100 posts",
        "bare DRF endpoint",
        "plain DRF list, page 1 (no metrics, no scoping)",
        "posts list, page 1 (count: 100)",
        "posts list, middle page (post 50)",
        "engagement summary, 1 year, 100 posts",
    ]
    assert all(row["n"] == "5" for row in rows)
    assert all(int(row["queries"]) >= 2 for row in rows)  # the session and the user, at least
    assert [row["ratio"] for row in rows if row["endpoint"].startswith("plain DRF list")] == ["1.0", "1.0"]
    assert not any(row["verdict"] for row in rows)  # the target is judged on the interleaved CPU ratio alone


def test_it_gives_the_verdict_and_the_memory(report):
    target = "posts list within 3x the plain DRF list by CPU seconds, interleaved"
    ratios = r"superuser \d+\.\d\dx, institution admin \d+\.\d\dx"
    assert re.search(rf"^Target \({target}\): {ratios}: (PASS|MISS)", report, re.M)
    assert re.search(r"^Peak memory of the benchmark process, data generation included: [\d,]+ MB$", report, re.M)


def test_it_measures_the_lists_interleaved_with_cpu_and_load(report):
    assert "Interleaved, as superuser (20 requests a run):" in report
    assert "Interleaved, as institution admin (20 requests a run):" in report
    assert len(re.findall(r"^  Ratio posts list / plain list: \d+\.\d\dx by CPU seconds", report, re.M)) == 2


def test_it_deletes_its_database_afterwards(report):
    path = re.search(r"^Benchmark database: new SQLite file (.+)$", report, re.M).group(1)
    assert not Path(path).parent.exists()


@pytest.mark.django_db
def test_it_leaves_the_database_it_was_started_with_alone(report):
    assert not Post.objects.exists()


def test_every_benchmark_report_opens_with_the_database_the_data_set_and_its_build_time():
    lines = report_header(
        database="SQLite 3.45.1, file bench.sqlite3",
        counts={"accounts": 2, "posts": 1200},
        seed=7,
        generation_seconds=3.14,
        data="Peers",
    )

    assert lines == [
        "",
        "Database: SQLite 3.45.1, file bench.sqlite3",
        "Peers: 2 accounts, 1,200 posts (seed 7)",
        "Generated in 3.1 s",
    ]


def test_the_95th_percentile_is_interpolated_within_the_samples():
    assert p95([10.0, 20.0]) == pytest.approx(19.5)
    assert p95([float(ms) for ms in range(1, 101)]) == pytest.approx(95.05)


def test_the_inner_process_refuses_to_run_outside_its_throwaway_database():
    with pytest.raises(CommandError, match="only for the process"):
        call_command("benchmark_api", "--inside", "--posts", "10")
