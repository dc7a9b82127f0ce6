"""
`python manage.py benchmark_compare [--database-url postgres://...] [--accounts N] [--posts-per-account N]
[--snapshots-per-post N] [--requests N] [--keep]`: time one comparison of every account on a data set of its
own, in a throwaway database (see `portfolio.benchmarks.compare`).
"""

import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portfolio.benchmarks.api import BenchmarkError, in_throwaway_database, run_in_throwaway_database
from portfolio.benchmarks.compare import format_report, run_benchmark
from portfolio.benchmarks.data import DEFAULT_SEED


class Command(BaseCommand):
    help = (
        "Benchmark the comparison (API and page) over 1,000 accounts and 1,000,000 snapshots, in a throwaway "
        "database (your own data is not touched): median time and peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            help="A PostgreSQL URL: the benchmark creates and drops <name>_bench on that server. "
            "Default: a SQLite file in a temporary folder.",
        )
        parser.add_argument("--accounts", type=int, default=1000, help="Default 1,000.")
        parser.add_argument("--posts-per-account", type=int, default=100, help="Default 100.")
        parser.add_argument("--snapshots-per-post", type=int, default=10, help="Default 10.")
        parser.add_argument("--requests", type=int, default=3, help="Timed requests per endpoint (default 3).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, database_url, keep, inside, **options):
        sizes = {
            "accounts": options["accounts"],
            "posts_per_account": options["posts_per_account"],
            "snapshots_per_post": options["snapshots_per_post"],
            "requests": options["requests"],
            "seed": options["seed"],
        }
        try:
            if not inside:
                arguments = [f"--{name.replace('_', '-')}={value}" for name, value in sizes.items()]
                run_in_throwaway_database(
                    database_url=database_url,
                    arguments=arguments,
                    keep=keep,
                    write=self.stdout.write,
                    command="benchmark_compare",
                )
                return
            if not in_throwaway_database():
                raise CommandError(
                    "--inside is only for the process that benchmark_compare starts in its own database."
                )
            call_command("migrate", interactive=False, verbosity=0)
            report = run_benchmark(**sizes, log=self.stdout.write)
        except (BenchmarkError, ValueError) as error:
            raise CommandError(str(error)) from error
        for line in format_report(report):
            self.stdout.write(line)
