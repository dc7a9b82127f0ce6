from django.urls import path

from portfolio.dossiers import activity_views, lifecycle_views, version_views, views

app_name = "dossiers"

urlpatterns = [
    # Building a dossier
    path("", views.dossier_list, name="list"),
    path("new/", views.dossier_create, name="create"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/edit/", views.dossier_edit, name="edit"),
    path("<int:pk>/submit/", lifecycle_views.dossier_submit, name="submit"),
    path("<int:pk>/archive/", lifecycle_views.dossier_archive, name="archive"),
    path("<int:pk>/delete/", lifecycle_views.dossier_delete, name="delete"),
    path("<int:pk>/duplicate/", lifecycle_views.dossier_duplicate, name="duplicate"),
    path("<int:pk>/highlights/", views.dossier_highlights, name="highlights"),
    path("<int:pk>/highlights/add/", views.highlight_add, name="highlight-add"),
    path(
        "<int:pk>/highlights/<int:highlight_pk>/acknowledge/",
        views.highlight_acknowledge,
        name="highlight-acknowledge",
    ),
    path("<int:pk>/highlights/<int:highlight_pk>/remove/", views.highlight_remove, name="highlight-remove"),
    path("<int:pk>/highlights/<int:highlight_pk>/evidence/", views.highlight_evidence, name="highlight-evidence"),
    path(
        "<int:pk>/highlights/<int:highlight_pk>/evidence/acknowledge/",
        views.highlight_evidence_acknowledge,
        name="highlight-evidence-acknowledge",
    ),
    path("<int:pk>/activities/", activity_views.activity_list, name="activities"),
    path("<int:pk>/activities/new/", activity_views.activity_create, name="activity-create"),
    path("<int:pk>/activities/<int:activity_pk>/edit/", activity_views.activity_edit, name="activity-edit"),
    path("<int:pk>/activities/<int:activity_pk>/delete/", activity_views.activity_delete, name="activity-delete"),
    # Versions, exports and sharing
    path("<int:pk>/versions/", version_views.versions, name="versions"),
    path("<int:pk>/freeze/", version_views.freeze_dossier, name="freeze"),
    path("<int:pk>/versions/<int:number>/", version_views.version_page, name="version"),
    path(
        "<int:pk>/versions/<int:number>/download/<str:file_format>/",
        version_views.version_download,
        name="version-download",
    ),
    path(
        "<int:pk>/versions/<int:number>/evidence/<int:position>/",
        version_views.version_evidence_image,
        name="version-evidence-image",
    ),
    path("<int:pk>/versions/<int:number>/links/", version_views.create_share_link, name="create-link"),
    path("<int:pk>/links/<int:link_pk>/revoke/", version_views.revoke_share_link, name="revoke-link"),
    path("<int:pk>/download/<str:file_format>/", version_views.live_download, name="download"),
    path("<int:pk>/pdf/<int:job_pk>/", version_views.job_pdf, name="job-pdf"),
]
