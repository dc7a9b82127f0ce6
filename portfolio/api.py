"""
The REST API under /api/v1/: one router for every resource, token sign-in,
the OpenAPI schema and its documentation pages (assets served by this site).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import routers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from accounts import api as accounts_api
from metrics import api as metrics_api
from metrics import imports_api, jobs_api
from portfolio.dossiers import api as dossiers_api
from portfolio.logins import carry_lock_to_django_request
from portfolio.privacy.api import PrivacyCheckView


class ObtainToken(ObtainAuthToken):
    """POST username and password, get `{"token": ...}` for `Authorization: Token <key>`."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def handle_exception(self, exc):
        # A wrong password raises; when it is the one that locks the username, the answer becomes "locked".
        carry_lock_to_django_request(self.request)
        return super().handle_exception(exc)


router = routers.DefaultRouter()
router.register("institutions", accounts_api.InstitutionViewSet)
router.register("departments", accounts_api.DepartmentViewSet)
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("memberships", accounts_api.MembershipViewSet)
router.register("faculty", accounts_api.FacultyViewSet)
router.register("appointments", accounts_api.AppointmentViewSet)
router.register("platforms", accounts_api.PlatformViewSet)
# Metrics' viewset: accounts' own, with each account's followers, engagement and audience.
router.register("accounts", metrics_api.SocialAccountViewSet)
router.register("posts", metrics_api.PostViewSet)
# Before "post-metrics/{id}/" so that "bulk" is not read as an id.
router.register("post-metrics", metrics_api.PostMetricsViewSet)
router.register("account-metrics", metrics_api.AccountMetricsViewSet)
router.register("audience", metrics_api.AudienceSnapshotViewSet)
router.register("imports", imports_api.ImportBatchViewSet)
router.register("jobs", jobs_api.BackgroundJobViewSet)
router.register("dossiers", dossiers_api.DossierViewSet)
router.register("activities", dossiers_api.ActivityViewSet)
router.register("dossier-versions", dossiers_api.DossierVersionViewSet, basename="dossier-version")
router.register("share-links", dossiers_api.ShareLinkViewSet)

urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("compare/", include("portfolio.comparisons.api")),
    path("privacy-check/", PrivacyCheckView.as_view(), name="api-privacy-check"),
    path("", include(router.urls)),
]
