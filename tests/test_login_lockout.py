"""
Password guessing: the 6th wrong password in a row for one username answers "locked", on the site's sign-in page,
the admin's and the API's token endpoint, whichever client (worker) the guesses come through.
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD

WRONG = "not-her-password"


def site_sign_in(client, password):
    return client.post(reverse("login"), {"username": "alice", "password": password})


def admin_sign_in(client, password):
    return client.post(reverse("admin:login"), {"username": "alice", "password": password})


def token_sign_in(client, password):
    return client.post("/api/v1/auth/token/", {"username": "alice", "password": password})


SIGN_INS = {"site": (Client, site_sign_in), "admin": (Client, admin_sign_in), "token": (APIClient, token_sign_in)}


def is_locked(response) -> bool:
    return response.status_code == 429 and "locked for 15 minutes" in response.content.decode()


@pytest.mark.parametrize("sign_in", SIGN_INS)
def test_the_sixth_wrong_password_in_a_row_is_locked_whichever_worker_counts(alice, sign_in):
    make_client, post = SIGN_INS[sign_in]
    # Two clients, as two workers of the site would see them: the count is in the database, not in either one.
    first, second = make_client(), make_client()

    answers = [post(first if attempt % 2 else second, WRONG) for attempt in range(5)]
    sixth = post(first, WRONG)

    assert not any(is_locked(answer) for answer in answers)
    assert is_locked(sixth)
    assert "until" in sixth.content.decode()
    # While locked, even the right password is refused, through the other client too.
    assert is_locked(post(second, PASSWORD))


def test_the_token_endpoint_answers_the_lock_in_json(alice):
    for _ in range(5):
        token_sign_in(APIClient(), WRONG)

    body = token_sign_in(APIClient(), WRONG).json()

    assert "locked" in body["detail"]
    assert body["locked_until"]


def test_a_lock_holds_across_the_three_sign_ins(alice):
    for _ in range(5):
        site_sign_in(Client(), WRONG)

    assert is_locked(token_sign_in(APIClient(), WRONG))
    assert is_locked(admin_sign_in(Client(), PASSWORD))


def test_a_right_password_clears_the_count(alice):
    for _ in range(4):
        site_sign_in(Client(), WRONG)
    site_sign_in(Client(), PASSWORD)

    answers = [site_sign_in(Client(), WRONG) for _ in range(4)]

    assert not any(is_locked(answer) for answer in answers)


def test_the_reset_command_lifts_a_lock(alice, capsys):
    for _ in range(6):
        site_sign_in(Client(), WRONG)
    assert is_locked(site_sign_in(Client(), PASSWORD))

    call_command("axes_reset_username", "alice")

    assert site_sign_in(Client(), PASSWORD).status_code == 302


def test_the_api_throttle_counts_in_the_shared_cache_not_in_a_worker(db):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {"django.core.cache.backends.db.DatabaseCache", "django.core.cache.backends.redis.RedisCache"}
    assert "locmem" not in type(caches["default"]).__module__
    if backend.endswith("DatabaseCache"):
        caches["default"].clear()

        APIClient().post("/api/v1/auth/token/", {"username": "nobody", "password": WRONG})

        # The count is a row of the database table that every worker reads.
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM django_cache")
            assert any("throttle_token" in key for (key,) in cursor.fetchall())


def test_many_usernames_from_one_address_are_throttled(db):
    caches["default"].clear()
    answers = [APIClient().post("/api/v1/auth/token/", {"username": f"user{n}", "password": WRONG}) for n in range(20)]

    assert [answer.status_code for answer in answers] == [400] * 20
    assert APIClient().post("/api/v1/auth/token/", {"username": "user21", "password": WRONG}).status_code == 429
