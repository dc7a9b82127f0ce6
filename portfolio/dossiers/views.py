"""
The dossier builder: list, create, edit, highlights, and the live dossier page.

Who may do what (DESIGN.md): a faculty member builds their own dossiers; an institution admin builds them
for the faculty of their institution; a reviewer of the faculty member's departments reads them; everyone
else gets 404, so another institution's dossier is not revealed to exist. A change the role does not allow,
within one's own institution, answers 403. Activities have their own module, `activity_views.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_refused_write
from portfolio.dossiers import render as dossier_render
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.forms import (
    AddHighlightForm,
    DossierCreateForm,
    DossierForm,
    HighlightForm,
    faculty_choices,
)
from portfolio.dossiers.models import Dossier
from portfolio.pagination import InvalidCursor, keyset_page

CANDIDATES_PER_PAGE = 20


def dossier_for(request, pk: int, *, change: bool = False) -> Dossier:
    """The dossier if `request.user` may read it (else 404) and, with `change`, change it (else 403)."""
    dossiers = Dossier.objects.visible_to(request.user).select_related("faculty", "scoring_profile__institution")
    # Another institution's dossier is a 404, not logged: routine, and it reveals nothing.
    dossier = get_object_or_404(dossiers, pk=pk)
    if change and not can_change(request.user, dossier):
        # Every page that changes a dossier (its versions and reviewer links included) asks here first.
        log_refused_write(request, object_id=dossier.pk)
        raise PermissionDenied("You may read this dossier but not change it.")
    return dossier


def can_change(user, dossier: Dossier) -> bool:
    return Dossier.objects.editable_by(user).filter(pk=dossier.pk).exists()


@login_required
def dossier_list(request):
    dossiers = Dossier.objects.visible_to(request.user).select_related("faculty").order_by("-updated_at")
    context = {
        "dossiers": list(dossiers),
        "can_create": faculty_choices(request.user).exists(),
    }
    return render(request, "dossiers/list.html", context)


@login_required
def dossier_create(request):
    if not faculty_choices(request.user).exists():
        log_refused_write(request)
        raise PermissionDenied("Only faculty members and institution admins build dossiers.")
    form = DossierCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.created_by = request.user
            dossier = form.save()
        messages.success(request, "Dossier created. Write your narrative and choose its accounts.")
        return redirect("dossiers:edit", pk=dossier.pk)
    return render(request, "dossiers/create.html", {"form": form})


@login_required
def dossier_detail(request, pk: int):
    """The live dossier: the same document a frozen version stores, inside the site."""
    dossier = dossier_for(request, pk)
    data = dossier_data(dossier)
    context = {
        "dossier": dossier,
        "can_change": can_change(request.user, dossier),
        **dossier_render.document_context(data),
    }
    return render(request, "dossiers/detail.html", context)


@login_required
def dossier_edit(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    form = DossierForm(request.POST or None, instance=dossier)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Dossier saved.")
        return redirect("dossiers:edit", pk=dossier.pk)
    return render(request, "dossiers/edit.html", {"dossier": dossier, "form": form, "tab": "edit"})


@login_required
def dossier_highlights(request, pk: int):
    """The highlighted posts (order, note, category, privacy check) and the posts that could be added."""
    dossier = dossier_for(request, pk, change=True)
    highlights = list(
        dossier.highlight_rows.select_related("post__account__platform", "privacy_acknowledged_by").order_by(
            "position", "pk"
        )
    )
    forms = [HighlightForm(request.POST or None, highlight=highlight) for highlight in highlights]
    if request.method == "POST":
        if all(form.is_valid() for form in forms):
            with transaction.atomic():
                for form in forms:
                    form.save()
            messages.success(request, "Highlights saved.")
            return redirect("dossiers:highlights", pk=dossier.pk)
        messages.error(request, "Some highlights could not be saved: see the fields marked below.")

    highlighted = {highlight.post_id for highlight in highlights}
    query = request.GET.get("q", "").strip()
    candidates = dossier.highlightable_posts().exclude(pk__in=highlighted).select_related("account__platform")
    if query:
        candidates = candidates.filter(caption__icontains=query)
    try:
        # By keyset: a faculty member with years of daily posts pages as fast on the last page as on the first.
        page = keyset_page(
            candidates.order_by("-published_at", "-pk"),
            cursor=request.GET.get("cursor"),
            page_size=CANDIDATES_PER_PAGE,
        )
    except InvalidCursor:
        page = keyset_page(candidates.order_by("-published_at", "-pk"), cursor=None, page_size=CANDIDATES_PER_PAGE)
    context = {
        "dossier": dossier,
        "tab": "highlights",
        "rows": [
            {"form": form, "highlight": form.highlight, "privacy": form.highlight.unresolved_privacy_flags()}
            for form in forms
        ],
        "page": page,
        "candidates": page.rows,
        "query": query,
    }
    return render(request, "dossiers/highlights.html", context)


@login_required
@require_POST
def highlight_add(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    form = AddHighlightForm(request.POST, dossier=dossier)
    if form.is_valid():
        form.save()
        messages.success(request, "Post highlighted. Say why below.")
    else:
        messages.error(request, " ".join(form.errors["post"]))
    return redirect("dossiers:highlights", pk=dossier.pk)


@login_required
@require_POST
def highlight_acknowledge(request, pk: int, highlight_pk: int):
    """The faculty member (or admin) has read the privacy flags and confirms the caption identifies no patient."""
    dossier = dossier_for(request, pk, change=True)
    highlight = get_object_or_404(dossier.highlight_rows, pk=highlight_pk)
    highlight.privacy_acknowledged_by = request.user
    highlight.privacy_acknowledged_at = timezone.now()
    highlight.save(update_fields=["privacy_acknowledged_by", "privacy_acknowledged_at"])
    messages.success(request, "Privacy flags acknowledged for this post.")
    return redirect("dossiers:highlights", pk=dossier.pk)


@login_required
@require_POST
def highlight_remove(request, pk: int, highlight_pk: int):
    dossier = dossier_for(request, pk, change=True)
    get_object_or_404(dossier.highlight_rows, pk=highlight_pk).delete()
    messages.success(request, "Post removed from the highlights.")
    return redirect("dossiers:highlights", pk=dossier.pk)
