"""
Fixtures for the tests of frozen versions, reviewer links, verification and downloads: Alice's dossier
with the published worked example as its highlighted post, and its first frozen version.

Test modules register this module with `pytest_plugins = ["tests.dossier_fixtures"]`.
"""

import datetime as dt

import pytest
from django.test import Client

from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.models import ScoringProfile
from tests.factories import AccountMetricsFactory
from tests.factories import DossierFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

AS_OF = dt.date(2026, 7, 1)
# 184 likes, 10 comments, 11 shares, 36 saves, 42 profile visits and 9 follows: 292 actions on 6,154 impressions.
WORKED_EXAMPLE = {
    "impressions": 6154,
    "likes": 184,
    "comments": 10,
    "shares": 11,
    "saves": 36,
    "profile_visits": 42,
    "follows": 9,
}


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def worked_post(alice_instagram):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 1, 1), followers=7100)
    post = PostFactory(
        account=alice_instagram,
        external_id="worked-example",
        published_at=published(dt.date(2025, 3, 3)),
        caption="Segond fracture: the avulsion that predicts an ACL tear #MSKMonday",
        highlight_note="Most saved case of the year.",
    )
    PostMetricsFactory(post=post, captured_on=dt.date(2025, 3, 10), **WORKED_EXAMPLE)
    return post


@pytest.fixture
def dossier(alice, alice_instagram, worked_post):
    """Alice's dossier: her Instagram account, the worked example highlighted, the default weights."""
    second = PostFactory(account=alice_instagram, external_id="second", published_at=published(dt.date(2025, 4, 1)))
    PostMetricsFactory(post=second, captured_on=dt.date(2025, 4, 8), impressions=1000, reach=500, likes=50)
    dossier = DossierFactory(
        faculty=alice.faculty, as_of=AS_OF, scoring_profile=ScoringProfile.objects.get(institution=None)
    )
    dossier.accounts.add(alice_instagram)
    HighlightFactory(dossier=dossier, post=worked_post, position=1)
    return dossier


@pytest.fixture
def version(dossier, alice):
    return freeze(dossier=dossier, user=alice)


@pytest.fixture
def signed_in():
    """`signed_in(user)`: a test client with `user` signed in (anonymous for None)."""

    def client_for(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for
