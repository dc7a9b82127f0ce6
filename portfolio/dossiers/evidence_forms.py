"""The form that attaches a screenshot and a public link to a highlighted post (`evidence.attach_evidence`)."""

from django import forms
from django.conf import settings

from metrics.uploads import refusal, upload_limit
from portfolio.dossiers.evidence import attach_evidence
from portfolio.dossiers.evidence_models import HighlightEvidence
from portfolio.dossiers.models import Highlight
from portfolio.lib.images import ImageRefused, check_file_size, open_image

TOO_LARGE = "The file is over {limit:,} bytes, the largest image accepted."

# Declared on every view that receives a screenshot (the highlights tab, the API action, the admin): an upload is
# stopped as it streams in past IMAGE_MAX_BYTES, before it is kept in memory or on disk; without it, the limit
# would be Django's own, smaller one, and a screenshot between the two would vanish from the request unsaid.
evidence_upload_limit = upload_limit(lambda: settings.IMAGE_MAX_BYTES, TOO_LARGE)


def image_help() -> str:
    return (
        f"PNG, JPEG or WebP, up to {settings.IMAGE_MAX_BYTES / 1_000_000:g} MB and {settings.IMAGE_MAX_SIDE:,} x "
        f"{settings.IMAGE_MAX_SIDE:,} pixels. Its metadata (EXIF, GPS, text) is removed and its text is checked "
        "for patient identifiers."
    )


def read_checked_upload(upload, *, request) -> bytes | None:
    """
    The uploaded file's bytes (None when there is none) once its size (before reading it into memory), type and
    dimensions (from its header) are acceptable; raises forms.ValidationError with `ImageRefused`'s message
    otherwise, or with the refusal of a file stopped as it streamed in (`evidence_upload_limit`), which is then
    missing from the request. The page, the API and the admin all read uploads here.
    """
    if reason := refusal(request):
        raise forms.ValidationError(reason, code="too_large")
    if not upload:
        return None
    try:
        check_file_size(upload.size)
        content = upload.read()
        open_image(content)
    except ImageRefused as refused:
        raise forms.ValidationError(str(refused), code="image_refused") from refused
    return content


class EvidenceForm(forms.Form):
    image = forms.FileField(
        label="Screenshot of the post as it appeared",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    url = forms.URLField(
        label="Public link to the post",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where a committee can see it, e.g. an archived copy on web.archive.org.",
    )

    def __init__(self, *args, highlight: Highlight, request=None, **kwargs):
        self.highlight = highlight
        self.request = request
        self.evidence = getattr(highlight, "evidence", None) if highlight.pk else None
        initial = {"url": self.evidence.url if self.evidence else ""}
        # Prefixed on the highlights tab, where each highlight has its own form; the API passes prefix=None.
        kwargs.setdefault("prefix", f"e{highlight.pk}")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["image"].help_text = image_help()
        self.upload: bytes | None = None

    def clean_image(self):
        image = self.cleaned_data.get("image")
        self.upload = read_checked_upload(image, request=self.request)
        return image

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors and self.upload is None and not cleaned_data.get("url") and self.evidence is None:
            raise forms.ValidationError("Choose a screenshot or give a link.", code="empty")
        return cleaned_data

    def save(self, *, user) -> HighlightEvidence:
        """Raises ImageRefused for a picture that cannot be decoded (damaged past its header)."""
        return attach_evidence(highlight=self.highlight, user=user, url=self.cleaned_data["url"], upload=self.upload)
