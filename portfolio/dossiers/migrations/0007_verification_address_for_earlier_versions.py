"""Versions frozen before verification addresses existed get one, so that their page exists too."""

import secrets

from django.db import migrations


def give_addresses(apps, schema_editor):
    DossierVersion = apps.get_model("dossiers", "DossierVersion")
    for version in DossierVersion.objects.filter(public_id__isnull=True).only("pk"):
        DossierVersion.objects.filter(pk=version.pk).update(public_id=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_signing_credentials_and_verification_address")]

    operations = [migrations.RunPython(give_addresses, migrations.RunPython.noop)]
