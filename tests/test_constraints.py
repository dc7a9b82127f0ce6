"""The database itself refuses bad rows, whatever code writes them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.models import SocialAccount
from accounts.models import validate_orcid
from metrics.models import AccountMetrics
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytestmark = pytest.mark.django_db


def refused(callable_, *args, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_(*args, **kwargs)
    return True


def test_a_post_is_unique_per_account_and_external_id():
    post = PostFactory(external_id="123")

    assert refused(PostFactory, account=post.account, external_id="123")
    PostFactory(external_id="123")  # the same id on another account is another post


def test_a_post_snapshot_is_unique_per_day():
    snapshot = PostMetricsFactory()

    assert refused(PostMetricsFactory, post=snapshot.post, captured_on=snapshot.captured_on)
    PostMetricsFactory(post=snapshot.post, captured_on=snapshot.captured_on + dt.timedelta(days=1))


def test_an_account_snapshot_is_unique_per_day():
    snapshot = AccountMetricsFactory()

    assert refused(AccountMetricsFactory, account=snapshot.account, captured_on=snapshot.captured_on)


def test_an_audience_bucket_is_unique_per_day_and_dimension():
    row = AudienceSnapshotFactory(bucket="US")

    assert refused(AudienceSnapshotFactory, account=row.account, captured_on=row.captured_on, bucket="US")
    AudienceSnapshotFactory(account=row.account, captured_on=row.captured_on, bucket="IN")


@pytest.mark.parametrize("field", ["impressions", "likes", "watch_time_seconds"])
def test_negative_counts_are_refused_by_the_database(field):
    snapshot = PostMetricsFactory(**{field: 5})

    # update() skips model validation: only the database stands in the way.
    assert refused(PostMetrics.objects.filter(pk=snapshot.pk).update, **{field: -1})


def test_negative_follower_counts_are_refused_by_the_database():
    snapshot = AccountMetricsFactory()

    assert refused(AccountMetrics.objects.filter(pk=snapshot.pk).update, followers=-3)


def test_blank_means_not_reported_and_stays_distinct_from_zero():
    snapshot = PostMetricsFactory(likes=0, impressions=None)
    snapshot.refresh_from_db()

    assert snapshot.likes == 0
    assert snapshot.impressions is None


def test_timestamps_are_time_zone_aware():
    moment = dt.datetime(2024, 3, 10, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    post = PostFactory(published_at=moment)
    post.refresh_from_db()

    assert timezone.is_aware(post.published_at)
    assert post.published_at == moment
    assert post.published_at.astimezone(dt.UTC).hour == 4


def test_a_naive_timestamp_is_an_error():
    # pyproject.toml turns Django's naive-datetime warning into an error.
    with pytest.raises(RuntimeWarning, match="naive datetime"), transaction.atomic():
        PostFactory(published_at=dt.datetime(2024, 3, 10, 12, 0))


def test_a_snapshot_cannot_be_dated_before_the_post_was_published():
    post = PostFactory(published_at=dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC))
    snapshot = PostMetrics(post=post, captured_on=dt.date(2024, 3, 9), likes=1)

    with pytest.raises(ValidationError, match="before the post was published"):
        snapshot.full_clean()


def test_hashtags_are_derived_from_the_caption():
    post = PostFactory(caption="Case 12 #MSKMonday #radED #mskmonday, see #FOAMrad!")

    assert post.hashtag_list == ["MSKMonday", "radED", "FOAMrad"]
    assert list(Post.objects.with_hashtag("#mskmonday")) == [post]
    assert list(Post.objects.with_hashtag("MSK")) == []


# --- accounts -------------------------------------------------------------------------------------


def test_an_account_owner_must_match_its_kind(northfield_radiology):
    faculty = FacultyFactory()
    instagram = platform("instagram")

    assert refused(
        SocialAccount.objects.create, platform=instagram, handle="a", kind="personal", department=northfield_radiology
    )
    assert refused(
        SocialAccount.objects.create,
        platform=instagram,
        handle="b",
        kind="department",
        department=northfield_radiology,
        faculty=faculty,
    )
    assert refused(SocialAccount.objects.create, platform=instagram, handle="c", kind="institution")
    SocialAccount.objects.create(platform=instagram, handle="d", kind="program", department=northfield_radiology)


def test_an_account_owner_mismatch_gets_a_clear_form_message(northfield_radiology):
    account = SocialAccount(platform=platform("twitter"), handle="x", kind="personal", department=northfield_radiology)

    with pytest.raises(ValidationError) as error:
        account.full_clean()

    assert "needs this owner" in str(error.value.message_dict["faculty"])
    assert "Leave this blank" in str(error.value.message_dict["department"])


def test_a_handle_is_unique_per_platform_whatever_its_case():
    SocialAccountFactory(platform=platform("twitter"), handle="RadEdu")

    assert refused(SocialAccountFactory, platform=platform("twitter"), handle="radedu")
    SocialAccountFactory(platform=platform("instagram"), handle="radedu")


def test_the_at_sign_people_paste_is_dropped_from_handles():
    assert SocialAccountFactory(handle=" @nucmed_edu ").handle == "nucmed_edu"


def test_an_appointment_cannot_end_before_it_starts(northfield_radiology):
    assert refused(
        AppointmentFactory,
        department=northfield_radiology,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2023, 1, 1),
    )


def test_one_current_primary_appointment_per_person(northfield_radiology, southbay_radiology):
    faculty = FacultyFactory()
    AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)

    assert refused(AppointmentFactory, faculty=faculty, department=southbay_radiology, primary=True)
    # An ended primary appointment is history and does not count.
    AppointmentFactory(faculty=faculty, department=southbay_radiology, primary=True, end_date=dt.date(2030, 1, 1))


def test_an_admin_role_covers_a_whole_institution(northfield_radiology):
    assert refused(
        MembershipFactory,
        institution=northfield_radiology.institution,
        department=northfield_radiology,
        role=Membership.Role.ADMIN,
    )


def test_a_membership_department_must_belong_to_its_institution(northfield, southbay_radiology):
    membership = MembershipFactory.build(institution=northfield, department=southbay_radiology)

    with pytest.raises(ValidationError, match="another institution"):
        membership.clean()


def test_faculty_email_is_unique_whatever_its_case():
    FacultyFactory(email="Jane@Example.org")

    assert refused(FacultyFactory, email="jane@example.org")


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"])
def test_valid_orcid_ids_pass(orcid):
    validate_orcid(orcid)


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0098", "0000000218250097", "0000-0002-1825-009"])
def test_invalid_orcid_ids_are_refused(orcid):
    with pytest.raises(ValidationError):
        validate_orcid(orcid)
