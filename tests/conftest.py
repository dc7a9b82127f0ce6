"""
The people of the tests.

Northfield University has a radiology and a nuclear-medicine department;
Southbay Medical College has a radiology department.
- Alice is a radiologist at Northfield with her own login and an Instagram account.
- Bob reviews Northfield radiology (a department reviewer).
- Nora is Northfield's institution admin (staff, not superuser).
- Charlie is Southbay's institution admin: he must see none of Northfield's data.
- Dana holds appointments at Northfield radiology AND Southbay radiology.
- Root is a superuser.
"""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Membership
from tests.factories import AppointmentFactory
from tests.factories import DepartmentFactory
from tests.factories import FacultyFactory
from tests.factories import InstitutionFactory
from tests.factories import MembershipFactory
from tests.factories import SocialAccountFactory
from tests.factories import UserFactory
from tests.factories import platform


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def northfield(db):
    return InstitutionFactory(name="Northfield University", slug="northfield", country="US")


@pytest.fixture
def southbay(db):
    return InstitutionFactory(name="Southbay Medical College", slug="southbay", country="GB", timezone="Europe/London")


@pytest.fixture
def northfield_radiology(northfield):
    return DepartmentFactory(institution=northfield, name="Radiology", slug="radiology")


@pytest.fixture
def northfield_nucmed(northfield):
    return DepartmentFactory(institution=northfield, name="Nuclear Medicine", slug="nuclear-medicine")


@pytest.fixture
def southbay_radiology(southbay):
    return DepartmentFactory(institution=southbay, name="Radiology", slug="radiology")


@pytest.fixture
def alice(northfield_radiology):
    """Alice's login; her Faculty record is `alice.faculty`."""
    user = UserFactory(username="alice", first_name="Alice", last_name="Adams")
    faculty = FacultyFactory(name="Alice Adams", email="alice@northfield.example", user=user)
    AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)
    return user


@pytest.fixture
def alice_instagram(alice):
    return SocialAccountFactory(platform=platform("instagram"), handle="alice_rads", faculty=alice.faculty)


@pytest.fixture
def peter(northfield_nucmed):
    """Alice's colleague in nuclear medicine: same institution, another department, none of her data."""
    user = UserFactory(username="peter", first_name="Peter", last_name="Park")
    faculty = FacultyFactory(name="Peter Park", email="peter@northfield.example", user=user)
    AppointmentFactory(faculty=faculty, department=northfield_nucmed, primary=True)
    return user


@pytest.fixture
def bob(northfield_radiology):
    user = UserFactory(username="bob")
    MembershipFactory(
        user=user,
        institution=northfield_radiology.institution,
        department=northfield_radiology,
        role=Membership.Role.REVIEWER,
    )
    return user


@pytest.fixture
def nora(northfield):
    user = UserFactory(username="nora", is_staff=True)
    MembershipFactory(user=user, institution=northfield, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def charlie(southbay):
    user = UserFactory(username="charlie", is_staff=True)
    MembershipFactory(user=user, institution=southbay, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def dana(northfield_radiology, southbay_radiology):
    faculty = FacultyFactory(name="Dana Diaz", email="dana@example.org")
    AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)
    AppointmentFactory(faculty=faculty, department=southbay_radiology)
    return faculty


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def new_faculty_form():
    """
    `new_faculty_form(department=None, **fields)`: what the admin's faculty form posts for Nadia New, a new
    person with one appointment, in `department` (left blank when None); `fields` add keys or replace them.
    """

    def form(department=None, **fields) -> dict:
        return {
            "name": "Nadia New",
            "email": "nadia@northfield.example",
            "rank": "",
            "track": "",
            "orcid": "",
            "user": "",
            "appointments-TOTAL_FORMS": "1",
            "appointments-INITIAL_FORMS": "0",
            "appointments-MIN_NUM_FORMS": "0",
            "appointments-MAX_NUM_FORMS": "1000",
            "appointments-0-department": "" if department is None else str(department.pk),
            "appointments-0-title": "",
            "appointments-0-start_date": "",
            "appointments-0-end_date": "",
            **fields,
        }

    return form


@pytest.fixture(scope="session")
def run_benchmark():
    """
    Runs `manage.py <command> <arguments>` and returns what it printed, for the benchmark modules' `report`.

    A benchmark builds its data set from scratch, for seconds, so each module's `report` fixture is
    session-scoped. Module scope built it twice: pytest-django runs the database tests of the whole run
    before the others, which splits a module that has one `django_db` test among plain ones in two, and pytest
    tears a module fixture down as soon as another module's test comes next. A second run of the same command
    fails the test that asked for it, so a rebuild cannot come back unnoticed.
    """
    runs = Counter()

    def run(command: str, *arguments: str) -> str:
        invocation = (command, *arguments)
        runs[invocation] += 1
        if runs[invocation] > 1:
            pytest.fail(f"`{' '.join(invocation)}` built its data a second time in this run; it should run once.")
        out = StringIO()
        call_command(command, *arguments, stdout=out)
        return out.getvalue()

    return run
