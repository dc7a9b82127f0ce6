"""
`python manage.py latest_snapshots --check | --rebuild`: whether the latest-snapshot table agrees with the
snapshots, or recompute it from them (see `metrics.latest`). `--check` exits with status 1 when they disagree.
"""

from django.core.management.base import BaseCommand, CommandError

from metrics import latest


class Command(BaseCommand):
    help = "Check the latest-snapshot table against the snapshots (--check), or rebuild it from them (--rebuild)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Count the posts where table and snapshots differ.")
        action.add_argument("--rebuild", action="store_true", help="Recompute the table (and install its triggers).")
        parser.add_argument("--database", default="default")

    def handle(self, *, check, rebuild, database, **options):
        if rebuild:
            if not latest.install(database):
                posts = latest.rebuild(database)
                self.stdout.write(f"Rebuilt the latest snapshot of {posts} posts.")
            else:
                self.stdout.write("Installed the triggers and rebuilt the table.")
            return
        missing = set(latest.TRIGGERS) - latest.installed_triggers(database)
        if missing:
            raise CommandError(f"Triggers missing: {', '.join(sorted(missing))}. Run --rebuild.")
        wrong = latest.disagreements(database)
        if wrong:
            raise CommandError(f"{wrong} rows of the latest-snapshot table disagree with the snapshots. Run --rebuild.")
        self.stdout.write("The latest-snapshot table agrees with the snapshots.")
