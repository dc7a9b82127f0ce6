"""Integrity flags on the numbers a dossier shows, and their provenance."""

import datetime as dt

import pytest

from metrics.models import Provenance
from portfolio.dossiers.integrity import integrity_flags
from tests.factories import (
    AccountMetricsFactory,
    PostFactory,
    PostMetricsFactory,
)

START, END, AS_OF = dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1)
IMPORTED = Provenance.IMPORT


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def post(alice_instagram):
    return PostFactory(account=alice_instagram, published_at=published(dt.date(2026, 3, 1)))


def snapshot(post, day, *, source=IMPORTED, **counts):
    return PostMetricsFactory(post=post, captured_on=day, source=source, **counts)


def flags_of(accounts, **overrides):
    window = {"start": START, "end": END, "as_of": AS_OF, **overrides}
    return integrity_flags(account_ids=[account.pk for account in accounts], **window)


def kinds(flags):
    return [flag.kind for flag in flags]


def test_clean_imported_numbers_raise_no_flag(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, reach=4000, likes=184, comments=10, saves=36)
    snapshot(post, dt.date(2026, 4, 8), impressions=7000, reach=4500, likes=200, comments=12, saves=40)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 2, 1), followers=7100, source=IMPORTED)

    assert flags_of([alice_instagram]) == []


def test_more_actions_than_impressions_is_flagged_with_both_numbers(alice_instagram, post):
    # 90 likes + 20 comments + 15 shares = 125 actions over 120 impressions
    snapshot(post, dt.date(2026, 3, 8), impressions=120, likes=90, comments=20, shares=15)

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "actions_exceed_impressions"
    assert flag.detail == "125 actions over 120 impressions (snapshot of 2026-03-08)."
    assert (flag.account_id, flag.post_id, flag.captured_on) == (alice_instagram.pk, post.pk, dt.date(2026, 3, 8))


def test_actions_equal_to_impressions_are_not_flagged(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=125, likes=90, comments=20, shares=15)

    assert flags_of([alice_instagram]) == []


def test_more_likes_than_reach_is_flagged(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=5000, reach=1200, likes=1500)

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "likes_exceed_reach"
    assert flag.detail == "1,500 likes over a reach of 1,200 accounts (snapshot of 2026-03-08)."


def test_unreported_denominators_are_not_compared(alice_instagram, post):
    # No impressions, no reach: nothing to compare with, which is not an anomaly.
    snapshot(post, dt.date(2026, 3, 8), likes=1500, comments=40)

    assert flags_of([alice_instagram]) == []


def test_only_the_snapshot_the_dossier_shows_is_checked_for_ratios(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=100, likes=150)  # wrong, corrected by the next export
    snapshot(post, dt.date(2026, 4, 8), impressions=6000, likes=160)

    assert flags_of([alice_instagram]) == []
    # As of a day between the two, the wrong one is what the dossier would show.
    assert kinds(flags_of([alice_instagram], as_of=dt.date(2026, 3, 31))) == ["actions_exceed_impressions"]


def test_a_count_that_goes_down_between_snapshots_is_flagged(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, likes=184)
    snapshot(post, dt.date(2026, 4, 8), impressions=5100, likes=184)

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "metric_decreased"
    assert flag.detail == "impressions 6,154 → 5,100 (snapshots of 2026-03-08 and 2026-04-08)."
    assert (flag.post_id, flag.captured_on) == (post.pk, dt.date(2026, 4, 8))
