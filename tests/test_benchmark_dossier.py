"""
`manage.py benchmark_dossier` at a tiny size: it builds its data in a throwaway database of its own, prints
the page figures at both sizes, the PDF time and the verdicts, and deletes that database. No timing is
asserted: how fast this machine is is not the test's business; the query counts are.
"""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from metrics.models import Post

pytestmark = pytest.mark.benchmark

ROW = re.compile(
    r"^\s+(?P<posts>[\d,]+)\s+(?P<snapshots>[\d,]+)\s+(?P<n>\d+)\s+[\d.]+\s+[\d.]+\s+(?P<queries>\d+)$", re.M
)


@pytest.fixture(scope="session")
def report(run_benchmark):
    return run_benchmark(
        "benchmark_dossier",
        *("--posts", "30", "--small-posts", "6", "--snapshots-per-post", "3", "--peer-posts", "50"),
        *("--requests", "2", "--pdf-requests", "1"),
    )


def test_it_times_the_dossier_page_at_both_sizes_with_the_same_query_count(report):
    rows = [match.groupdict() for match in ROW.finditer(report)]

    assert [(row["posts"], row["snapshots"], row["n"]) for row in rows] == [("30", "90", "2"), ("6", "18", "2")]
    assert rows[0]["queries"] == rows[1]["queries"]
    assert "Target (same query count at 6 and 30 posts): PASS" in report


def test_it_times_the_pdf_and_gives_every_verdict(report):
    assert re.search(r"^PDF of the 30-post dossier: median \d+\.\d\d s", report, re.M)
    assert re.search(r"^Target \(page median under 300 ms\): (PASS|MISS)$", report, re.M)
    assert re.search(r"^Target \(PDF under 5 s\): (PASS|MISS)$", report, re.M)


def test_it_deletes_its_database_afterwards(report):
    path = re.search(r"^Benchmark database: new SQLite file (.+)$", report, re.M).group(1)
    assert not Path(path).parent.exists()


@pytest.mark.django_db
def test_it_leaves_the_developers_database_alone(report):
    assert not Post.objects.exists()


def test_it_refuses_to_run_inside_a_database_it_did_not_create():
    with pytest.raises(CommandError, match="only for the process that benchmark_dossier starts"):
        call_command("benchmark_dossier", "--inside")
