"""
`python manage.py benchmark_api [--database-url postgres://...] [--posts N] [--snapshots-per-post N]
[--requests N] [--keep]`: time the posts list and the engagement summary against a bare DRF endpoint,
on a data set of its own in a throwaway database (see `portfolio.benchmarks.api`).
"""

from portfolio.benchmarks import api
from portfolio.benchmarks.command import ThrowawayBenchmarkCommand


class Command(ThrowawayBenchmarkCommand):
    help = (
        "Benchmark the API's posts list and engagement summary against a bare DRF endpoint, on 100,000 posts "
        "and 1,000,000 snapshots, in a throwaway database (your own data is not touched)."
    )
    size_options = ("posts", "snapshots_per_post", "posts_per_account", "requests")
    run_benchmark = staticmethod(api.run_benchmark)
    format_report = staticmethod(api.format_report)

    def add_size_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=100_000, help="Posts in the data set (default 100,000).")
        parser.add_argument("--snapshots-per-post", type=int, default=10, help="Default 10.")
        parser.add_argument("--posts-per-account", type=int, default=100, help="Default 100.")
        parser.add_argument("--requests", type=int, default=200, help="Timed requests per endpoint (default 200).")
