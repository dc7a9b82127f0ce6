"""Forms of the versions page (reviewer links) and of the public verification page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portfolio.dossiers import sharing, verification


class ShareLinkForm(forms.Form):
    recipient = forms.CharField(
        max_length=200,
        label="Who the link is for",
        help_text="Their name and role, e.g. “Prof. Ana Silva, external reviewer”. Shown in the access log.",
    )
    expires_on = forms.DateField(
        label="Open until (inclusive)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The link works to the end of this day, in your institution's time zone; at most a year away.",
    )

    def __init__(self, *args, zone, **kwargs):
        """`zone`: the institution's time zone (`Dossier.zone`), in which the chosen day ends."""
        self.zone = zone
        kwargs.setdefault("initial", {"expires_on": timezone.localdate(timezone=zone) + sharing.DEFAULT_VALIDITY})
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if "expires_on" in cleaned:
            cleaned["expires_at"] = sharing.end_of_day(cleaned["expires_on"], self.zone)
            try:
                sharing.validate_expiry(cleaned["expires_at"])
            except ValidationError as error:
                raise ValidationError({"expires_on": error.message_dict["expires_at"]}) from None
        return cleaned


class VerifyForm(forms.Form):
    document = forms.FileField(
        required=False,
        label="Your copy of the dossier (PDF or HTML)",
        help_text="The file as you received it. Its own SHA-256 is compared with the stored original's and its "
        "signature checked; it is not kept.",
    )
    sha256 = forms.CharField(
        required=False,
        max_length=200,
        label="Or a content fingerprint (SHA-256)",
        help_text="The 64 characters printed at the foot of each PDF page. This shows only whether a version with "
        "this fingerprint exists: it cannot show that a copy is unaltered.",
    )

    def clean_sha256(self):
        text = self.cleaned_data["sha256"]
        if not text.strip():
            return None
        sha256 = verification.normalised_hash(text)
        if sha256 is None:
            raise ValidationError("A SHA-256 is 64 characters, each 0-9 or a-f.")
        return sha256

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload and upload.size > verification.MAX_UPLOAD_BYTES:
            raise ValidationError("This file is larger than any dossier the site makes, so it cannot match one.")
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("sha256") and not cleaned.get("document"):
            raise ValidationError("Choose a file or give a fingerprint.")
        if cleaned.get("sha256") and cleaned.get("document"):
            raise ValidationError("Give a file or a fingerprint, not both.")
        return cleaned
