"""
`manage.py benchmark_scale` on a tiny data set, on PostgreSQL only (skipped on SQLite, which it refuses): it
loads its data with COPY in a throwaway database, rebuilds the indexes and the latest-snapshot table, times
every read and writes their plans. No timing is asserted.
"""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.benchmark

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="benchmark_scale runs on PostgreSQL only (set DATABASE_URL)."
)


def test_it_refuses_to_run_without_a_postgresql_database():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("benchmark_scale", "--posts", "10")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("benchmark_scale", "--database-url", "sqlite:///bench.sqlite3", "--posts", "10")


@on_postgresql
def test_a_tiny_run_times_every_read_and_writes_their_plans(run_benchmark, tmp_path):
    plans = tmp_path / "plans.txt"
    report = run_benchmark(
        "benchmark_scale",
        "--database-url",
        # A server database name of its own (it creates `<name>_bench`): not another benchmark's.
        urlsplit(os.environ["DATABASE_URL"])._replace(path="/some_portfolio_scale_test").geturl(),
        "--posts",
        "600",
        "--accounts",
        "20",
        "--snapshots-per-post",
        "3",
        "--plans",
        str(plans),
    )

    assert "Data: 10 institutions, 20 accounts, 600 posts, 1,800 post snapshots (seed 1)" in report
    for read in (
        "posts list, first page (superuser, 600 posts)",
        "posts list, page at post 300 (superuser)",
        "posts list, first page (institution admin, 60 posts)",
        "posts list, page at post 30 (institution admin)",
        "one account's engagement, 1 year",
        "comparison of Benchmark University 1's accounts",
        "comparison of Benchmark University 1's accounts as of 90 days ago",
    ):
        assert re.search(rf"^  {re.escape(read)}\s+\d+\.\d{{3}}", report, re.M), read
    # The compared institution's accounts are all on one platform: the comparison takes every one of them.
    assert re.search(r"^The comparison covers 2 accounts, those on [\w ()]+\.$", report, re.M)
    written = plans.read_text()
    assert written.count("=== ") == 7
    assert "Buffers: shared" in written
