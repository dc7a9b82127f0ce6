"""
python manage.py import_metrics PATH --account ID [--user USERNAME]: the import workflow from the command line.

With --user the import acts with that user's rights, exactly as their upload through the site would. Without
it, whoever runs the command acts as a superuser (they hold the server and its database anyway), and the
command says so before importing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Institution, SocialAccount
from metrics.imports import ImportRefused, import_file
from metrics.models import ImportBatch

AS_SUPERUSER = "No --user: importing as a superuser, with every right (no permission check, no uploader recorded)."


class Command(BaseCommand):
    help = (
        "Import a platform's analytics export (or the template CSV) into an account. With --user, as that user, "
        "with their rights; without it, as a superuser with every right."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--account", type=int, help="Id of the account the file belongs to.")
        target.add_argument("--institution", help="Slug: a template whose rows name their accounts.")
        parser.add_argument("--captured-on", type=_date, help="Export date (YYYY-MM-DD) if the file does not say.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count; write nothing.")
        parser.add_argument(
            "--user",
            help=(
                "Username to import as: the import has that user's rights and records them as the uploader. "
                "Without it the import acts as a superuser, with every right, and records no uploader."
            ),
        )

    def handle(self, *args, path, account, institution, captured_on, dry_run, user, **options):
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            target_account = SocialAccount.objects.select_related("platform").get(pk=account) if account else None
            target_institution = Institution.objects.get(slug=institution) if institution else None
            uploader = get_user_model().objects.get(username=user) if user else None
        except (SocialAccount.DoesNotExist, Institution.DoesNotExist, get_user_model().DoesNotExist) as error:
            raise CommandError(str(error)) from None
        if uploader is None:
            self.stdout.write(self.style.WARNING(AS_SUPERUSER))

        with path.open("rb") as handle, tqdm(unit=" rows", disable=options["verbosity"] == 0) as bar:
            try:
                batch = import_file(
                    user=uploader,
                    upload=File(handle, name=path.name),
                    account=target_account,
                    institution=target_institution,
                    captured_on=captured_on,
                    dry_run=dry_run,
                    progress=bar.update,
                )
            except ImportRefused as refusal:
                raise CommandError(f"Not imported: {refusal} (--user {user})") from None
        self.stdout.write(_summary(batch))
        if batch.status == ImportBatch.Status.REFUSED:
            raise CommandError(f"Import #{batch.pk} refused: {batch.message}")


def _date(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--captured-on {value!r} is not a date like 2026-11-23.") from None


def _summary(batch: ImportBatch) -> str:
    lines = [
        f"Import #{batch.pk}: {batch.get_status_display()}, {batch.format or 'unknown format'}, "
        f"captured on {batch.captured_on or '-'}",
        f"  {batch.message}",
        f"  posts created {batch.posts_created:,}, updated {batch.posts_updated:,}",
        f"  snapshots created {batch.snapshots_created:,}, updated {batch.snapshots_updated:,}",
        f"  follower snapshots created {batch.account_snapshots_created:,}, "
        f"updated {batch.account_snapshots_updated:,}",
        f"  rows unchanged {batch.rows_unchanged:,}, skipped {batch.rows_skipped:,}",
    ]
    if batch.ignored_columns:
        lines.append(f"  ignored columns: {', '.join(batch.ignored_columns)}")
    for error in batch.errors:
        lines.append(f"  row {error['row']}, column {error['column'] or '-'}: {error['message']}")
    return "\n".join(lines)
