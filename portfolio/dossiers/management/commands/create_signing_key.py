"""`python manage.py create_signing_key INSTITUTION`: a new self-signed key for an institution's frozen dossiers."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Institution
from portfolio.dossiers import signing


class Command(BaseCommand):
    help = (
        "Create a new key and self-signed certificate with which an institution (given by its slug) signs its "
        "frozen dossiers. Its current one retires and stays, so the versions it signed still verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("institution", help="The institution's slug.")

    def handle(self, *args, institution: str, **options):
        try:
            found = Institution.objects.get(slug=institution)
        except Institution.DoesNotExist:
            raise CommandError(f"No institution with the slug {institution!r}.") from None
        credential = signing.generate_credential(institution=found)
        self.stdout.write(self.style.SUCCESS(f"{found.name} now signs with: {credential.subject}"))
        self.stdout.write(f"Certificate SHA-256: {credential.fingerprint}, valid until {credential.not_after:%Y-%m-%d}")
        self.stdout.write("Its certificate is public at /verify/certificates/; the private key stays encrypted here.")
