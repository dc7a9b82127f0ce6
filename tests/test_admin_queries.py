"""
Every admin changelist runs a fixed number of queries, however many rows it shows.

Each row is built on its own department, person, login and account (of all three
owner kinds, on several platforms), so a column that fetched a related row per
line would show up as a growing count.
"""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import SocialAccount
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import DepartmentFactory
from tests.factories import FacultyFactory
from tests.factories import InstitutionFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

PLATFORMS = ("instagram", "twitter", "youtube", "linkedin")

# Queries per changelist page. Every page: session, user, the rows' count filtered and in full,
# the rows; then the user's roles (2) wherever a queryset is scoped, and for an institution admin
# Django's own permission lookups (2), which the sidebar makes for the unscoped Group admin.
PAGE = 5
ROLES = 2
DJANGO_PERMS = 2
# What some pages add: sidebar filter choices (1 each), the date hierarchy (2), a prefetch (1).
EXTRA = {
    "accounts:institution": 0,
    "accounts:department": 1,  # institution filter
    "accounts:faculty": 2,  # department filter, appointments prefetch
    "accounts:appointment": 1,  # department filter
    "accounts:membership": 2,  # institution and department filters
    "accounts:socialaccount": 1,  # platform filter
    "accounts:platform": 0,
    "auth:user": 0,
    "metrics:post": 3,  # platform filter, date hierarchy
    "metrics:postmetrics": 3,  # platform filter, date hierarchy
    "metrics:accountmetrics": 3,  # platform filter, date hierarchy
    "metrics:audiencesnapshot": 3,  # platform filter, date hierarchy
}
NORA = {model: PAGE + ROLES + DJANGO_PERMS + extra for model, extra in EXTRA.items()}
ROOT = {
    **{model: PAGE + ROLES + extra for model, extra in EXTRA.items()},
    # A superuser's access needs no role lookup when the model is not scoped...
    "accounts:platform": PAGE,
    # ...and the user list gets its groups filter back.
    "auth:user": PAGE + ROLES + 1,
}
# Lists whose length does not depend on the rows built here.
FIXED_LENGTH = {("nora", "accounts:institution"), ("nora", "accounts:platform"), ("root", "accounts:platform")}


def changelist(model: str) -> str:
    app, name = model.split(":")
    return reverse(f"admin:{app}_{name}_changelist")


def add_rows(institution, n: int) -> None:
    """n rows of every kind at `institution`, plus n institutions only a superuser sees."""
    for i in range(n):
        InstitutionFactory()
        department = DepartmentFactory(institution=institution)
        faculty = FacultyFactory(user=UserFactory())
        AppointmentFactory(faculty=faculty, department=department, primary=True)
        MembershipFactory(user=UserFactory(), institution=institution, department=department)
        owner = [
            {"kind": SocialAccount.Kind.PERSONAL, "faculty": faculty},
            {"kind": SocialAccount.Kind.DEPARTMENT, "faculty": None, "department": department},
            {"kind": SocialAccount.Kind.INSTITUTION, "faculty": None, "institution": institution},
        ][i % 3]
        account = SocialAccountFactory(platform=platform(PLATFORMS[i % len(PLATFORMS)]), **owner)
        post = PostFactory(account=account)
        PostMetricsFactory(post=post, likes=10 + i, impressions=1000, verified_by=faculty.user)
        AccountMetricsFactory(account=account, captured_on=dt.date(2024, 1, 1) + dt.timedelta(days=i))
        AudienceSnapshotFactory(account=account, captured_on=dt.date(2024, 1, 1) + dt.timedelta(days=i))


@pytest.fixture
def populated(northfield, nora):
    def populate(n):
        add_rows(northfield, n)

    return populate


def assert_query_count_holds(client, django_assert_num_queries, populate, model, queries, *, grows):
    url = changelist(model)
    populate(5)
    client.get(url)  # warm-up: per-process caches (content types) are not the page's cost
    with django_assert_num_queries(queries):
        few = client.get(url)
    populate(25)
    with django_assert_num_queries(queries):
        many = client.get(url)

    assert few.status_code == many.status_code == 200
    if grows:
        assert many.context["cl"].result_count >= 30
        assert len(many.context["cl"].result_list) > len(few.context["cl"].result_list)


@pytest.mark.parametrize(
    ("username", "model", "queries"),
    [
        *(("nora", model, queries) for model, queries in NORA.items()),
        *(("root", model, queries) for model, queries in ROOT.items()),
    ],
)
def test_changelist_query_count_does_not_grow_for_the_institution_admin_or_the_superuser(
    request, client, populated, username, model, queries, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(username))
    grows = (username, model) not in FIXED_LENGTH
    assert_query_count_holds(client, django_assert_num_queries, populated, model, queries, grows=grows)
