"""
The site's log: one line per record, LOG_LEVEL for our own loggers, WARNING for libraries, a bad level refused
at start-up.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.test_settings import django_check

PROJECT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<logger>[\w.]+) (?P<message>.+)$")


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
