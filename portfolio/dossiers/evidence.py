"""
Attaching evidence to a highlighted post, checking its picture, and the copy a frozen version keeps.

    attach_evidence     the form, the API and the admin call it: metadata read from the upload first, then the
                        picture checked and re-encoded (`portfolio/lib/images.py`) and stored under a content-hash
                        name; the burned-in text is read in the background (`tasks.read_evidence_text`)
    read_evidence_text  reads the burned-in text once per picture and stores what it found
    unresolved_evidence the highlights whose picture blocks freezing, with why
    evidence_entry      what the dossier's document shows of the evidence (link, thumbnail, hash)
    keep_evidence       the version's own copy of each highlighted post: caption, link, metrics, picture, hashed
"""

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from portfolio.dossiers.evidence_models import (
    HighlightEvidence,
    VersionEvidence,
    sha256_bytes,
    sha256_json,
    sha256_text,
)
from portfolio.dossiers.models import Dossier, DossierVersion, Highlight
from portfolio.lib.images import clean_image, thumbnail_data_uri
from portfolio.privacy.images import ImageFlag, OcrUnavailable, metadata_flags, ocr_flags

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnresolvedImage:
    """A highlighted post whose screenshot shows a likely identifier that nobody acknowledged."""

    highlight: Highlight
    flags: list[ImageFlag]


def attach_evidence(*, highlight: Highlight, user, url: str, upload: bytes | None = None) -> HighlightEvidence:
    """
    Set the highlight's public link and, with `upload`, its screenshot. Raises ImageRefused (nothing saved)
    for a file that is not an acceptable image. A new picture is checked afresh: its metadata now, before
    re-encoding drops it, its burned-in text in the background once the record is saved; an earlier
    acknowledgement does not carry over to it.
    """
    evidence = HighlightEvidence.objects.filter(highlight=highlight).first() or HighlightEvidence(highlight=highlight)
    evidence.url = url
    new_picture = upload is not None
    if new_picture:
        found = metadata_flags(upload)  # refuses a file `clean_image` would refuse, with the same message
        clean = clean_image(upload)
        if not default_storage.exists(f"evidence/{clean.name}"):
            evidence.image.save(clean.name, ContentFile(clean.content), save=False)
        else:
            evidence.image.name = f"evidence/{clean.name}"
        evidence.image_sha256 = clean.sha256
        evidence.content_type = clean.content_type
        evidence.width, evidence.height = clean.width, clean.height
        evidence.thumbnail = thumbnail_data_uri(clean.content)
        evidence.metadata_flags = [flag.as_dict() for flag in found]
        evidence.ocr_text, evidence.ocr_flags, evidence.ocr_error, evidence.ocr_read_at = "", None, "", None
        evidence.privacy_acknowledged_by = evidence.privacy_acknowledged_at = None
        evidence.uploaded_by, evidence.uploaded_at = user, timezone.now()
    evidence.save()
    if new_picture:
        from portfolio.dossiers.tasks import read_evidence_text_task

        # After the commit, so that a worker finds the row; with no broker it runs right here.
        transaction.on_commit(lambda: read_evidence_text_task.delay(evidence.pk))
    logger.info(
        "Evidence of highlight %s saved by user %s (picture %s)",
        highlight.pk,
        getattr(user, "pk", None),
        evidence.image_sha256[:12] if new_picture else "unchanged",
    )
    return evidence


def read_evidence_text(evidence: HighlightEvidence) -> HighlightEvidence:
    """Read the picture's burned-in text and store what it found; a picture already read is not read again."""
    if not evidence.ocr_pending:
        return evidence
    with evidence.image.open("rb") as file:
        content = file.read()
    try:
        evidence.ocr_text, flags = ocr_flags(content)
        evidence.ocr_flags = [flag.as_dict() for flag in flags]
    except OcrUnavailable as unread:
        evidence.ocr_error = str(unread)
        logger.warning("Evidence %s: %s", evidence.pk, unread)
    evidence.ocr_read_at = timezone.now()
    evidence.save(update_fields=["ocr_text", "ocr_flags", "ocr_error", "ocr_read_at"])
    return evidence


def unresolved_evidence(dossier: Dossier) -> list[UnresolvedImage]:
    """
    Highlighted posts, in dossier order, whose screenshot shows an identifying text that nobody acknowledged.
    A picture whose text has not been read yet (no worker has come to it) is read here first.
    """
    pending = HighlightEvidence.objects.filter(highlight__dossier=dossier, privacy_acknowledged_at__isnull=True)
    unresolved = []
    for evidence in pending.select_related("highlight__post").order_by("highlight__position", "highlight__pk"):
        flags = read_evidence_text(evidence).unresolved_flags()
        if flags:
            unresolved.append(UnresolvedImage(highlight=evidence.highlight, flags=flags))
    return unresolved


def evidence_entry(highlight: Highlight) -> dict | None:
    """What the dossier's document shows of a highlight's evidence, or None when it has none."""
    evidence = getattr(highlight, "evidence", None)
    if evidence is None:
        return None
    return {
        "url": evidence.url,
        "image_sha256": evidence.image_sha256,
        "thumbnail": evidence.thumbnail,
        "width": evidence.width,
        "height": evidence.height,
    }


def keep_evidence(version: DossierVersion) -> list[VersionEvidence]:
    """
    The version's own copy of each highlighted post, from the version's data (the metrics as of its date) and
    the highlight's picture as it is now, each item with its SHA-256. Later edits of the caption, a new picture
    or a deleted post leave the copy as it is.
    """
    pictures = {
        evidence.highlight.post_id: evidence
        for evidence in HighlightEvidence.objects.filter(highlight__dossier_id=version.dossier_id).select_related(
            "highlight"
        )
    }
    copies = []
    for entry in version.data["highlights"]:
        evidence = pictures.get(entry["post_id"])
        image = b""
        if evidence is not None and evidence.image:
            with evidence.image.open("rb") as file:
                image = file.read()
        url = (evidence.url if evidence is not None and evidence.url else "") or entry["url"]
        metrics = {
            "captured_on": entry["snapshot_captured_on"],
            "metrics": entry["metrics"],
            "actions": entry["actions"],
        }
        copies.append(
            VersionEvidence(
                version=version,
                position=len(copies) + 1,
                platform=entry["platform"],
                handle=entry["handle"],
                external_id=entry["external_id"],
                published_on=entry["published_on"],
                caption=entry["caption"],
                caption_sha256=sha256_text(entry["caption"]),
                url=url,
                url_sha256=sha256_text(url),
                metrics=metrics,
                metrics_sha256=sha256_json(metrics),
                image=image,
                image_content_type=evidence.content_type if image else "",
                image_sha256=sha256_bytes(image) if image else "",
            )
        )
    return VersionEvidence.objects.bulk_create(copies)
