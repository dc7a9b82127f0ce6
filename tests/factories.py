"""
factory_boy factories for every model; tests name the people, factories fill the rest.

Every date a factory fills in is fixed, never counted back from the real today, so a test gives the same
answer on any day; a test that is about "recent" or "before today" passes its own date. The defaults fit
together: a post is published inside the default dossier's review period (2024-01-01 to 2026-06-30), after
its account's first follower count, and its metrics are read a week later, long before the dossier's as-of day.
"""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Appointment
from accounts.models import Department
from accounts.models import Faculty
from accounts.models import Institution
from accounts.models import Membership
from accounts.models import Platform
from accounts.models import SocialAccount
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import Post
from metrics.models import PostMetrics
from portfolio.dossiers.models import Activity
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import Highlight

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    date_joined = dt.datetime(2020, 7, 1, 13, 0, tzinfo=dt.UTC)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"University {n}")
    slug = factory.Sequence(lambda n: f"university-{n}")
    country = "US"
    timezone = "America/New_York"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class FacultyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faculty

    name = factory.Sequence(lambda n: f"Faculty Member {n}")
    email = factory.Sequence(lambda n: f"faculty{n}@example.org")
    rank = Faculty.Rank.ASSISTANT
    track = Faculty.Track.CLINICIAN_EDUCATOR


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    faculty = factory.SubFactory(FacultyFactory)
    department = factory.SubFactory(DepartmentFactory)
    primary = False
    start_date = dt.date(2020, 7, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Membership.Role.REVIEWER


def platform(key: str) -> Platform:
    """Platforms are seeded by a data migration; tests look them up by key."""
    return Platform.objects.get(key=key)


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    platform = factory.LazyFunction(lambda: platform("instagram"))
    handle = factory.Sequence(lambda n: f"account_{n}")
    kind = SocialAccount.Kind.PERSONAL
    faculty = factory.SubFactory(FacultyFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    account = factory.SubFactory(SocialAccountFactory)
    external_id = factory.Sequence(lambda n: f"post-{n}")
    published_at = dt.datetime(2024, 3, 4, 15, 30, tzinfo=dt.UTC)
    content_type = "image"
    caption = "Case of the week #MSKMonday"
    category = "education"


class PostMetricsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostMetrics

    post = factory.SubFactory(PostFactory)
    captured_on = factory.LazyAttribute(lambda m: timezone.localdate(m.post.published_at) + dt.timedelta(days=7))


class AccountMetricsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountMetrics

    account = factory.SubFactory(SocialAccountFactory)
    captured_on = dt.date(2024, 1, 1)
    followers = 1000


class AudienceSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudienceSnapshot

    account = factory.SubFactory(SocialAccountFactory)
    captured_on = dt.date(2024, 1, 1)
    dimension = AudienceSnapshot.Dimension.COUNTRY
    bucket = "US"
    count = 100


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    faculty = factory.SubFactory(FacultyFactory)
    title = "Promotion to Associate Professor"
    period_start = dt.date(2024, 1, 1)
    period_end = dt.date(2026, 6, 30)
    as_of = dt.date(2026, 7, 1)
    narrative = "I teach musculoskeletal imaging to residents on four continents."


class HighlightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Highlight

    dossier = factory.SubFactory(DossierFactory)
    post = factory.SubFactory(PostFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    faculty = factory.SubFactory(FacultyFactory)
    kind = Activity.Kind.PEER_REVIEW
    title = "Reviewer, online case collection"
    started_on = dt.date(2025, 3, 1)
