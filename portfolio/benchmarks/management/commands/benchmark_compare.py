"""
`python manage.py benchmark_compare [--database-url postgres://...] [--accounts N] [--posts-per-account N]
[--snapshots-per-post N] [--requests N] [--keep]`: time one comparison of every account on a data set of its
own, in a throwaway database (see `portfolio.benchmarks.compare`).
"""

from portfolio.benchmarks import compare
from portfolio.benchmarks.command import ThrowawayBenchmarkCommand


class Command(ThrowawayBenchmarkCommand):
    help = (
        "Benchmark the comparison (API and page) over 1,000 accounts and 1,000,000 snapshots, in a throwaway "
        "database (your own data is not touched): median time and peak memory."
    )
    size_options = ("accounts", "posts_per_account", "snapshots_per_post", "requests")
    run_benchmark = staticmethod(compare.run_benchmark)
    format_report = staticmethod(compare.format_report)

    def add_size_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=1000, help="Default 1,000.")
        parser.add_argument("--posts-per-account", type=int, default=100, help="Default 100.")
        parser.add_argument("--snapshots-per-post", type=int, default=10, help="Default 10.")
        parser.add_argument("--requests", type=int, default=3, help="Timed requests per endpoint (default 3).")
