from django.urls import path

from portfolio.privacy import views

app_name = "privacy"

urlpatterns = [
    path("check/", views.check, name="check"),
]
