"""
Accounts with posts and follower counts for the comparison tests, in one call each.

Dates: posts are published in 2024 (the period the tests compare), snapshots a week later, follower counts
on 1 January and 1 July 2024.
"""

import datetime as dt

from accounts.models import SocialAccount
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

PERIOD = {"start": "2024-01-01", "end": "2024-12-31", "as_of": "2024-12-31"}
MARCH = dt.datetime(2024, 3, 4, 14, 0, tzinfo=dt.UTC)  # a Monday


def add_post(account, *, published_at=MARCH, snapshot: dict | None = None, **fields):
    """A post with one snapshot a week after publication (none if `snapshot` is None)."""
    post = PostFactory(account=account, published_at=published_at, **fields)
    if snapshot is not None:
        PostMetricsFactory(post=post, captured_on=published_at.date() + dt.timedelta(days=7), **snapshot)
    return post


def personal_account(department, *, handle: str, key: str = "instagram", followers=(900, 1000), rates=()):
    """
    A faculty member of `department` with one account; follower counts on 1 Jan and 1 Jul 2024; a post per
    rate in `rates`: 1,000 impressions and rate x 1,000 likes, published on the Mondays of March.
    """
    faculty = FacultyFactory(name=f"Owner of {handle}")
    AppointmentFactory(faculty=faculty, department=department, primary=True)
    account = SocialAccountFactory(platform=platform(key), handle=handle, faculty=faculty)
    for day, count in zip((dt.date(2024, 1, 1), dt.date(2024, 7, 1)), followers, strict=False):
        AccountMetricsFactory(account=account, captured_on=day, followers=count)
    for n, rate in enumerate(rates):
        add_post(
            account,
            published_at=MARCH + dt.timedelta(weeks=n),
            snapshot={"impressions": 1000, "reach": 800, "likes": round(rate * 1000)},
        )
    return account


def department_account(department, *, handle: str, key: str = "twitter"):
    return SocialAccountFactory(
        platform=platform(key), handle=handle, kind=SocialAccount.Kind.DEPARTMENT, faculty=None, department=department
    )


def peers(department, count: int, *, prefix: str = "peer"):
    """`count` personal accounts in `department`, each with two posts at distinct rates."""
    return [
        personal_account(department, handle=f"{prefix}_{n}", rates=(0.01 * (n + 1), 0.02 * (n + 1)))
        for n in range(count)
    ]
