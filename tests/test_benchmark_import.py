"""
`manage.py benchmark_import` on a tiny file: it builds its accounts and file in a throwaway database of its
own, imports the file with each method, prints every figure and the verdicts, and deletes that database.
No timing is asserted: how fast this machine is is not the test's business.
"""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from metrics.models import ImportBatch
from metrics.models import Post
from portfolio.benchmarks.imports import Measurement
from portfolio.benchmarks.imports import Report
from portfolio.benchmarks.imports import Sample
from portfolio.benchmarks.imports import format_report

pytestmark = pytest.mark.benchmark

ROW = re.compile(
    r"^  (?P<method>\S.+?)\s+(?P<rows>[\d,]+)(?P<sampled>\*?)\s+(?P<seconds>\d+\.\d)\s+(?P<rate>[\d,]+)"
    r"\s+(?P<rss>[\d,]+\.\d)\s+(?P<python>[\d,]+\.\d)\s+(?P<x_raw>\d+\.\d\d)\s+(?P<x_workflow>\d+\.\d\d)$",
    re.M,
)


@pytest.fixture(scope="session")
def report(run_benchmark):
    return run_benchmark("benchmark_import", "--rows", "2000", "--accounts", "5", "--iex-rows", "500")


def test_it_reports_the_file_and_where_it_was_imported(report):
    assert "Database: SQLite" in report
    assert "File: template CSV of 2,000 snapshot rows (5 accounts x 40 posts x 10 capture dates, 200 posts)" in report


def test_it_measures_every_method_on_the_same_rows(report):
    rows = {match["method"]: match.groupdict() for match in ROW.finditer(report)}
    assert list(rows) == [
        "raw driver (csv + executemany)",
        "import_file (the site's workflow)",
        "django-import-export, defaults",
        "django-import-export, use_bulk + skip_diff",
    ]
    assert [(row["rows"], row["sampled"]) for row in rows.values()] == 2 * [("2,000", "")] + 2 * [("500", "*")]
    assert rows["raw driver (csv + executemany)"]["x_raw"] == "1.00"
    assert rows["import_file (the site's workflow)"]["x_workflow"] == "1.00"
    assert "Written by each method that imported the whole file: 200 posts and 2,000 snapshots" in report


def test_it_says_which_figures_are_extrapolated(report):
    assert len(re.findall(r"^  \* The first 500 rows of the file only .+ for the whole file\.$", report, re.M)) == 2


def test_it_gives_both_verdicts(report):
    assert re.search(r"^Target: import_file within 3x the raw driver's time: \d+\.\d\dx, (PASS|MISS)$", report, re.M)
    assert re.search(
        r"^Target: import_file at least 10x faster than django-import-export: .+, (PASS|MISS)$", report, re.M
    )


def test_it_deletes_its_database_afterwards(report):
    path = re.search(r"^Benchmark database: new SQLite file (.+)$", report, re.M).group(1)
    assert not Path(path).parent.exists()


@pytest.mark.django_db
def test_it_leaves_the_database_it_was_started_with_alone(report):
    assert not Post.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_inner_process_refuses_to_run_outside_its_throwaway_database():
    with pytest.raises(CommandError, match="only for the processes"):
        call_command("benchmark_import", "--inside", "--step", "prepare", "--rows", "10")


def test_it_refuses_sizes_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("benchmark_import", "--rows", "0")


def test_the_floor_is_the_faster_raw_method_where_copy_ran_too():
    sample = Sample(
        path="snapshots.csv",
        rows=1000,
        accounts=1,
        posts_per_account=100,
        posts=100,
        size=200_000,
        seconds=1.0,
        database="PostgreSQL 15",
        institution_id=1,
        user_id=1,
        today="2026-11-30",
        upload_limit=50_000_000,
    )

    def measured(key: str, seconds: float, rows: int = 1000) -> Measurement:
        return Measurement(key, rows, seconds, rss_mb=1.0, python_peak_mb=1.0, posts=100, snapshots=rows)

    report = Report(
        sample=sample,
        measurements={
            "raw": measured("raw", 8.0),
            "raw-copy": measured("raw-copy", 2.0),
            "workflow": measured("workflow", 5.0),
            "iex": measured("iex", 10.0, rows=100),
            "iex-bulk": measured("iex-bulk", 6.0, rows=100),
        },
        load_average=(1.0, 1.5),
    )
    text = "\n".join(format_report(report))

    rows = {match["method"]: match["x_raw"] for match in ROW.finditer(text)}
    assert rows["raw driver (csv + COPY)"] == "1.00"
    assert rows["raw driver (csv + executemany)"] == "4.00"
    assert rows["import_file (the site's workflow)"] == "2.50"
    assert "Target: import_file within 3x the raw driver's time: 2.50x, PASS" in text
    assert "over the floor's (the fastest raw driver method here, raw driver (csv + COPY))" in text
