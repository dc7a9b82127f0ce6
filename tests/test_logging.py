"""
The site's log: its configuration (one line per record, LOG_LEVEL for our own loggers, WARNING for libraries,
a bad level refused at start-up) and the line of every refused write, which carries ids and never a name, an
e-mail address or what the request tried to write. The lines of freezing and of reviewer links are tested
beside those features (test_dossier_freezing.py, test_dossier_sharing.py).
"""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.test_settings import django_check

pytest_plugins = ["tests.api_fixtures", "tests.dossier_fixtures"]

PROJECT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<logger>[\w.]+) (?P<message>.+)$")

# What Alice's records hold that no log line may repeat.
ALICE_EMAIL = "alice@northfield.example"


def log_lines(*, code: str, **env: str) -> list[str]:
    """The console lines written while the site, configured with `env`, runs `code` (a few log calls)."""
    environment = {key: value for key, value in os.environ.items() if key != "LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-c", f"import django, logging; django.setup(); {code}"],
        cwd=PROJECT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "portfolio.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


# Configuration --------------------------------------------------------------------------------------------------------


def test_a_bad_log_level_is_refused_by_name_at_start_up():
    result = django_check(LOG_LEVEL="LOUD")

    assert result.returncode != 0
    assert "LOG_LEVEL='LOUD' is not a log level" in result.stderr


def test_each_record_is_one_line_with_time_level_logger_and_message():
    lines = log_lines(code="logging.getLogger('portfolio.dossiers.freezing').info('Dossier %s frozen', 7)")

    [line] = lines
    match = LINE.match(line)
    assert match, line
    assert match.group("level", "logger", "message") == ("INFO", "portfolio.dossiers.freezing", "Dossier 7 frozen")


def test_log_level_sets_the_level_of_the_sites_own_loggers_and_accepts_lower_case():
    code = "; ".join(
        f"logging.getLogger('{name}').{level}('{name} {level}')"
        for name in ("accounts.access", "metrics.imports", "portfolio.dossiers.sharing")
        for level in ("debug", "info", "warning")
    )

    quiet = log_lines(code=code, LOG_LEVEL="warning")
    verbose = log_lines(code=code, LOG_LEVEL="DEBUG")

    assert [line.split(" ", 2)[2] for line in quiet] == [
        "WARNING accounts.access accounts.access warning",
        "WARNING metrics.imports metrics.imports warning",
        "WARNING portfolio.dossiers.sharing portfolio.dossiers.sharing warning",
    ]
    assert len(verbose) == 9


def test_libraries_log_from_warning_whatever_the_level():
    code = (
        "logging.getLogger('weasyprint').info('Step 2 - Fetching and parsing CSS'); "
        "logging.getLogger('fontTools.subset').info('Glyph names retained'); "
        "logging.getLogger('django.db.backends').debug('SELECT 1'); "
        "logging.getLogger('weasyprint').warning('Ignored a CSS rule')"
    )

    lines = log_lines(code=code, LOG_LEVEL="DEBUG")

    assert [line.split(" ", 2)[2] for line in lines] == ["WARNING weasyprint Ignored a CSS rule"]


def test_djangos_404_lines_are_left_out_and_its_other_4xx_lines_kept():
    code = (
        "log = logging.getLogger('django.request'); "
        "log.warning('Not Found: %s', '/r/a-reviewer-token/', extra={'status_code': 404}); "
        "log.warning('Forbidden (Permission denied): %s', '/admin/', extra={'status_code': 403})"
    )

    lines = log_lines(code=code)

    assert [line.split(" ", 2)[2] for line in lines] == [
        "WARNING django.request Forbidden (Permission denied): /admin/"
    ]


# Refused writes -------------------------------------------------------------------------------------------------------


def assert_private_data_absent(text: str, *extra: str) -> None:
    for private in (ALICE_EMAIL, "Alice Adams", "Segond fracture", *extra):
        assert private not in text


def refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "accounts.access"]


@pytest.mark.django_db
def test_a_write_the_api_refuses_is_logged_with_user_method_view_and_object(dossier, bob, api_client, caplog):
    dossier.submit()  # a reviewer reads a dossier once submitted; a draft is a 404 to them
    api = api_client(bob)

    changed = api.patch(f"/api/v1/dossiers/{dossier.pk}/", {"title": "Bob's title", "narrative": ALICE_EMAIL})
    frozen = api.post(f"/api/v1/dossiers/{dossier.pk}/freeze/")
    created = api.post("/api/v1/dossiers/", {"faculty": dossier.faculty_id, "title": "Bob's dossier"})

    assert changed.status_code == frozen.status_code == created.status_code == 403
    assert refusals(caplog) == [
        f"Change refused: user {bob.pk}, PATCH dossier-detail, object {dossier.pk}",
        f"Change refused: user {bob.pk}, POST dossier-freeze, object {dossier.pk}",
        f"Change refused: user {bob.pk}, POST dossier-list, object -",
    ]
    assert all(record.levelno == logging.WARNING for record in caplog.records if record.name == "accounts.access")
    assert_private_data_absent(caplog.text, "Bob's title")


@pytest.mark.django_db
def test_a_write_refused_once_saved_is_logged_too(world, api_client, caplog):
    """Alice sees her department, but may not hand her account to it: refused after the save, and rolled back."""
    alice, account = world.people["alice"], world.get("accounts", "alice")
    change = {"kind": "department", "faculty": None, "department": world.get("departments", "alice").pk}

    response = api_client(alice).patch(f"/api/v1/accounts/{account.pk}/", change)

    assert response.status_code == 403
    assert refusals(caplog) == [f"Change refused: user {alice.pk}, PATCH socialaccount-detail, object {account.pk}"]
    assert "alice_rads" not in caplog.text


@pytest.mark.django_db
def test_reads_and_other_institutions_404s_are_not_logged_as_refusals(dossier, bob, charlie, api_client, caplog):
    dossier.submit()
    assert api_client(bob).get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200
    assert api_client(charlie).patch(f"/api/v1/dossiers/{dossier.pk}/", {"title": "Charlie's"}).status_code == 404
    assert api_client(charlie).post(f"/api/v1/dossiers/{dossier.pk}/freeze/").status_code == 404

    assert refusals(caplog) == []


@pytest.mark.django_db
def test_a_change_the_dossier_pages_refuse_is_logged(dossier, version, bob, charlie, signed_in, caplog):
    dossier.submit()
    reviewer = signed_in(bob)

    edit = reviewer.post(reverse("dossiers:edit", args=[dossier.pk]), {"title": "Changed by a reviewer"})
    frozen = reviewer.post(reverse("dossiers:freeze", args=[dossier.pk]))
    create = reviewer.get(reverse("dossiers:create"))
    elsewhere = signed_in(charlie).post(reverse("dossiers:edit", args=[dossier.pk]), {"title": "Charlie's"})

    assert edit.status_code == frozen.status_code == create.status_code == 403
    assert elsewhere.status_code == 404
    assert refusals(caplog) == [
        f"Change refused: user {bob.pk}, POST dossiers:edit, object {dossier.pk}",
        f"Change refused: user {bob.pk}, POST dossiers:freeze, object {dossier.pk}",
        f"Change refused: user {bob.pk}, GET dossiers:create, object -",
    ]
    assert_private_data_absent(caplog.text, "Changed by a reviewer")
