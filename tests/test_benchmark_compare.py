"""
`manage.py benchmark_compare` on a tiny data set: it builds its data in a throwaway database of its own, times
every request, prints the memory figures, and deletes that database. No timing is asserted.
"""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from metrics.models import Post

pytestmark = pytest.mark.benchmark

ROW = re.compile(
    r"^  (?P<label>.+?)\s+(?P<n>\d+)\s+(?P<median>\d+\.\d{3})\s+(?P<max>\d+\.\d{3})\s+(?P<queries>\d+)", re.M
)


@pytest.fixture(scope="session")
def report(run_benchmark):
    return run_benchmark(
        "benchmark_compare", "--accounts=6", "--posts-per-account=5", "--snapshots-per-post=2", "--requests=2"
    )


def test_it_reports_the_data_set(report):
    assert "Database: SQLite" in report
    assert "6 accounts, 30 posts, 60 post snapshots" in report


def test_it_times_the_comparison_for_both_roles_and_the_page(report):
    rows = [match.groupdict() for match in ROW.finditer(report)]
    assert [row["label"] for row in rows] == [
        "API compare, superuser, all 6 accounts",
        "API compare, institution admin, own institution",
        "page /compare/, superuser, all accounts",
        "API roll-ups, superuser, per institution",
    ]
    assert all(row["n"] == "2" for row in rows)
    assert all(int(row["queries"]) >= 5 for row in rows)  # session, user, roles, choices, accounts, posts


def test_it_measures_a_baseline_in_the_same_run_and_checks_the_figures_agree(report):
    assert re.search(
        r"^Baseline: reading 30 posts with their metrics and summarising them per account took \d+\.\d{3} s, "
        r"against \d+\.\d{3} s through the ORM's rows \(a dict per post\) in this run: [\d.]+x faster; "
        r"the same figures: yes$",
        report,
        re.M,
    )


def test_it_gives_the_verdict_and_the_memory(report):
    assert re.search(
        r"^Target \(the superuser's comparison of every account under 1 s median\): (PASS|MISS)$", report, re.M
    )
    assert re.search(r"^Peak Python allocations during one comparison \(tracemalloc\): [\d,.]+ MB$", report, re.M)
    assert re.search(r"^Peak memory of the benchmark process, data generation included: [\d,]+ MB$", report, re.M)


def test_it_deletes_its_database_afterwards(report):
    path = re.search(r"^Benchmark database: new SQLite file (.+)$", report, re.M).group(1)
    assert not Path(path).parent.exists()


@pytest.mark.django_db
def test_it_leaves_the_database_it_was_started_with_alone(report):
    assert not Post.objects.exists()


def test_the_inner_process_refuses_to_run_outside_its_throwaway_database():
    with pytest.raises(CommandError, match="only for the process"):
        call_command("benchmark_compare", "--inside", "--accounts", "3")


def test_it_measures_the_request_against_its_own_query_run_bare_in_one_process(report):
    timed = re.findall(r"^  (bare query|PostTable rows \+ summaries|API compare, superuser)\s+\d+\.\d{3}", report, re.M)
    assert timed == ["bare query", "PostTable rows + summaries", "API compare, superuser"]
    assert "Seconds; 2 interleaved rounds in one process." in report
    assert re.search(
        r"^  Ratio API compare, superuser / bare query: [\d.]+x by CPU seconds, [\d.]+x by wall time$", report, re.M
    )
