"""
Checking a copy of a dossier against the frozen versions, for anyone, signed in or not.

A copy is identified by the SHA-256 of its bytes: the HTML document as frozen, or the PDF made when it was
frozen. A match says only that the copy is version N of a dossier, frozen at a given time, and whether it
was the HTML or the PDF; it says nothing about whose dossier it is, which the holder of the copy already
knows and a stranger with a guessed hash must not learn.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from portfolio.dossiers.models import DossierVersion

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# Larger than any PDF a dossier makes; a bigger upload is not one of ours and is not read to the end.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Match:
    number: int
    frozen_at: datetime
    document: str  # "HTML" or "PDF": which of the version's two documents the hash is of


def normalised_hash(text: str) -> str | None:
    """A SHA-256 as 64 lower-case hex digits, forgiving spaces and capitals; None when it is not one."""
    candidate = re.sub(r"\s+", "", text or "").lower().removeprefix("sha256:")
    return candidate if SHA256_PATTERN.match(candidate) else None


def file_sha256(upload) -> str:
    """The SHA-256 of an uploaded file, read by chunks."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def find_version(sha256: str) -> Match | None:
    row = (
        DossierVersion.objects.filter(Q(sha256=sha256) | Q(pdf_sha256=sha256))
        .values("number", "frozen_at", "sha256")
        .first()
    )
    if row is None:
        return None
    return Match(
        number=row["number"], frozen_at=row["frozen_at"], document="HTML" if row["sha256"] == sha256 else "PDF"
    )
