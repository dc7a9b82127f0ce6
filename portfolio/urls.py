from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from metrics import views as metrics_views
from portfolio import views

urlpatterns = [
    path("", views.home, name="home"),
    path("methods/", views.methods, name="methods"),
    path("compare/", include("portfolio.comparisons.urls")),
    path("imports/template.csv", metrics_views.import_template, name="import-template"),
    # Sign in and out only: the other auth views have no pages of their own yet.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("dossiers/", include("portfolio.dossiers.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portfolio.api")),
]
