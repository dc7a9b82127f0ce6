"""
Finding the record a page is about, in the user's scope: another institution's (or a peer's) answers 404, so it
is not revealed to exist; one the user may read but not change, on a page that changes it, answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.access import log_refused_write


def record_for(request, queryset, pk: int, *, change: bool = False):
    """The row `pk` of `queryset` (a scoped QuerySet) if the user may read it, and, with `change`, change it."""
    record = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    if change and not queryset.model.objects.editable_by(request.user).filter(pk=pk).exists():
        log_refused_write(request, object_id=pk)
        raise PermissionDenied("You may read this record but not change it.")
    return record
