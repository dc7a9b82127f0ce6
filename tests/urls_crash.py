"""The site's addresses plus two views that crash, for the tests of the 500 answers (tests/test_security_headers.py)."""

from django.urls import path

from portfolio.urls import handler404
from portfolio.urls import handler500
from portfolio.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def crash(request):
    raise RuntimeError("a crash the tests provoke")


urlpatterns = [path("api/v1/crash/", crash), path("crash/", crash), *site_urlpatterns]
