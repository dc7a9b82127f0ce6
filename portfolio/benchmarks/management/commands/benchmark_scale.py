"""
`python manage.py benchmark_scale --database-url postgres://... [--posts N] [--snapshots-per-post N]
[--accounts N] [--plans FILE] [--keep]`: the reads that grow with the data, at 10,000,000 snapshots by default,
in a throwaway PostgreSQL database (see `portfolio.benchmarks.scale`).
"""

from django.core.management.base import CommandError

from portfolio.benchmarks import scale
from portfolio.benchmarks.command import ThrowawayBenchmarkCommand


class Command(ThrowawayBenchmarkCommand):
    help = (
        "Build 1,000,000 posts and 10,000,000 snapshots with COPY in a throwaway PostgreSQL database and time the "
        "posts list, an account's engagement and a 1,000-account comparison, with their query plans."
    )
    size_options = ("posts", "snapshots_per_post", "accounts", "plans")
    run_benchmark = staticmethod(scale.run_benchmark)
    format_report = staticmethod(scale.format_report)

    def add_size_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1_000_000, help="Posts (default 1,000,000).")
        parser.add_argument("--snapshots-per-post", type=int, default=10, help="Default 10.")
        parser.add_argument("--accounts", type=int, default=10_000, help="Accounts in 10 institutions (10,000).")
        parser.add_argument("--plans", default="benchmark-scale-plans.txt", help="Where to write the query plans.")

    def handle(self, *args, database_url, inside, **options):
        if not inside and not (database_url or "").startswith(("postgres://", "postgresql://")):
            raise CommandError(
                "benchmark_scale runs on PostgreSQL only: give --database-url postgres://user@host:port/name "
                "(it creates and drops <name>_bench there). SQLite has no COPY and no EXPLAIN (ANALYZE, BUFFERS)."
            )
        super().handle(*args, database_url=database_url, inside=inside, **options)
