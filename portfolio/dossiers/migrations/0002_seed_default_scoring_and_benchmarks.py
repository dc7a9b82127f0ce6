"""The documented default scoring profile and the published 2019 Instagram benchmarks."""

from decimal import Decimal

from django.db import migrations

# Rival IQ's 2019 Social Media Industry Benchmark Report (data from January to December 2018, 12 industries),
# as cited by the published analysis of a nuclear-medicine education account on Instagram. Rival IQ counts the
# measurable interactions on a post (on Instagram, likes and comments) per follower, per post: compare these
# with the faculty member's likes and comments per follower, not with a rate that also counts saves or follows.
INSTAGRAM_2019 = {
    "Higher education": "0.0396",
    "Nonprofits": "0.0240",
    "Influencers": "0.0197",
    "Media": "0.0122",
    "All industries (median)": "0.0160",
}
PUBLISHER = "Rival IQ"
REPORT = "2019 Social Media Industry Benchmark Report"
URL = "https://www.rivaliq.com/blog/2019-social-media-benchmark-report/"
NOTE = (
    "Data from January to December 2018 across 12 industries. Engagement rate: measurable interactions on posts "
    "(on Instagram, likes and comments) divided by total follower count, per post."
)


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
            publisher=PUBLISHER,
            report=REPORT,
            defaults={
                "rate": Decimal(rate),
                "numerator": ["likes", "comments"],
                "source_url": URL,
                "note": NOTE,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("dossiers", "Benchmark").objects.filter(publisher=PUBLISHER, report=REPORT).delete()
    apps.get_model("dossiers", "ScoringProfile").objects.filter(institution=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
        ("accounts", "0002_seed_platforms"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
