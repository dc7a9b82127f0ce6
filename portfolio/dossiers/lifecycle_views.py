"""
A dossier's status and life: submit it for review, archive it, delete a draft (after a confirmation page), and
duplicate it for a new cycle. Each needs the right to change the dossier (`views.dossier_for`); the rules are
the model's and `lifecycle.py`'s, the same the API and the admin apply.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portfolio.dossiers import lifecycle
from portfolio.dossiers.forms import DuplicateForm
from portfolio.dossiers.models import DELETE_REFUSED
from portfolio.dossiers.views import dossier_for


@login_required
@require_POST
def dossier_submit(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    try:
        dossier.submit()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Submitted for review: the reviewers of the department can now read it.")
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
@require_POST
def dossier_archive(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    try:
        dossier.archive()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dossiers:detail", pk=dossier.pk)
    messages.success(request, f"“{dossier.title}” archived. Its versions stay verifiable and their links open.")
    return redirect("dossiers:list")


@login_required
def dossier_delete(request, pk: int):
    """A confirmation page, then the deletion; a dossier with frozen versions is refused (409) and archived instead."""
    dossier = dossier_for(request, pk, change=True)
    may_delete = dossier.may_be_deleted()
    if request.method == "POST" and may_delete:
        lifecycle.delete_dossier(dossier=dossier)
        messages.success(request, f"“{dossier.title}” deleted.")
        return redirect("dossiers:list")
    context = {
        "dossier": dossier,
        "may_delete": may_delete,
        "has_versions": not may_delete,
        "refused": DELETE_REFUSED,
        "tab": "detail",
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "dossiers/delete.html", context, status=status)


@login_required
def dossier_duplicate(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    form = DuplicateForm(request.POST or None, source=dossier)
    if request.method == "POST" and form.is_valid():
        duplicate = lifecycle.duplicate_dossier(dossier=dossier, user=request.user, **form.cleaned_data)
        left_out = duplicate.highlights_left_out
        messages.success(
            request,
            f"New draft created with {duplicate.highlights_copied} highlighted post"
            f"{'s' if duplicate.highlights_copied != 1 else ''}"
            + (
                f"; {left_out} published outside the new period {'was' if left_out == 1 else 'were'} left out."
                if left_out
                else "."
            ),
        )
        return redirect("dossiers:edit", pk=duplicate.dossier.pk)
    return render(request, "dossiers/duplicate.html", {"dossier": dossier, "form": form, "tab": "detail"})
