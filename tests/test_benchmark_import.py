"""
`manage.py benchmark_import` on a tiny file: it builds its accounts and file in a throwaway database of its
own, imports the file with the floor and the workflow interleaved in one process and with django-import-export,
prints every figure and the verdicts, and deletes that database.
No timing is asserted: how fast this machine is is not the test's business.
"""

import re
from dataclasses import asdict
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from metrics.models import ImportBatch
from metrics.models import Post
from portfolio.benchmarks.imports import Interleaved
from portfolio.benchmarks.imports import Measurement
from portfolio.benchmarks.imports import Report
from portfolio.benchmarks.imports import Sample
from portfolio.benchmarks.imports import format_report
from portfolio.benchmarks.measure import Run

pytestmark = pytest.mark.benchmark

IEX_ROW = re.compile(
    r"^  (?P<method>django-import-export, .+?)\s+(?P<rows>[\d,]+)\s+(?P<seconds>\d+\.\d)\s+(?P<rate>[\d,]+)"
    r"\s+(?P<rss>[\d,]+\.\d)\s+(?P<python>[\d,]+\.\d)\s+(?P<x_workflow>\d+\.\d\d)$",
    re.M,
)
TIMED = re.compile(r"^  (?P<name>floor|import_file)\s+" + r"\s+".join([r"(\d+\.\d{3})"] * 4) + r"\s+-\s+", re.M)


@pytest.fixture(scope="session")
def report(run_benchmark):
    return run_benchmark("benchmark_import", "--rows", "2000", "--accounts", "5", "--iex-rows", "500", "--rounds", "2")


def test_it_reports_the_file_and_where_it_was_imported(report):
    assert "Database: SQLite" in report
    assert "File: template CSV of 2,000 snapshot rows (5 accounts x 40 posts x 10 capture dates, 200 posts)" in report


def test_it_measures_the_floor_and_the_workflow_interleaved_in_one_process(report):
    assert [match["name"] for match in TIMED.finditer(report)] == ["floor", "import_file"]
    assert "Seconds; 2 interleaved rounds in one process." in report
    assert "The database runs inside this process (SQLite)" in report
    assert re.search(r"^  Ratio import_file / floor: \d+\.\d\dx by CPU seconds, \d+\.\d\dx by wall time$", report, re.M)
    assert "Written by each: 200 posts and 2,000 snapshots." in report


def test_it_measures_django_import_export_on_the_first_rows(report):
    rows = {match["method"]: match["rows"] for match in IEX_ROW.finditer(report)}
    assert rows == {
        "django-import-export, defaults": "500",
        "django-import-export, use_bulk + skip_diff": "500",
    }


def test_it_says_which_figures_are_extrapolated(report):
    assert len(re.findall(r"^  \* The first 500 rows of the file only, .+ for the whole file\.$", report, re.M)) == 2


def test_it_gives_both_verdicts(report):
    assert re.search(
        r"^Target: import_file within 1.3x the floor's CPU seconds: \d+\.\d\dx \(wall \d+\.\d\dx\), (PASS|MISS)$",
        report,
        re.M,
    )
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


def test_the_verdict_reads_the_ratio_from_cpu_seconds_and_the_backend_column_on_postgresql():
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

    def run(name: str, wall: float, cpu: float, database_cpu: float, round: int) -> dict:
        return asdict(Run(name, round, wall, cpu, database_cpu, load_before=1.0, load_after=1.5))

    runs = [
        run("floor", 4.0, 1.0, 1.0, 1),
        run("import_file", 5.0, 1.5, 1.0, 1),
        run("import_file", 9.0, 1.5, 1.0, 2),  # a slow moment: wall time, not CPU time
        run("floor", 4.0, 1.0, 1.0, 2),
    ]
    interleaved = Interleaved(rows=1000, runs=runs, rss_mb=1.0, python_peak_mb=1.0, posts=100, snapshots=1000)

    def measured(key: str, seconds: float) -> Measurement:
        return Measurement(key, 100, seconds, rss_mb=1.0, python_peak_mb=1.0, posts=100, snapshots=100)

    report = Report(
        sample=sample,
        interleaved=interleaved,
        measurements={"iex": measured("iex", 10.0), "iex-bulk": measured("iex-bulk", 6.0)},
        load_average=(1.0, 1.5),
        in_process=False,
    )
    text = "\n".join(format_report(report))

    assert "CPU = this process + the database backend's process (DB CPU, from /proc)." in text
    assert "  Ratio import_file / floor: 1.25x by CPU seconds, 1.75x by wall time" in text
    assert "Target: import_file within 1.3x the floor's CPU seconds: 1.25x (wall 1.75x), PASS" in text
    # 7 s a 1,000 rows for import_file (the median wall time); 0.1 s a row for django-import-export.
    assert {match["method"]: match["x_workflow"] for match in IEX_ROW.finditer(text)} == {
        "django-import-export, defaults": "14.29",
        "django-import-export, use_bulk + skip_diff": "8.57",
    }
