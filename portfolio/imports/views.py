"""
The import pages: upload an export, see the preview, confirm, and find past imports with their files.

The same workflow as the command, the admin and the API (`metrics.imports`), with the same rights: a
faculty member imports into their own accounts, an institution's admins into its accounts (and templates
naming several of them), a reviewer into none. A file larger than IMPORT_BACKGROUND_BYTES is previewed
(and then imported) by a worker, and the person waits on the job's page (`portfolio.views.job_page`).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import access_for, log_refused_write
from accounts.models import SocialAccount
from metrics.importers.limits import UPLOAD_TOO_LARGE
from metrics.imports import ImportRefused, check_may_import, confirm_preview, import_file
from metrics.models import ImportBatch
from metrics.tasks import start_confirm, start_import
from metrics.uploads import refusal, upload_limit
from portfolio.imports.forms import ImportForm

HISTORY_PER_PAGE = 25
NOT_AN_IMPORTER = "Your role does not allow importing: faculty import into their own accounts, admins for theirs."


def may_import(access) -> bool:
    """Whether a role lets its holder import at all (the home page's link and the upload page); which accounts
    is `importable_accounts`."""
    return access.is_superuser or access.is_institution_admin or access.faculty_id is not None


@login_required
@upload_limit(lambda: settings.IMPORT_MAX_BYTES, UPLOAD_TOO_LARGE)
def import_page(request):
    """The upload form (an account may be chosen in advance with ?account=) and the history of imports."""
    user = request.user
    if not may_import(access_for(user)):
        log_refused_write(request)
        raise PermissionDenied(NOT_AN_IMPORTER)
    initial = {}
    if chosen := request.GET.get("account", "").strip():
        # Another institution's account is not found, as everywhere else.
        initial["account"] = get_object_or_404(SocialAccount.objects.visible_to(user), pk=_id(chosen))
    form = ImportForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST":
        _refuse_unseen_account(request)
    if reason := refusal(request):
        form.add_error("file", reason)  # stopped as it streamed in: nothing kept
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        arguments = {
            "user": user,
            "upload": upload,
            "account": form.cleaned_data["account"],
            "institution": form.cleaned_data.get("institution"),
            "captured_on": form.cleaned_data["captured_on"],
            "dry_run": True,
        }
        try:
            if upload.size > settings.IMPORT_BACKGROUND_BYTES:
                return redirect("job", pk=start_import(**arguments).pk)
            return redirect("imports:batch", pk=import_file(**arguments).pk)
        except ImportRefused as refused:
            form.add_error(None, str(refused))
    batches = ImportBatch.objects.visible_to(user).select_related("account__platform", "institution", "uploaded_by")
    page = Paginator(batches, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "batches": list(page),  # evaluated here, so that the template runs no queries
        "background_bytes": settings.IMPORT_BACKGROUND_BYTES,
        "max_bytes": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "imports/import.html", context, status=400 if form.errors else 200)


@login_required
def batch_page(request, pk: int):
    """One import: what it would do (a preview, with the confirm button), did, or why it was refused."""
    batch = get_object_or_404(_visible_batches(request.user), pk=pk)
    context = {"batch": batch, "may_confirm": _may_confirm(request.user, batch)}
    return render(request, "imports/batch.html", context)


@login_required
@require_POST
def confirm(request, pk: int):
    """Import the previewed file for real: in the request, or on a worker for a large file."""
    batch = get_object_or_404(_visible_batches(request.user), pk=pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        return redirect("imports:batch", pk=batch.pk)
    try:
        if batch.size > settings.IMPORT_BACKGROUND_BYTES:
            return redirect("job", pk=start_confirm(user=request.user, batch=batch).pk)
        imported = confirm_preview(batch=batch, user=request.user)
    except ImportRefused as refused:
        log_refused_write(request, object_id=batch.pk)
        raise PermissionDenied(str(refused)) from None
    return redirect("imports:batch", pk=imported.pk)


@login_required
def download(request, pk: int):
    """The original file, exactly as it was uploaded: for those who may see its import only."""
    batch = get_object_or_404(_visible_batches(request.user).exclude(file=""), pk=pk)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.file_name)


def _visible_batches(user):
    return ImportBatch.objects.visible_to(user).select_related("account__platform", "institution", "uploaded_by")


def _may_confirm(user, batch: ImportBatch) -> bool:
    if batch.status != ImportBatch.Status.PREVIEW:
        return False
    try:
        check_may_import(user=user, account=batch.account, institution=batch.institution)
    except ImportRefused:
        return False
    return True


def _refuse_unseen_account(request) -> None:
    """An account of another institution, posted by hand, is not found (404), as it would be anywhere else."""
    posted = request.POST.get("account", "").strip()
    if posted and not SocialAccount.objects.visible_to(request.user).filter(pk=_id(posted)).exists():
        raise Http404


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)
