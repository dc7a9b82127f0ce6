"""
Pages of a dossier's frozen versions: the list with its freeze button, reviewer links and their access
log; one version as it was frozen; and the downloads of the live dossier and of each version.

Whoever may read the dossier sees these pages; freezing and links need the right to change it (the
faculty member, or an admin of their institution): others get 403, and another institution's dossier 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from metrics.jobs import BackgroundJob
from portfolio.dossiers import exports, sharing, tasks
from portfolio.dossiers.evidence import unresolved_evidence
from portfolio.dossiers.freezing import FreezeRefused, freeze, unresolved_privacy_flags
from portfolio.dossiers.frozen_document import frozen_document_response
from portfolio.dossiers.models import Dossier, DossierVersion, ShareAccess, ShareLink, VersionEvidence
from portfolio.dossiers.sharing_forms import ShareLinkForm
from portfolio.dossiers.signing import SigningUnavailable
from portfolio.dossiers.views import can_change, dossier_for

# The access log shows a link's latest openings; the count says how many there were in all.
ACCESSES_SHOWN = 20


def version_for(request, pk: int, number: int) -> DossierVersion:
    dossier = dossier_for(request, pk)
    version = get_object_or_404(DossierVersion.objects.filter(dossier=dossier), number=number)
    version.dossier = dossier
    return version


def link_prefix(number: int) -> str:
    return f"v{number}"


@login_required
def versions(request, pk: int):
    return _versions_page(request, dossier_for(request, pk))


def _versions_page(request, dossier: Dossier, *, status: int = 200, **context) -> HttpResponse:
    may_change = can_change(request.user, dossier)
    zone = dossier.zone()
    accesses = ShareAccess.objects.select_related("opened_by").order_by("-accessed_at")[:ACCESSES_SHOWN]
    links = (
        ShareLink.objects.select_related("created_by")
        .annotate(
            access_count=Count("accesses"),
            # The reviewer's openings apart from the faculty member's or an admin's checks (`sharing.open_link`).
            own_count=Count("accesses", filter=Q(accesses__by_owner=True)),
        )
        .prefetch_related(Prefetch("accesses", queryset=accesses, to_attr="latest_accesses"))
    )
    version_list = list(
        dossier.versions.select_related("frozen_by")
        # The list shows none of the stored documents, which are large.
        .defer("html", "data", "pdf")
        .prefetch_related(
            Prefetch("share_links", queryset=links, to_attr="links"),
            # The hashes only: the pictures are served one by one (`version_evidence_image`).
            Prefetch("evidence", queryset=VersionEvidence.objects.defer("image", "caption"), to_attr="evidence_items"),
        )
    )
    invalid_form = context.pop("invalid_link_form", None)
    for version in version_list:
        for link in version.links:
            link.open_until = link.last_day(zone)
            link.reviewer_count = link.access_count - link.own_count
        # Each version has its own form (prefixed, so that field ids differ); a refused one comes back filled in.
        version.link_form = (
            invalid_form
            if invalid_form and invalid_form.prefix == link_prefix(version.number)
            else (ShareLinkForm(prefix=link_prefix(version.number), zone=zone))
        )
    context = {
        "dossier": dossier,
        "versions": version_list,
        "next_number": max((version.number for version in version_list), default=0) + 1,
        "may_change": may_change,
        "unresolved": unresolved_privacy_flags(dossier) if may_change else [],
        "unresolved_images": unresolved_evidence(dossier) if may_change else [],
        "invalid_link_form": invalid_form,
        **context,
    }
    return render(request, "dossiers/versions.html", context, status=status)


@login_required
@require_POST
def freeze_dossier(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    if tasks.in_background():
        # A worker freezes; the person follows the job. Unresolved flags are said here at once, as below.
        if unresolved := unresolved_privacy_flags(dossier):
            return _versions_page(request, dossier, status=409, refused=FreezeRefused(unresolved))
        return redirect("job", pk=tasks.start_freeze(dossier=dossier, user=request.user).pk)
    try:
        version = freeze(dossier=dossier, user=request.user)
    except FreezeRefused as refused:
        return _versions_page(request, dossier, status=409, refused=refused)
    except SigningUnavailable as unsigned:
        return _versions_page(request, dossier, status=409, unsigned=str(unsigned))
    return redirect(f"{reverse('dossiers:versions', args=[dossier.pk])}#version-{version.number}")


@login_required
@require_POST
def create_share_link(request, pk: int, number: int):
    dossier = dossier_for(request, pk, change=True)
    version = get_object_or_404(DossierVersion.objects.filter(dossier=dossier).only("pk", "number"), number=number)
    form = ShareLinkForm(request.POST, prefix=link_prefix(version.number), zone=dossier.zone())
    if not form.is_valid():
        # The page again, with this version's form as it was filled in and its errors.
        return _versions_page(request, dossier, status=400, invalid_link_form=form)
    link = sharing.create_link(
        version=version,
        user=request.user,
        recipient=form.cleaned_data["recipient"],
        expires_at=form.cleaned_data["expires_at"],
    )
    # Straight to the new link's address and its copy button.
    return redirect(f"{reverse('dossiers:versions', args=[dossier.pk])}#link-{link.pk}-address")


@login_required
@require_POST
def revoke_share_link(request, pk: int, link_pk: int):
    dossier = dossier_for(request, pk, change=True)
    link = get_object_or_404(ShareLink.objects.filter(version__dossier=dossier), pk=link_pk)
    sharing.revoke_link(link=link)
    return redirect(f"{reverse('dossiers:versions', args=[dossier.pk])}#link-{link.pk}")


@login_required
def version_page(request, pk: int, number: int):
    version = version_for(request, pk, number)
    downloads = {
        file_format: reverse("dossiers:version-download", args=[pk, number, file_format])
        for file_format in ("pdf", "html")
    }
    return frozen_document_response(request, version, downloads=downloads, back=reverse("dossiers:versions", args=[pk]))


@login_required
def live_download(request, pk: int, file_format: str):
    if file_format not in exports.LIVE_FORMATS:
        raise Http404("No such download.")
    dossier = dossier_for(request, pk)
    if file_format == "pdf" and tasks.in_background():
        return redirect("job", pk=tasks.start_pdf(dossier=dossier, user=request.user).pk)
    return download_response(exports.live_export(dossier, file_format))


@login_required
def job_pdf(request, pk: int, job_pk: int):
    """The live PDF a worker rendered: for the person who asked, while they may still read the dossier."""
    dossier = dossier_for(request, pk)
    jobs = BackgroundJob.objects.visible_to(request.user).filter(kind=BackgroundJob.Kind.PDF, arguments__dossier=pk)
    job = get_object_or_404(jobs, pk=job_pk, status=BackgroundJob.Status.DONE)
    if not default_storage.exists(tasks.pdf_file(job)):
        raise Http404("This PDF is no longer kept: download the dossier again.")
    response = FileResponse(
        default_storage.open(tasks.pdf_file(job), "rb"),
        as_attachment=True,
        filename=job.arguments.get("filename") or f"dossier-{dossier.pk}.pdf",
        content_type=exports.PDF_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def version_download(request, pk: int, number: int, file_format: str):
    if file_format not in exports.VERSION_FORMATS:
        raise Http404("No such download.")
    return download_response(exports.version_export(version_for(request, pk, number), file_format))


def download_response(export: exports.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=export.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def version_evidence_image(request, pk: int, number: int, position: int):
    """The screenshot a version kept of one highlighted post, as it was frozen."""
    version = version_for(request, pk, number)
    item = get_object_or_404(
        VersionEvidence.objects.filter(version=version).exclude(image_sha256=""), position=position
    )
    response = HttpResponse(bytes(item.image), content_type=item.image_content_type)
    extension = "jpg" if item.image_content_type == "image/jpeg" else "png"
    filename = f"dossier-{pk}-v{number}-post-{position}-{item.image_sha256[:12]}.{extension}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
