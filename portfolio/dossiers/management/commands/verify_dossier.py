"""
`python manage.py verify_dossier FILE`: is this file an unaltered frozen version? Exit status 0 only when it is:
its bytes are exactly a stored version's PDF (or HTML), and a PDF's signature validates against the institution's
certificate. Any other file exits 1, saying why.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolio.dossiers import verification


class Command(BaseCommand):
    help = "Check a dossier file (PDF or HTML) against the frozen versions and its signature; exit 0 only if unaltered."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The PDF (or HTML) as received.")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if file.stat().st_size > verification.MAX_UPLOAD_BYTES:
            raise CommandError(f"{file} is larger than any dossier the site makes: it is not an unaltered version.")
        check = verification.check_copy(file.read_bytes())
        self.stdout.write(f"SHA-256 of the file: {check.sha256}")
        if check.signature is not None:
            self.stdout.write(f"Digital signature: {check.signature.message}")
        if not check.unchanged:
            raise CommandError(
                "NOT VERIFIED: no frozen version is exactly this file (changed after freezing, a live draft, or "
                "from another site)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"VERIFIED: unchanged {check.match.document} of version {check.match.number}, frozen "
                f"{check.match.frozen_at:%Y-%m-%d %H:%M %Z}."
            )
        )
        if check.verification_url:
            self.stdout.write(f"Its record: {check.verification_url}")
