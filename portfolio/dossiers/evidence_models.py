"""
Evidence of highlighted posts: the post as it appeared (a screenshot) and a public link to it.

A committee cannot see the posts themselves, and published criteria for social-media scholarship ask that a
contribution be archived and publicly accessible. `HighlightEvidence` is what the faculty member attaches to
a highlight (the picture checked and re-encoded, `portfolio/lib/images.py`, and what the image privacy check
found, `portfolio/privacy/images.py`); `VersionEvidence` is the copy a frozen version keeps of each
highlighted post (caption, link, metrics as of the dossier's date, picture), each with its SHA-256, so that
the version shows the same evidence whatever later happens to the post or its picture.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from portfolio.privacy.images import REVIEW, ImageFlag

# `models.py` imports this module last, once the names below exist.
from portfolio.dossiers.models import FacultyOwnedQuerySet  # isort: skip


class HighlightEvidenceQuerySet(FacultyOwnedQuerySet):
    faculty_path = "highlight__dossier__faculty"


class VersionEvidenceQuerySet(FacultyOwnedQuerySet):
    faculty_path = "version__dossier__faculty"


def evidence_path(instance, filename: str) -> str:
    # The name is the SHA-256 of the re-encoded picture (`CleanImage.name`).
    return f"evidence/{filename}"


class HighlightEvidence(models.Model):
    """
    The screenshot and link attached to one highlight. `ocr_flags` is None until the burned-in text has been
    read (in the background), so the text is read once per picture; a new picture starts the check over and
    clears the acknowledgement.
    """

    highlight = models.OneToOneField("dossiers.Highlight", on_delete=models.CASCADE, related_name="evidence")
    image = models.FileField(upload_to=evidence_path, blank=True, help_text="Re-encoded: it carries no metadata.")
    image_sha256 = models.CharField("image SHA-256", max_length=64, blank=True)
    content_type = models.CharField(max_length=20, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # A small JPEG as a data: URI: documents carry it inside them, so a frozen one needs no other file.
    thumbnail = models.TextField(blank=True, editable=False)
    url = models.URLField(
        "public link",
        max_length=500,
        blank=True,
        help_text="Where a committee can see the post, e.g. its archived copy (web.archive.org).",
    )
    metadata_flags = models.JSONField(
        default=list, blank=True, help_text="What the uploaded file carried besides its pixels (all removed)."
    )
    ocr_text = models.TextField("text read in the picture", blank=True)
    ocr_flags = models.JSONField(null=True, blank=True, help_text="Blank until the burned-in text has been read.")
    ocr_error = models.CharField(max_length=300, blank=True)
    ocr_read_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Like a caption's flags: freezing waits until the picture is replaced or a person acknowledges them.
    privacy_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    privacy_acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = HighlightEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "evidence of a highlighted post"
        verbose_name_plural = "evidence of highlighted posts"

    def __str__(self):
        return f"Evidence of {self.highlight}"

    @property
    def ocr_pending(self) -> bool:
        return bool(self.image) and self.ocr_flags is None and not self.ocr_error

    def flags(self) -> list[ImageFlag]:
        """Everything the image check found: the file's metadata (removed), then the burned-in text."""
        found = [ImageFlag.from_dict(flag) for flag in self.metadata_flags or []]
        found += [ImageFlag.from_dict(flag) for flag in self.ocr_flags or []]
        if self.ocr_error:
            found.append(ImageFlag(kind="not_read", severity=REVIEW, reason=self.ocr_error, excerpt="", source="ocr"))
        return found

    def acknowledge(self, user) -> None:
        """A person has looked at the picture's flags and confirms it identifies no patient."""
        self.privacy_acknowledged_by, self.privacy_acknowledged_at = user, timezone.now()
        self.save(update_fields=["privacy_acknowledged_by", "privacy_acknowledged_at"])

    def unresolved_flags(self) -> list[ImageFlag]:
        """The flags that block freezing: identifying text still in the picture, while nobody acknowledged it."""
        if self.privacy_acknowledged_at is not None:
            return []
        return [flag for flag in self.flags() if flag.blocks_freezing]


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def sha256_json(value) -> str:
    """The SHA-256 of `value` as canonical JSON (sorted keys, no spaces), which anyone can recompute."""
    return sha256_text(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


class VersionEvidence(models.Model):
    """
    A frozen version's copy of one highlighted post: its caption, link, metrics as of the dossier's date and
    screenshot, each with its SHA-256. Nothing here points at the live post or picture.
    """

    version = models.ForeignKey("dossiers.DossierVersion", on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField()
    platform = models.CharField(max_length=100)
    handle = models.CharField(max_length=200)
    external_id = models.CharField(max_length=200)
    published_on = models.DateField()
    caption = models.TextField(blank=True)
    caption_sha256 = models.CharField("caption SHA-256", max_length=64)
    url = models.URLField("link", max_length=500, blank=True)
    url_sha256 = models.CharField("link SHA-256", max_length=64)
    metrics = models.JSONField(help_text="{captured_on, metrics, actions}: the latest snapshot on the as-of date.")
    metrics_sha256 = models.CharField("metrics SHA-256", max_length=64, help_text="Of the metrics as canonical JSON.")
    image = models.BinaryField(blank=True, editable=False)
    image_content_type = models.CharField(max_length=20, blank=True)
    image_sha256 = models.CharField("image SHA-256", max_length=64, blank=True)

    objects = VersionEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        verbose_name_plural = "version evidence"
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="version_evidence_once_per_position"),
        ]

    def __str__(self):
        return f"{self.version}: evidence {self.position}"

    def hashes(self) -> list[tuple[str, str]]:
        """(what, SHA-256) of each item kept, for the version's pages."""
        items = [("Caption", self.caption_sha256), ("Link", self.url_sha256), ("Metrics", self.metrics_sha256)]
        if self.image_sha256:
            items.append(("Screenshot", self.image_sha256))
        return items
