"""`python manage.py seed_demo [--today YYYY-MM-DD] [--seed N] [--reset]`: load the demo data set."""

from argparse import ArgumentTypeError
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portfolio.demo.build import DEFAULT_SEED, DemoError, build_demo


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date like 2026-03-02.") from None


class Command(BaseCommand):
    help = (
        "Load demo institutions, faculty, accounts, 2,000 posts with metrics, follower histories and audiences, "
        "plus one login per role. Does nothing if the demo is already loaded, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=iso_date, help="The last day of the data (default: today).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default: {DEFAULT_SEED}).")
        parser.add_argument("--reset", action="store_true", help="Delete the demo data (only it) and build it again.")

    def handle(self, *args, today=None, seed=DEFAULT_SEED, reset=False, **options):
        today = today or timezone.localdate()
        try:
            summary = build_demo(today=today, seed=seed, reset=reset)
        except DemoError as error:
            raise CommandError(str(error)) from error
        if summary.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded, dated up to {today} (seed {seed})."))
        else:
            self.stdout.write(
                self.style.WARNING("Demo data is already loaded; nothing changed. Use --reset to rebuild.")
            )
        self.stdout.write(
            f"Demo logins (password {summary.password}; for a local demo only, never on a shared or public site):"
        )
        for login in summary.logins:
            self.stdout.write(
                f"  {login.role:<20} username {login.username:<15} password {summary.password}  ({login.note})"
            )
        self.stdout.write("Counts:")
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<20} {count:>7,}")
