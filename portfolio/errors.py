"""
Error answers: under /api/ always JSON (`{"detail": ...}`, as DRF answers), elsewhere the site's pages.

DRF answers its own views' errors; `api_exception_handler` is its single hook, where a refused write of any API view
is logged. An address under /api/ that no view matches, and a crash anywhere, reach Django's handlers below.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import JsonResponse
from django.views import defaults
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import exception_handler

from accounts.access import log_refused_write

API_PREFIX = "/api/"


def api_exception_handler(exc, context):
    request, view = context["request"], context["view"]
    # A write the role does not allow, whether a permission class or the view's own code refused it. Another
    # institution's object answers 404 and is not logged (see `log_refused_write`); nor is "not signed in".
    if isinstance(exc, PermissionDenied | DjangoPermissionDenied) and request.method not in permissions.SAFE_METHODS:
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        log_refused_write(request, object_id=getattr(view, "kwargs", {}).get(lookup))
    return exception_handler(exc, context)


def not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "A server error occurred. It has been logged."}, status=500)
    return defaults.server_error(request)
