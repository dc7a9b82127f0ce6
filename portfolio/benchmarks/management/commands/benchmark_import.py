"""
`python manage.py benchmark_import [--database-url postgres://...] [--rows N] [--accounts N] [--iex-rows N]
[--rounds N] [--no-tracemalloc] [--keep]`: time the import of a large template CSV against its floor (parsed
once, written once with the raw driver, interleaved in one process) and django-import-export, in a throwaway
database (see `portfolio.benchmarks.imports`).
"""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolio.benchmarks.api import BenchmarkError, in_throwaway_database
from portfolio.benchmarks.imports import (
    DEFAULT_ACCOUNTS,
    DEFAULT_IEX_ROWS,
    DEFAULT_ROUNDS,
    DEFAULT_ROWS,
    format_report,
    run_in_throwaway_database,
    run_step,
)
from portfolio.benchmarks.measure import add_rounds_argument


class Command(BaseCommand):
    help = (
        "Benchmark importing a template CSV of 1,000,000 snapshot rows (1,000 accounts) against its floor (the "
        "file parsed once and written with the raw driver, in the same process) and django-import-export, in a "
        "throwaway database (your own data is not touched)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            help="A PostgreSQL URL: the benchmark creates and drops <name>_bench on that server. "
            "Default: a SQLite file in a temporary folder.",
        )
        parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="Rows of the file (default 1,000,000).")
        parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS, help="Accounts (default 1,000).")
        parser.add_argument(
            "--iex-rows",
            type=int,
            default=DEFAULT_IEX_ROWS,
            help="Rows django-import-export imports, from the top of the file; its rate is extrapolated "
            "(default 10,000).",
        )
        add_rounds_argument(parser, default=DEFAULT_ROUNDS)
        parser.add_argument(
            "--no-tracemalloc",
            dest="trace",
            action="store_false",
            help="Skip the second, untimed run of every method that measures Python's peak memory.",
        )
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark database and the file afterwards.")
        # Set by the command itself for the processes it starts in the throwaway database.
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--step", help=argparse.SUPPRESS)
        parser.add_argument("--work-dir", type=Path, help=argparse.SUPPRESS)

    def handle(
        self, *args, database_url, rows, accounts, iex_rows, rounds, trace, keep, inside, step, work_dir, **options
    ):
        sizes = {"rows": rows, "accounts": accounts, "iex_rows": iex_rows, "rounds": rounds, "trace": trace}
        try:
            if not inside:
                report = run_in_throwaway_database(
                    database_url=database_url, keep=keep, write=self.stdout.write, **sizes
                )
                for line in format_report(report):
                    self.stdout.write(line)
                return
            if not in_throwaway_database():
                raise CommandError(
                    "--inside is only for the processes that benchmark_import starts in its own database."
                )
            run_step(step, work=work_dir, log=self.stdout.write, **sizes)
        except (BenchmarkError, ValueError) as error:
            raise CommandError(str(error)) from error
