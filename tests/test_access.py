"""Who sees which rows: the roles of the design, through every QuerySet's visible_to()."""

import pytest

from accounts.access import access_for
from accounts.models import Appointment
from accounts.models import Department
from accounts.models import Faculty
from accounts.models import Institution
from accounts.models import Membership
from accounts.models import SocialAccount
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice_instagram, northfield_nucmed, southbay_radiology, dana):
    """Accounts of every kind in both institutions, each with a post, a snapshot and audience rows."""
    accounts = {
        "alice": alice_instagram,
        "dana": SocialAccountFactory(platform=platform("twitter"), handle="dana_rads", faculty=dana),
        "nucmed": SocialAccountFactory(kind="department", faculty=None, department=northfield_nucmed),
        "northfield": SocialAccountFactory(kind="institution", faculty=None, institution=northfield_nucmed.institution),
        "southbay_program": SocialAccountFactory(kind="program", faculty=None, department=southbay_radiology),
    }
    for account in accounts.values():
        PostMetricsFactory(post=PostFactory(account=account), likes=1)
        AccountMetricsFactory(account=account)
        AudienceSnapshotFactory(account=account)
    return accounts


def visible_handles(user):
    return set(SocialAccount.objects.visible_to(user).values_list("handle", flat=True))


def test_superuser_sees_everything(world, root):
    assert visible_handles(root) == {a.handle for a in world.values()}
    assert Institution.objects.visible_to(root).count() == 2


def test_institution_admin_sees_everything_of_their_institution_only(world, nora):
    assert visible_handles(nora) == {"alice_rads", "dana_rads", world["nucmed"].handle, world["northfield"].handle}
    assert set(Institution.objects.visible_to(nora).values_list("slug", flat=True)) == {"northfield"}
    assert set(Department.objects.visible_to(nora).values_list("institution__slug", flat=True)) == {"northfield"}


def test_department_reviewer_sees_their_department_and_its_faculty(world, bob):
    # Bob reviews Northfield radiology: Alice and Dana, not nuclear medicine nor the institution account.
    assert visible_handles(bob) == {"alice_rads", "dana_rads"}
    assert set(Faculty.objects.visible_to(bob).values_list("name", flat=True)) == {"Alice Adams", "Dana Diaz"}


def test_institution_wide_reviewer_reads_the_whole_institution(world, northfield):
    dean = UserFactory(username="dean")
    Membership.objects.create(user=dean, institution=northfield, role=Membership.Role.REVIEWER)

    everything = {account.handle for account in world.values()}
    assert visible_handles(dean) == everything - {world["southbay_program"].handle}


def test_faculty_member_sees_only_their_own_data(world, alice):
    assert visible_handles(alice) == {"alice_rads"}
    assert list(Faculty.objects.visible_to(alice)) == [alice.faculty]
    assert Post.objects.visible_to(alice).count() == 1
    assert PostMetrics.objects.visible_to(alice).count() == 1
    assert Membership.objects.visible_to(alice).count() == 0


def test_a_peer_in_the_same_department_is_not_visible_to_a_faculty_member(world, alice, northfield_radiology):
    assert not Faculty.objects.visible_to(alice).filter(name="Dana Diaz").exists()


def test_faculty_with_two_appointments_belongs_to_both_institutions(world, nora, charlie, dana):
    assert Faculty.objects.visible_to(nora).filter(pk=dana.pk).exists()
    assert Faculty.objects.visible_to(charlie).filter(pk=dana.pk).exists()
    assert "dana_rads" in visible_handles(charlie)
    # ... but each admin sees only the appointment at their own institution.
    assert Appointment.objects.visible_to(charlie).filter(faculty=dana).count() == 1


def test_other_institution_admin_sees_none_of_northfields_rows(world, charlie):
    assert visible_handles(charlie) == {"dana_rads", world["southbay_program"].handle}
    assert not Faculty.objects.visible_to(charlie).filter(name="Alice Adams").exists()
    for model in (Post, PostMetrics, AccountMetrics, AudienceSnapshot):
        assert model.objects.visible_to(charlie).count() == 2, model


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(username="gone", is_active=False, is_superuser=True)
    for user in (AnonymousUser(), inactive):
        assert not SocialAccount.objects.visible_to(user).exists()
        assert not Institution.objects.visible_to(user).exists()


def test_administered_by_is_the_admin_scope_only(world, nora, bob, alice):
    assert set(SocialAccount.objects.administered_by(nora)) == set(SocialAccount.objects.visible_to(nora))
    assert not SocialAccount.objects.administered_by(bob).exists()
    assert not SocialAccount.objects.administered_by(alice).exists()


def test_roles_are_read_once_per_user_object(nora, django_assert_num_queries):
    with django_assert_num_queries(2):
        access_for(nora)
        access_for(nora)
    assert access_for(nora).is_institution_admin


def test_visibility_does_not_duplicate_rows_for_several_appointments(world, nora, dana, northfield_nucmed):
    from tests.factories import AppointmentFactory

    AppointmentFactory(faculty=dana, department=northfield_nucmed)

    assert SocialAccount.objects.visible_to(nora).filter(handle="dana_rads").count() == 1
    assert Faculty.objects.visible_to(nora).filter(pk=dana.pk).count() == 1
    assert Faculty.objects.visible_to(nora).count() == 2
