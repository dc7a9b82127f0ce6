"""The site's URLs plus two reference endpoints, for the API benchmark only (`override_settings(ROOT_URLCONF=...)`)."""

from django.urls import include, path

from portfolio.benchmarks.api import BARE_PATH, PLAIN_LIST_PATH, BareView, PlainPostList

urlpatterns = [
    path(BARE_PATH.lstrip("/"), BareView.as_view()),
    path(PLAIN_LIST_PATH.lstrip("/"), PlainPostList.as_view()),
    path("", include("portfolio.urls")),
]
