"""Freezing a dossier: what a version stores, that it never changes, and when freezing is refused."""

import hashlib
import logging
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import PostMetrics
from portfolio.dossiers.freezing import FreezeRefused
from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.models import DossierVersion
from portfolio.dossiers.models import ScoringProfile
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def stored(version: DossierVersion) -> dict:
    """Everything a version keeps, as the database holds it."""
    row = DossierVersion.objects.values("html", "data", "pdf", "sha256", "pdf_sha256").get(pk=version.pk)
    return {**row, "pdf": bytes(row["pdf"])}


def test_a_version_stores_the_document_its_hash_the_pdf_and_its_hash(version):
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(version.html.encode("utf-8")).hexdigest()
    assert bytes(version.pdf).startswith(b"%PDF-")
    assert version.pdf_sha256 == hashlib.sha256(bytes(version.pdf)).hexdigest()
    assert version.data["highlights"][0]["actions"] == 292
    # The methods appendix names the version, and the document carries no hash of itself.
    assert "Version 1 of this dossier, frozen on" in version.html
    assert version.sha256 not in version.html


def test_a_frozen_version_is_byte_for_byte_unchanged_after_metrics_and_weights_change(
    dossier, version, worked_post, alice
):
    before = stored(version)

    # A later import corrects the numbers, a new snapshot arrives, and the institution changes its weights.
    PostMetrics.objects.filter(post=worked_post).update(likes=1, impressions=99)
    PostMetricsFactory(post=worked_post, captured_on=dossier.as_of, likes=5000, impressions=90000)
    profile = ScoringProfile.objects.get(institution=None)
    profile.weights = {**profile.weights, "likes": "7"}
    profile.save()
    dossier.title = "Renamed after freezing"
    dossier.save()

    assert stored(version) == before
    # The live dossier moved on: the next version differs.
    second = freeze(dossier=dossier, user=alice)
    assert second.number == 2
    assert second.data["highlights"][0]["metrics"]["likes"] == 5000
    assert second.data["composite"] != before["data"]["composite"]
    assert second.sha256 != before["sha256"]


def test_the_composite_on_the_frozen_page_equals_the_sum_of_its_printed_breakdown_rows(version, alice, signed_in):
    page = signed_in(alice).get(f"/dossiers/{version.dossier_id}/versions/1/").content.decode()

    # The numbers as printed (with thousands separators), not the attributes beside them.
    contributions = [
        Decimal(value.replace(",", "")) for value in re.findall(r'data-contribution="[^"]*">([^<]+)<', page)
    ]
    total = Decimal(re.search(r'data-composite-total="[^"]*"><strong>([^<]+)<', page).group(1).replace(",", ""))
    assert len(contributions) == 11
    assert sum(contributions) == total
    # The worked example alone: 6,154 x 0.001 + 184 x 0.1 + 10 + 11 + 36 + 42 x 0.5 + 9 x 2, plus the second post
    # (1,000 x 0.001 + 50 x 0.1) and the account's 7,100 followers x 0.01.
    assert total == Decimal("6.154") + Decimal("18.4") + 57 + 21 + 18 + 1 + 5 + 71


def test_freezing_is_refused_while_a_highlighted_caption_has_an_unresolved_privacy_flag(
    dossier, alice_instagram, alice
):
    flagged = PostFactory(account=alice_instagram, caption="A 47-year-old fell from a ladder on 3/14/2026.")
    HighlightFactory(dossier=dossier, post=flagged, position=2)

    with pytest.raises(FreezeRefused) as refused:
        freeze(dossier=dossier, user=alice)

    assert [item.highlight.post for item in refused.value.unresolved] == [flagged]
    assert {flag.kind for flag in refused.value.unresolved[0].flags} >= {"date"}
    assert "Fix the caption or acknowledge the flag" in str(refused.value)
    assert not DossierVersion.objects.exists()


def test_an_acknowledged_flag_no_longer_blocks_freezing(dossier, alice_instagram, alice):
    flagged = PostFactory(account=alice_instagram, caption="A 47-year-old fell from a ladder.")
    HighlightFactory(
        dossier=dossier, post=flagged, position=2, privacy_acknowledged_by=alice, privacy_acknowledged_at=timezone.now()
    )

    version = freeze(dossier=dossier, user=alice)

    assert version.number == 1


def test_a_fixed_caption_no_longer_blocks_freezing(dossier, alice_instagram, alice):
    flagged = PostFactory(account=alice_instagram, caption="A 47-year-old fell from a ladder.")
    HighlightFactory(dossier=dossier, post=flagged, position=2)
    with pytest.raises(FreezeRefused):
        freeze(dossier=dossier, user=alice)

    flagged.caption = "An adult fell from a ladder."
    flagged.save()

    assert freeze(dossier=dossier, user=alice).number == 1


def test_versions_are_numbered_per_dossier(dossier, alice):
    numbers = [freeze(dossier=dossier, user=alice).number for _ in range(3)]

    assert numbers == [1, 2, 3]


def test_a_freeze_is_logged_with_the_dossier_version_user_and_hash_prefix(dossier, alice, caplog):
    caplog.set_level(logging.INFO, logger="portfolio")

    version = freeze(dossier=dossier, user=alice)

    [record] = [record for record in caplog.records if record.name == "portfolio.dossiers.freezing"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        f"Dossier {dossier.pk} frozen as version 1 (id {version.pk}) by user {alice.pk}, SHA-256 {version.sha256[:12]}"
    )
    for private in (version.sha256, "alice@northfield.example", "Alice Adams", "Segond fracture"):
        assert private not in caplog.text


def test_a_refused_freeze_is_logged_with_the_number_of_unresolved_flags(dossier, alice, alice_instagram, caplog):
    caption = "Seen on 3/14/2026, MRN 12345678."
    HighlightFactory(dossier=dossier, post=PostFactory(account=alice_instagram, caption=caption), position=2)

    with pytest.raises(FreezeRefused) as refused:
        freeze(dossier=dossier, user=alice)

    flags = sum(len(item.flags) for item in refused.value.unresolved)
    assert flags >= 2
    [record] = [record for record in caplog.records if record.name == "portfolio.dossiers.freezing"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f"Freeze of dossier {dossier.pk} refused for user {alice.pk}: {flags} unresolved privacy flags"
        " on 1 highlighted posts"
    )
    for private in (caption, "MRN", "12345678", "3/14/2026", "alice@northfield.example", "Alice Adams"):
        assert private not in caplog.text
