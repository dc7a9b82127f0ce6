from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from metrics import views as metrics_views
from portfolio import views
from portfolio.dossiers import public_views as dossier_public_views

urlpatterns = [
    path("", views.home, name="home"),
    path("methods/", views.methods, name="methods"),
    path("compare/", include("portfolio.comparisons.urls")),
    path("imports/template.csv", metrics_views.import_template, name="import-template"),
    path("imports/", include("portfolio.imports.urls")),
    # Sign in and out only: the other auth views have no pages of their own yet.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("faculty/<int:pk>/", views.faculty_profile, name="faculty-profile"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("dossiers/", include("portfolio.dossiers.urls")),
    path("records/", include("portfolio.records.urls")),
    path("privacy/", include("portfolio.privacy.urls")),
    # Open without a login: a reviewer's link to one frozen version, and checking a copy of a dossier.
    path("r/<str:token>/", dossier_public_views.reviewer_page, name="share"),
    path("r/<str:token>/<str:file_format>/", dossier_public_views.reviewer_download, name="share-download"),
    path("verify/", dossier_public_views.verify, name="verify"),
    path("verify/v/<str:public_id>/", dossier_public_views.version_record, name="verify-version"),
    path("verify/v/<str:public_id>/original.pdf", dossier_public_views.version_original, name="verify-original"),
    path("verify/certificates/", dossier_public_views.certificates, name="verify-certificates"),
    path("verify/certificates/<str:fingerprint>.pem", dossier_public_views.certificate_pem, name="verify-certificate"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portfolio.api")),
]

# Under /api/ an unknown address and a crash answer JSON, as the API's own errors do; elsewhere the site's pages.
handler404 = "portfolio.errors.not_found"
handler500 = "portfolio.errors.server_error"
