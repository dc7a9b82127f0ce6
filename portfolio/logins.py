"""
Password guessing: after too many wrong passwords in a row for one username, that username is locked for a while,
on the site's sign-in page, the admin's and the API's token endpoint alike.

django-axes counts the failures in the database, so every worker of the site reads and adds to the same count and
a restart forgets nothing. A right password clears the count; while locked, even the right one is refused. A lock
ends by itself `LOGIN_LOCKOUT_MINUTES` after the last failure; an admin lifts it sooner with
`manage.py axes_reset_username <username>` (`axes_reset` lifts every lock).
"""

import datetime as dt

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone


class LoginAttemptsBackend(AxesStandaloneBackend):
    """Counts web sign-ins only: a sign-in without a request (a shell, a command, a test) is not a guess from
    outside, and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def carry_lock_to_django_request(request) -> None:
    """django-axes marks a lock on the request that `authenticate()` was given, which for the API's token endpoint
    is DRF's wrapper; its middleware, which answers "locked", reads Django's request underneath."""
    if getattr(request, "axes_locked_out", False) and hasattr(request, "_request"):
        request._request.axes_locked_out = True
        request._request.axes_credentials = getattr(request, "axes_credentials", None)


def lockout_message(cool_off: dt.timedelta) -> tuple[str, dt.datetime]:
    """The message for a locked username, and until when it is locked: each failure while locked starts the wait
    again (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`), so the lock ends `cool_off` after this attempt."""
    until = timezone.now() + cool_off
    minutes = round(cool_off.total_seconds() / 60)
    message = (
        f"Too many wrong passwords in a row: this login is locked for {minutes} minutes, until "
        f"{until:%H:%M} UTC. Wait until then, or ask an admin of your institution to lift the lock."
    )
    return message, until


def locked_out(request, original_response=None, credentials=None):
    """The answer to a sign-in while its username is locked: JSON under /api/, a page elsewhere. 429 both."""
    message, until = lockout_message(get_cool_off(request))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "locked_until": until.isoformat()}, status=429)
    return render(request, "registration/locked.html", {"message": message, "locked_until": until}, status=429)
