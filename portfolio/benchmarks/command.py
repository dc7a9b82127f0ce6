"""
What the benchmark commands that run in a throwaway database share: the common options, and a `handle` that
starts the command again, with `--inside`, in a database of its own, then builds the data set there, times it
and prints the report.

A command subclasses `ThrowawayBenchmarkCommand`, adds its size options in `add_size_arguments`, names them
in `size_options`, and points `run_benchmark` and `format_report` at its benchmark module.
"""

import argparse
from collections.abc import Callable, Iterable

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portfolio.benchmarks.api import BenchmarkError, in_throwaway_database, run_in_throwaway_database
from portfolio.benchmarks.data import DEFAULT_SEED


class ThrowawayBenchmarkCommand(BaseCommand):
    # The options passed on to the child process and then to `run_benchmark`, besides --seed.
    size_options: tuple[str, ...] = ()
    run_benchmark: Callable[..., object]
    format_report: Callable[[object], Iterable[str]]

    @property
    def command_name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]

    def add_size_arguments(self, parser) -> None:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            help="A PostgreSQL URL: the benchmark creates and drops <name>_bench on that server. "
            "Default: a SQLite file in a temporary folder.",
        )
        self.add_size_arguments(parser)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
        # Set by the command itself for the process it starts in the throwaway database.
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, database_url, keep, inside, **options):
        sizes = {name: options[name] for name in (*self.size_options, "seed")}
        try:
            if not inside:
                arguments = [f"--{name.replace('_', '-')}={value}" for name, value in sizes.items()]
                run_in_throwaway_database(
                    database_url=database_url,
                    arguments=arguments,
                    keep=keep,
                    write=self.stdout.write,
                    command=self.command_name,
                )
                return
            if not in_throwaway_database():
                raise CommandError(
                    f"--inside is only for the process that {self.command_name} starts in its own database."
                )
            call_command("migrate", interactive=False, verbosity=0)
            report = type(self).run_benchmark(**sizes, log=self.stdout.write)
        except (BenchmarkError, ValueError) as error:
            raise CommandError(str(error)) from error
        for line in type(self).format_report(report):
            self.stdout.write(line)
