"""
A count written around the door (a raw UPDATE, or a row stored before the ceiling existed) cannot make a
dossier answer 500: the integrity checks read counts in floating point where they add or multiply them.
"""

import pytest

from metrics.models import PostMetrics
from portfolio.dossiers.integrity import integrity_flags

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

LARGEST_64_BIT = 2**63 - 1


@pytest.fixture
def overflowing(worked_post):
    # Around every door: the ceiling refuses this count in forms, admin, API, bulk API and imports.
    PostMetrics.objects.filter(post=worked_post).update(likes=LARGEST_64_BIT, comments=LARGEST_64_BIT)
    return worked_post


@pytest.mark.parametrize("page", ["", "download/pdf/", "download/csv/", "download/xlsx/"])
def test_a_stored_count_of_2_63_minus_1_does_not_break_the_dossier(dossier, overflowing, alice, signed_in, page):
    response = signed_in(alice).get(f"/dossiers/{dossier.pk}/{page}")

    assert response.status_code == 200


def test_the_integrity_flags_read_such_a_count_without_overflow(dossier, overflowing, alice_instagram):
    flags = integrity_flags(account_ids=[alice_instagram.pk], start=None, end=None, as_of=dossier.as_of)

    actions = [flag for flag in flags if flag.kind == "actions_exceed_impressions"]
    assert [flag.post_id for flag in actions] == [overflowing.pk]
    assert actions[0].detail.startswith("18,446,744,073,709,55")  # two counts of 2^63 - 1, added as floats
