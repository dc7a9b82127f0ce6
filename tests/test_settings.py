"""Settings come from the environment and fail loudly on bad values."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def django_check(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "SITE_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_a_secret_key_is_required():
    result = django_check(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_debug_the_public_address_is_required():
    result = django_check(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="portfolio.example.edu")

    assert result.returncode != 0
    assert "SITE_URL='' must be the site's public address" in result.stderr


def test_a_public_address_without_a_scheme_is_refused():
    result = django_check(SITE_URL="portfolio.example.edu")

    assert result.returncode != 0
    assert "SITE_URL='portfolio.example.edu'" in result.stderr


def test_a_bad_boolean_is_refused_by_name():
    result = django_check(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_a_bad_time_zone_is_refused_by_name():
    result = django_check(TIME_ZONE="Mars/Olympus")

    assert result.returncode != 0
    assert "TIME_ZONE='Mars/Olympus'" in result.stderr


@pytest.mark.parametrize("debug", ["1", "0"])
def test_the_site_starts_with_a_working_configuration(debug):
    result = django_check(
        DEBUG=debug,
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="portfolio.example.edu",
        SITE_URL="https://portfolio.example.edu",
    )

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = django_check(
        "--deploy",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="portfolio.example.edu",
        SITE_URL="https://portfolio.example.edu",
    )
    output = result.stdout + result.stderr
    issues = re.findall(r"\((\w+\.[WE]\d+)\)", output)

    assert result.returncode == 0, output
    # HSTS preload binds a whole domain (often a university's) for months: an operator's
    # decision, behind SECURE_HSTS_PRELOAD, so its reminder is the only issue allowed.
    assert set(issues) <= {"security.W021"}, output


def database_options(url: str, *, command: bool = False, **env: str) -> str:
    """The connection options the settings give `url`: for the web (a server process), or for a management command."""
    environment = {key: value for key, value in os.environ.items() if key != "DB_STATEMENT_TIMEOUT_MS"}
    environment |= {"DATABASE_URL": url, **env}
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    run = ["manage.py", "shell", "-c", code] if command else ["-c", f"import django; django.setup(); {code}"]
    result = subprocess.run(
        [sys.executable, *run],
        cwd=PROJECT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "portfolio.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("", "-c jit=off"),
        ("?options=-c%20search_path%3Dreports", "-c search_path=reports -c jit=off"),  # added to the URL's own
        ("?options=-c%20jit%3Don", "-c jit=on"),  # the URL's own choice stands
    ],
)
def test_postgresql_connections_turn_jit_off_unless_the_url_says(query, options):
    # A management command's connection: the same, without a statement timeout.
    url = f"postgres://postgres@127.0.0.1:5432/some_portfolio{query}"
    assert database_options(url, command=True) == str({"options": options})


def test_a_request_waits_at_most_five_seconds_for_a_statement_on_postgresql():
    options = database_options("postgres://postgres@127.0.0.1:5432/some_portfolio")

    assert options == str({"options": "-c jit=off -c statement_timeout=5000"})


def test_the_statement_timeout_is_a_setting_and_0_turns_it_off():
    url = "postgres://postgres@127.0.0.1:5432/some_portfolio"

    assert "statement_timeout=2500" in database_options(url, DB_STATEMENT_TIMEOUT_MS="2500")
    assert "statement_timeout" not in database_options(url, DB_STATEMENT_TIMEOUT_MS="0")


def test_a_management_command_runs_without_a_statement_timeout():
    assert "statement_timeout" not in database_options("postgres://postgres@127.0.0.1:5432/x", command=True)


def test_the_urls_own_statement_timeout_stands():
    url = "postgres://postgres@127.0.0.1:5432/some_portfolio?options=-c%20statement_timeout%3D100"

    assert database_options(url) == str({"options": "-c statement_timeout=100 -c jit=off"})


def test_sqlite_gets_no_postgresql_options():
    assert "jit" not in database_options("sqlite:///portfolio.sqlite3")


@pytest.mark.django_db
def test_the_test_databases_connection_carries_the_statement_timeout_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no statement timeout.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [("", "django.core.cache.backends.db.DatabaseCache"), ("redis://127.0.0.1:6379/0", "redis.RedisCache")],
)
def test_the_shared_cache_is_the_database_unless_redis_url_is_set(redis_url, backend):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=PROJECT,
        env={**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "portfolio.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(backend)
