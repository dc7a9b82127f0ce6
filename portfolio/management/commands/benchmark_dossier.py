"""
`python manage.py benchmark_dossier [--database-url postgres://...] [--posts N] [--snapshots-per-post N]
[--small-posts N] [--peer-posts N] [--requests N] [--pdf-requests N] [--keep]`: time the live dossier page and
its PDF for a faculty member with many posts, in a throwaway database (see `portfolio.benchmarks.dossier`).
"""

import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portfolio.benchmarks.api import BenchmarkError, in_throwaway_database, run_in_throwaway_database
from portfolio.benchmarks.data import DEFAULT_SEED
from portfolio.benchmarks.dossier import format_report, run_benchmark


class Command(BaseCommand):
    help = (
        "Benchmark the dossier page and its PDF for a faculty member with 5,000 posts and 150,000 snapshots, "
        "in a throwaway database (your own data is not touched)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            help="A PostgreSQL URL: the benchmark creates and drops <name>_bench on that server. "
            "Default: a SQLite file in a temporary folder.",
        )
        parser.add_argument("--posts", type=int, default=5_000, help="The faculty member's posts (default 5,000).")
        parser.add_argument("--snapshots-per-post", type=int, default=30, help="Default 30.")
        parser.add_argument(
            "--small-posts", type=int, default=500, help="A colleague's posts, to compare query counts (default 500)."
        )
        parser.add_argument("--peer-posts", type=int, default=2_000, help="Posts of the peers (default 2,000).")
        parser.add_argument("--requests", type=int, default=20, help="Timed page requests (default 20).")
        parser.add_argument("--pdf-requests", type=int, default=3, help="Timed PDF downloads (default 3).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
        # Set by the command itself for the process it starts in the throwaway database.
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, database_url, keep, inside, **options):
        sizes = {
            name: options[name]
            for name in ("posts", "snapshots_per_post", "small_posts", "peer_posts", "requests", "pdf_requests", "seed")
        }
        try:
            if not inside:
                arguments = [f"--{name.replace('_', '-')}={value}" for name, value in sizes.items()]
                run_in_throwaway_database(
                    database_url=database_url,
                    arguments=arguments,
                    keep=keep,
                    write=self.stdout.write,
                    command="benchmark_dossier",
                )
                return
            if not in_throwaway_database():
                raise CommandError(
                    "--inside is only for the process that benchmark_dossier starts in its own database."
                )
            call_command("migrate", interactive=False, verbosity=0)
            report = run_benchmark(**sizes, log=self.stdout.write)
        except (BenchmarkError, ValueError) as error:
            raise CommandError(str(error)) from error
        for line in format_report(report):
            self.stdout.write(line)
