"""
Checking a dossier against the frozen versions, for anyone, signed in or not: the `/verify/` page and the
`verify_dossier` command ask the same two questions here.

- A typed fingerprint (`find_version`): the content fingerprint printed on a version (the SHA-256 of its HTML), or
  the SHA-256 of its PDF. A match proves only that a version with this fingerprint exists. It proves nothing about
  the copy in the reader's hands, which anyone can print the same fingerprint on: it never says "unchanged".
- A copy's bytes (`check_copy`): the SHA-256 of the file itself against the stored PDF's and HTML's, and the PDF's
  digital signature against the institutions' certificates. Only a copy identical to a stored document is
  "unchanged"; a signed PDF whose bytes differ says why (the signature no longer matches, or bytes were added).

A fingerprint match says only the version's number and when it was frozen, nothing about whose dossier it is,
which a stranger with a guessed hash must not learn. An identical copy already holds all of that, so its check
also names the version's verification address.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from portfolio.dossiers.models import DossierVersion
from portfolio.dossiers.signing import SignatureCheck, check_signature

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# Larger than any PDF a dossier makes; a bigger upload is not one of ours and is not read to the end.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Match:
    number: int
    frozen_at: datetime
    document: str  # "HTML" or "PDF": which of the version's two documents the hash is of
    public_id: str | None


@dataclass(frozen=True)
class CopyCheck:
    """The verdict on a copy's bytes: `unchanged` only when they are exactly a stored document's."""

    sha256: str  # of the file that was checked
    match: Match | None  # the version whose stored PDF or HTML has exactly these bytes
    signature: SignatureCheck | None  # None for a file that is not a PDF

    @property
    def unchanged(self) -> bool:
        # An identical file is the stored one; a signature, where there is one, must agree.
        return self.match is not None and (self.signature is None or self.signature.valid or not self.signature.signed)

    @property
    def verification_url(self) -> str:
        return version_url(self.match.public_id) if self.match and self.match.public_id else ""


def normalised_hash(text: str) -> str | None:
    """A SHA-256 as 64 lower-case hex digits, forgiving spaces and capitals; None when it is not one."""
    candidate = re.sub(r"\s+", "", text or "").lower().removeprefix("sha256:")
    return candidate if SHA256_PATTERN.match(candidate) else None


def read_upload(upload) -> bytes:
    """An uploaded file's bytes, read by chunks (its size is capped at the door, `MAX_UPLOAD_BYTES`)."""
    return b"".join(upload.chunks())


def find_version(sha256: str) -> Match | None:
    """The version whose HTML (content fingerprint) or stored PDF has this SHA-256."""
    row = (
        DossierVersion.objects.filter(Q(sha256=sha256) | Q(pdf_sha256=sha256))
        .values("number", "frozen_at", "sha256", "public_id")
        .first()
    )
    if row is None:
        return None
    return Match(
        number=row["number"],
        frozen_at=row["frozen_at"],
        document="HTML" if row["sha256"] == sha256 else "PDF",
        public_id=row["public_id"],
    )


def check_copy(content: bytes) -> CopyCheck:
    """Whether these bytes are exactly a frozen version's PDF or HTML, and what the PDF's signature says."""
    sha256 = hashlib.sha256(content).hexdigest()
    signature = check_signature(content) if content.startswith(PDF_MAGIC) else None
    return CopyCheck(sha256=sha256, match=find_version(sha256), signature=signature)


def version_url(public_id: str) -> str:
    """A version's absolute verification address, as printed on its pages and in its QR code."""
    return settings.SITE_URL + reverse("verify-version", args=[public_id])
