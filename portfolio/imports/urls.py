from django.urls import path

from portfolio.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_page, name="upload"),
    path("<int:pk>/", views.batch_page, name="batch"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/file/", views.download, name="download"),
]
