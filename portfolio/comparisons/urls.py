from django.urls import path, re_path

from portfolio.comparisons import views

urlpatterns = [
    path("", views.comparison, name="compare"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="compare-export"),
    path("series/", views.series_page, name="compare-series"),
    path("best-time/", views.heatmap_page, name="compare-heatmap"),
    path("what-works/", views.what_works_page, name="compare-what-works"),
]
