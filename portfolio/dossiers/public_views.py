"""
The two pages open to people without a login: a reviewer's link to one frozen version, and the
verification page that checks any copy of a dossier against the frozen versions.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from metrics.uploads import refusal, upload_limit
from portfolio.dossiers import exports, verification
from portfolio.dossiers.frozen_document import frozen_document_response
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
    """A SHA-256 or an uploaded copy -> whether it is a frozen version, which number, when frozen; nothing more."""
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if reason := refusal(request):  # stopped as it streamed in, past the size of any dossier
            form.errors.clear()
            form.errors["document"] = form.error_class([reason])
    else:
        # A hash in the address (?sha256=...) is checked at once, so a link can carry it.
        form = VerifyForm(request.GET if "sha256" in request.GET else None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        context["checked"] = form.cleaned_data["checked"]
        context["match"] = verification.find_version(form.cleaned_data["checked"])
    return render(request, "dossiers/verify.html", context, status=400 if form.errors else 200)
