"""
Fixtures and helpers for the API tests: a client per person, and a small world
with one object of every resource at each place that matters for permissions.

Targets (the places an object can belong to):
- "alice": Alice's own data, in Northfield radiology (Bob reviews it);
- "peer": Peter's data, a Northfield colleague in nuclear medicine (Nina reviews it);
- "dana": Dana's data, which belongs to Northfield radiology AND Southbay radiology;
- "southbay": Sam's data, at Southbay radiology only (Charlie's institution; Sid reviews it).

Test modules register this module with `pytest_plugins = ["tests.api_fixtures"]` and do
not import from it (an imported plugin module cannot have its asserts rewritten).
"""

import datetime as dt
from dataclasses import dataclass
from dataclasses import field

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.factories import AccountMetricsFactory
from tests.factories import ActivityFactory
from tests.factories import AppointmentFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import DossierFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

PUBLISHED_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
CAPTURED_ON = dt.date(2024, 3, 8)
FOLLOWERS_ON = dt.date(2024, 1, 1)


@pytest.fixture
def api_client():
    """`api_client(user)`: a client signed in as `user` (anonymous for None), as a token signs them in."""

    def signed_in(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            # A fresh copy of the user for each client: roles are cached on the user object.
            client.force_authenticate(get_user_model().objects.get(pk=user.pk))
        return client

    return signed_in


@dataclass
class World:
    people: dict = field(default_factory=dict)
    # resource -> target -> object
    objects: dict = field(default_factory=dict)

    def get(self, resource: str, target: str):
        return self.objects[resource].get(target)


@pytest.fixture
def people(alice, bob, nora, charlie, root):
    return {"anonymous": None, "alice": alice, "bob": bob, "nora": nora, "charlie": charlie, "root": root}


@pytest.fixture
def world(
    people, alice_instagram, dana, northfield, southbay, northfield_radiology, northfield_nucmed, southbay_radiology
):
    """One object of every resource at each target; see the module docstring."""
    alice = people["alice"]
    peter = FacultyFactory(name="Peter Park", email="peter@northfield.example", user=UserFactory(username="peter"))
    sam = FacultyFactory(name="Sam Shaw", email="sam@southbay.example", user=UserFactory(username="sam"))
    faculty = {"alice": alice.faculty, "peer": peter, "dana": dana, "southbay": sam}
    appointments = {
        "alice": alice.faculty.appointments.get(),
        "peer": AppointmentFactory(faculty=peter, department=northfield_nucmed, primary=True),
        "southbay": AppointmentFactory(faculty=sam, department=southbay_radiology, primary=True),
    }
    memberships = {
        "alice": Membership.objects.get(user=people["bob"]),
        "peer": MembershipFactory(
            user=UserFactory(username="nina"), institution=northfield, department=northfield_nucmed
        ),
        "southbay": MembershipFactory(
            user=UserFactory(username="sid"), institution=southbay, department=southbay_radiology
        ),
    }
    accounts = {
        "alice": alice_instagram,
        "peer": SocialAccountFactory(platform=platform("twitter"), handle="peter_nucmed", faculty=peter),
        "dana": SocialAccountFactory(platform=platform("twitter"), handle="dana_rads", faculty=dana),
        "southbay": SocialAccountFactory(platform=platform("instagram"), handle="sam_southbay", faculty=sam),
    }
    posts, post_metrics, account_metrics, audience = {}, {}, {}, {}
    for target, account in accounts.items():
        posts[target] = PostFactory(account=account, external_id=f"{target}-1", published_at=PUBLISHED_AT)
        post_metrics[target] = PostMetricsFactory(post=posts[target], captured_on=CAPTURED_ON, likes=10)
        account_metrics[target] = AccountMetricsFactory(account=account, captured_on=FOLLOWERS_ON, followers=500)
        audience[target] = AudienceSnapshotFactory(account=account, captured_on=FOLLOWERS_ON)
    return World(
        people={**people, "peter": peter.user, "sam": sam.user},
        objects={
            "institutions": {"alice": northfield, "southbay": southbay},
            "departments": {"alice": northfield_radiology, "peer": northfield_nucmed, "southbay": southbay_radiology},
            "users": {"alice": alice, "peer": peter.user, "southbay": sam.user},
            "memberships": memberships,
            "faculty": faculty,
            "appointments": appointments,
            "accounts": accounts,
            "posts": posts,
            "post-metrics": post_metrics,
            "account-metrics": account_metrics,
            "audience": audience,
            "dossiers": {target: DossierFactory(faculty=person) for target, person in faculty.items()},
            "activities": {target: ActivityFactory(faculty=person) for target, person in faculty.items()},
        },
    )
