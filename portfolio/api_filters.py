"""
The API's filter backend: django-filter's, which skips the filter set when a request names no filter.

Building a filter set costs a form with a field per filter, each related choice scoped to the user (a
queryset per filter), and its validation: about as much CPU as a plain page of 50 rows, on every request of
every list, also when nothing is filtered. A request whose query names only the list's own parameters
(`NOT_FILTERS`) has nothing for the filter set to do: every filter leaves the rows as they are when its
parameter is absent. The browsable API's filter form is built as before (`to_html`).
"""

from django_filters.rest_framework import DjangoFilterBackend

# Query parameters of the pagination, the ordering and the renderer: never a filter's.
NOT_FILTERS = frozenset({"cursor", "page", "page_size", "ordering", "format"})


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
