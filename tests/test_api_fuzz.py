"""
Property-based fuzzing of the API against its own OpenAPI schema (schemathesis).

Every operation of /api/v1/schema/ gets generated requests, valid and invalid,
as a superuser and as a faculty member; no answer may be a server error, use a
status code or content type the schema does not declare, or carry a body that
contradicts the schema. Bounded (a few examples per operation, derandomised) so
that CI stays fast and repeatable.
"""

import pytest
import schemathesis
from django.core.signals import request_finished
from django.core.signals import request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from portfolio.wsgi import application
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.slow

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection open across in-process requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, in_process_requests):
    root = UserFactory(username="fuzz-root", is_staff=True, is_superuser=True)
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        application,
        headers={"Authorization": f"Token {Token.objects.create(user=root).key}"},
    )


@pytest.fixture
def people(alice_instagram, nora, dana, southbay_radiology):
    """Real rows in both institutions, so that generated ids sometimes hit something."""
    post = PostFactory(account=alice_instagram)
    PostMetricsFactory(post=post, likes=10, impressions=100)
    AccountMetricsFactory(account=alice_instagram)
    AudienceSnapshotFactory(account=alice_instagram)
    root = UserFactory(username="root-fuzzer", is_staff=True, is_superuser=True)
    return {
        "superuser": Token.objects.create(user=root).key,
        "faculty": Token.objects.create(user=alice_instagram.faculty.user).key,
        "admin": Token.objects.create(user=nora).key,
    }


@pytest.mark.parametrize("role", ["superuser", "faculty", "admin"])
def test_no_operation_answers_a_server_error_or_breaks_its_schema(api_schema, people, role):
    headers = {"Authorization": f"Token {people[role]}"}
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/token/":
            continue  # throttled by design; the resource tests cover it
        failures.extend(fuzz(operation, headers))

    assert not failures, "\n\n".join(failures)


def fuzz(operation, headers) -> list[str]:
    """Run generated cases of one operation; the first failure is reported (with how to reproduce it)."""
    found = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as error:  # one operation's failure must not hide the others'
        found.append(f"{operation.method.upper()} {operation.path}: {error}")
    return found
