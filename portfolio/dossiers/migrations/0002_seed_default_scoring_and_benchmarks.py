"""The documented default scoring profile and the published 2019 Instagram benchmarks."""

from decimal import Decimal

from django.db import migrations

# Per-follower engagement rates on Instagram in 2019 from an industry benchmark report, as cited by the
# published analysis of a nuclear-medicine education account. Compare them with the rate by followers only.
INSTAGRAM_2019 = {
    "Higher education": "0.0396",
    "Nonprofits": "0.0240",
    "Influencers": "0.0197",
    "Media": "0.0122",
    "All industries (median)": "0.0160",
}
SOURCE = "2019 industry benchmark report of Instagram engagement, per post per follower"


def seed(apps, schema_editor):
    from portfolio.dossiers import scoring

    ScoringProfile = apps.get_model("dossiers", "ScoringProfile")
    Benchmark = apps.get_model("dossiers", "Benchmark")
    Platform = apps.get_model("accounts", "Platform")
    if not ScoringProfile.objects.filter(institution=None).exists():
        ScoringProfile.objects.create(
            institution=None,
            name=scoring.DEFAULT_PROFILE_NAME,
            description=scoring.DEFAULT_PROFILE_DESCRIPTION,
            weights=scoring.default_weights(),
        )
    instagram = Platform.objects.filter(key="instagram").first()
    if instagram is None:
        return
    for industry, rate in INSTAGRAM_2019.items():
        Benchmark.objects.get_or_create(
            platform=instagram,
            industry=industry,
            year=2019,
            denominator="followers",
            source=SOURCE,
            defaults={"rate": Decimal(rate)},
        )


def unseed(apps, schema_editor):
    apps.get_model("dossiers", "Benchmark").objects.filter(source=SOURCE).delete()
    apps.get_model("dossiers", "ScoringProfile").objects.filter(institution=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
        ("accounts", "0002_seed_platforms"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
