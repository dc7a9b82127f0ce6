from django.urls import path

from portfolio.dossiers import version_views

app_name = "dossiers"

urlpatterns = [
    # Frozen versions, reviewer links and downloads.
    path("<int:pk>/versions/", version_views.versions, name="versions"),
    path("<int:pk>/freeze/", version_views.freeze_dossier, name="freeze"),
    path("<int:pk>/versions/<int:number>/", version_views.version_page, name="version"),
    path(
        "<int:pk>/versions/<int:number>/download/<str:file_format>/",
        version_views.version_download,
        name="version-download",
    ),
    path("<int:pk>/versions/<int:number>/links/", version_views.create_share_link, name="create-link"),
    path("<int:pk>/links/<int:link_pk>/revoke/", version_views.revoke_share_link, name="revoke-link"),
    path("<int:pk>/download/<str:file_format>/", version_views.live_download, name="download"),
]
