from django.urls import path

from portfolio.records import account_views, views

app_name = "records"

urlpatterns = [
    path("", views.post_list, name="posts"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:pk>/snapshots/add/", views.snapshot_add, name="snapshot-add"),
    path("snapshots/<int:pk>/edit/", views.snapshot_edit, name="snapshot-edit"),
    path("snapshots/<int:pk>/verify/", views.snapshot_verify, name="snapshot-verify"),
    path("accounts/", account_views.account_list, name="accounts"),
    path("accounts/add/", account_views.account_add, name="account-add"),
    path("accounts/<int:pk>/edit/", account_views.account_edit, name="account-edit"),
]
