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
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.access import log_refused_write
from portfolio.dossiers import picker
from portfolio.dossiers import render as dossier_render
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.evidence_forms import EvidenceForm, evidence_upload_limit
from portfolio.dossiers.evidence_models import HighlightEvidence
from portfolio.dossiers.forms import (
    AddHighlightForm,
    DossierCreateForm,
    DossierForm,
    HighlightForm,
    faculty_choices,
)
from portfolio.dossiers.models import Dossier
from portfolio.lib.images import ImageRefused


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
    """Dossiers in work (drafts and submitted ones), or with `?show=archived` the archived ones."""
    archived = request.GET.get("show") == "archived"
    dossiers = (
        Dossier.objects.visible_to(request.user)
        .listed(archived=archived)
        .select_related("faculty")
        .order_by("-updated_at")
    )
    context = {
        "dossiers": list(dossiers),
        "archived": archived,
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
    may_change = can_change(request.user, dossier)
    context = {
        "dossier": dossier,
        "can_change": may_change,
        "has_versions": may_change and not dossier.may_be_deleted(),
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
    forms = [HighlightForm(request.POST or None, highlight=highlight) for highlight in _highlights_of(dossier)]
    if request.method == "POST":
        if all(form.is_valid() for form in forms):
            with transaction.atomic():
                for form in forms:
                    form.save()
            messages.success(request, "Highlights saved.")
            return redirect("dossiers:highlights", pk=dossier.pk)
        messages.error(request, "Some highlights could not be saved: see the fields marked below.")
    return _highlights_page(request, dossier, forms)


def _highlights_of(dossier: Dossier) -> list:
    return list(
        dossier.highlight_rows.select_related(
            "post__account__platform", "privacy_acknowledged_by", "evidence__privacy_acknowledged_by"
        ).order_by("position", "pk")
    )


def _highlights_page(request, dossier: Dossier, forms: list, *, invalid_evidence=None, status: int = 200):
    """The highlights tab; `invalid_evidence`, a refused `EvidenceForm`, is shown with its errors on its fields."""
    refused_on = invalid_evidence.highlight.pk if invalid_evidence is not None else None
    context = {
        "dossier": dossier,
        "tab": "highlights",
        "rows": [
            {
                "form": form,
                "highlight": form.highlight,
                "privacy": form.highlight.unresolved_privacy_flags(),
                "evidence_form": invalid_evidence
                if form.highlight.pk == refused_on
                else EvidenceForm(highlight=form.highlight),
                "evidence": getattr(form.highlight, "evidence", None),
            }
            for form in forms
        ],
        "picker": picker.picker(
            dossier, request.GET, highlighted={form.highlight.post_id: form.highlight.pk for form in forms}
        ),
    }
    return render(request, "dossiers/highlights.html", context, status=status)


@login_required
@require_POST
def highlight_add(request, pk: int):
    """
    Highlight a post from the picker. The plain form comes back to the same page, sort and filters, at the
    post's row; the picker's script (`static/js/highlight-picker.js`) asks for the row alone, to swap it in.
    """
    dossier = dossier_for(request, pk, change=True)
    form = AddHighlightForm(request.POST, dossier=dossier)
    in_place = request.headers.get("X-Requested-With") == "fetch"
    if not form.is_valid():
        if in_place:
            return HttpResponse(" ".join(form.errors["post"]), status=400, content_type="text/plain")
        messages.error(request, " ".join(form.errors["post"]))
        return redirect("dossiers:highlights", pk=dossier.pk)
    highlight = form.save()
    place = picker.Filters.from_query(request.POST)
    if in_place:
        context = {"dossier": dossier, "candidate": picker.candidate(dossier, highlight.post), "just_added": True}
        return render(request, "dossiers/_candidate_row.html", context)
    messages.success(request, "Post highlighted. Say why it matters under “In this dossier”.")
    query = urlencode(place.as_query(page=request.POST.get("page", "")))
    return redirect(f"{reverse('dossiers:highlights', args=[dossier.pk])}?{query}#post-{highlight.post_id}")


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
    return redirect(f"{reverse('dossiers:highlights', args=[dossier.pk])}#highlight-{highlight.pk}")


@login_required
@require_POST
def highlight_remove(request, pk: int, highlight_pk: int):
    dossier = dossier_for(request, pk, change=True)
    get_object_or_404(dossier.highlight_rows, pk=highlight_pk).delete()
    messages.success(request, "Post removed from the highlights.")
    return redirect("dossiers:highlights", pk=dossier.pk)


@login_required
@require_POST
@evidence_upload_limit
def highlight_evidence(request, pk: int, highlight_pk: int):
    """Attach a screenshot and a public link to a highlighted post (a new picture is checked afresh)."""
    dossier = dossier_for(request, pk, change=True)
    highlight = get_object_or_404(dossier.highlight_rows.select_related("post", "evidence"), pk=highlight_pk)
    form = EvidenceForm(request.POST, request.FILES, highlight=highlight, request=request)
    if form.is_valid():
        try:
            form.save(user=request.user)
        except ImageRefused as refused:  # damaged past its header: found only when decoded
            form.add_error("image", str(refused))
    if form.errors:
        problems = " ".join(message for field_messages in form.errors.values() for message in field_messages)
        day = f"{timezone.localdate(highlight.post.published_at):%-d %b %Y}"
        messages.error(request, f"The evidence of the post of {day} was not saved: {problems}")
        # The tab again, with the errors on their fields and the link as typed (a redirect would lose both).
        forms = [HighlightForm(highlight=row) for row in _highlights_of(dossier)]
        return _highlights_page(request, dossier, forms, invalid_evidence=form, status=400)
    messages.success(request, "Evidence saved. Its picture has been checked: see below.")
    return redirect(f"{reverse('dossiers:highlights', args=[dossier.pk])}#highlight-{highlight.pk}")


@login_required
@require_POST
def highlight_evidence_acknowledge(request, pk: int, highlight_pk: int):
    """The faculty member (or admin) has looked at the screenshot's flags and confirms it identifies no patient."""
    dossier = dossier_for(request, pk, change=True)
    evidence = get_object_or_404(
        HighlightEvidence.objects.filter(highlight__dossier=dossier), highlight_id=highlight_pk
    )
    evidence.acknowledge(request.user)
    messages.success(request, "Screenshot flags acknowledged for this post.")
    return redirect(f"{reverse('dossiers:highlights', args=[dossier.pk])}#highlight-{highlight_pk}")
