"""
The pages open to people without a login: a reviewer's link to one frozen version; the verification page that
checks any copy of a dossier against the frozen versions; each version's verification address (printed on its
PDF, with its original to download); and the institutions' signing certificates.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from metrics.uploads import refusal, upload_limit
from portfolio.dossiers import exports, verification
from portfolio.dossiers.frozen_document import frozen_document_response
from portfolio.dossiers.models import DossierVersion, SigningCredential
from portfolio.dossiers.sharing import open_link
from portfolio.dossiers.sharing_forms import VerifyForm
from portfolio.dossiers.version_views import download_response

REVIEWER_FORMATS = ("pdf", "html")
TOO_LARGE_TO_MATCH = "This file is larger than any dossier the site makes ({limit:,} bytes), so it cannot match one."


@never_cache
def reviewer_page(request, token: str):
    """The frozen version behind the link (each opening logged); 404 once it has expired or been revoked."""
    link = open_link(token=token, request=request)
    downloads = {file_format: reverse("share-download", args=[token, file_format]) for file_format in REVIEWER_FORMATS}
    return frozen_document_response(request, link.version, downloads=downloads)


@never_cache
def reviewer_download(request, token: str, file_format: str):
    if file_format not in REVIEWER_FORMATS:
        raise Http404("No such download.")
    link = open_link(token=token, request=request)
    return download_response(exports.version_export(link.version, file_format))


@upload_limit(lambda: verification.MAX_UPLOAD_BYTES, TOO_LARGE_TO_MATCH)
def verify(request):
    """
    A typed fingerprint -> whether a version with it exists (never that a copy is unchanged); an uploaded copy ->
    its own SHA-256 against the stored documents', and its signature.
    """
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if reason := refusal(request):  # stopped as it streamed in, past the size of any dossier
            form.errors.clear()
            form.errors["document"] = form.error_class([reason])
    else:
        # A fingerprint in the address (?sha256=...) is looked up at once, so a link can carry it.
        form = VerifyForm(request.GET if "sha256" in request.GET else None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        if upload := form.cleaned_data.get("document"):
            context["copy"] = verification.check_copy(verification.read_upload(upload))
        else:
            context["typed"] = form.cleaned_data["sha256"]
            context["match"] = verification.find_version(form.cleaned_data["sha256"])
    return render(request, "dossiers/verify.html", context, status=400 if form.errors else 200)


def _public_version(public_id: str) -> DossierVersion:
    return get_object_or_404(
        DossierVersion.objects.select_related("dossier__faculty", "frozen_by", "signing_credential__institution")
        # The record shows none of the stored documents, which are large.
        .defer("html", "data", "pdf", "pinned_values"),
        public_id=public_id,
    )


@never_cache
def version_record(request, public_id: str):
    """The record behind a version's printed address: who, what, when, fingerprints, signer, and its original PDF."""
    version = _public_version(public_id)
    response = render(
        request,
        "dossiers/verify_version.html",
        {"version": version, "verify_url": verification.version_url(public_id)},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def version_original(request, public_id: str):
    """The version's PDF exactly as it was frozen and signed, to compare a copy with."""
    version = get_object_or_404(DossierVersion.objects.select_related("dossier__faculty"), public_id=public_id)
    response = download_response(exports.version_export(version, "pdf"))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def certificates(request):
    """Every institution's signing certificates, current and retired: what a signature is checked against offline."""
    credentials = SigningCredential.objects.select_related("institution").defer("encrypted_key")
    return render(request, "dossiers/certificates.html", {"credentials": credentials})


def certificate_pem(request, fingerprint: str):
    credential = get_object_or_404(
        SigningCredential.objects.only("certificate_pem", "fingerprint"), fingerprint=fingerprint
    )
    response = HttpResponse(credential.certificate_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="dossier-signing-{fingerprint[:16]}.pem"'
    return response
