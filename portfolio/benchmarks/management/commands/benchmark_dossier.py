"""
`python manage.py benchmark_dossier [--database-url postgres://...] [--posts N] [--snapshots-per-post N]
[--small-posts N] [--peer-posts N] [--requests N] [--pdf-requests N] [--keep]`: time the live dossier page and
its PDF for a faculty member with many posts, in a throwaway database (see `portfolio.benchmarks.dossier`).
"""

from portfolio.benchmarks import dossier
from portfolio.benchmarks.command import ThrowawayBenchmarkCommand


class Command(ThrowawayBenchmarkCommand):
    help = (
        "Benchmark the dossier page and its PDF for a faculty member with 5,000 posts and 150,000 snapshots, "
        "in a throwaway database (your own data is not touched)."
    )
    size_options = ("posts", "snapshots_per_post", "small_posts", "peer_posts", "requests", "pdf_requests")
    run_benchmark = staticmethod(dossier.run_benchmark)
    format_report = staticmethod(dossier.format_report)

    def add_size_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=5_000, help="The faculty member's posts (default 5,000).")
        parser.add_argument("--snapshots-per-post", type=int, default=30, help="Default 30.")
        parser.add_argument(
            "--small-posts", type=int, default=500, help="A colleague's posts, to compare query counts (default 500)."
        )
        parser.add_argument("--peer-posts", type=int, default=2_000, help="Posts of the peers (default 2,000).")
        parser.add_argument("--requests", type=int, default=20, help="Timed page requests (default 20).")
        parser.add_argument("--pdf-requests", type=int, default=3, help="Timed PDF downloads (default 3).")
