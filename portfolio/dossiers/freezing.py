"""
Freezing a dossier: the moment its content stops following live data.

`freeze` computes every figure once (`dossier_data`), renders the complete document from those figures
(`render_dossier_html`, with the version's number, time and author printed in its methods appendix),
and stores the data, the HTML, the SHA-256 of the HTML's UTF-8 bytes, and the PDF with its own SHA-256.
Nothing of a version is ever recomputed: its pages show the stored HTML, its downloads are the stored PDF
and tables made from the stored data. Later imports, corrections or new scoring weights change the live
dossier only.

A dossier is not frozen while a highlighted post's caption carries a privacy flag that has been neither
fixed (the caption no longer trips the check) nor acknowledged by a person: a frozen version can no longer
be corrected, and a caption that identifies a patient must not be handed to a committee unseen.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.exports import pdf_bytes, version_footer
from portfolio.dossiers.models import Dossier, DossierVersion, Highlight
from portfolio.dossiers.privacy import PrivacyFlag
from portfolio.dossiers.render import render_dossier_html

logger = logging.getLogger(__name__)
# Enough of a version's SHA-256 to find it in the log; the whole hash is on its pages.
SHA256_LOGGED = 12


@dataclass(frozen=True)
class UnresolvedFlags:
    """A highlighted post whose caption still trips the privacy check, with no acknowledgement."""

    highlight: Highlight
    flags: list[PrivacyFlag]


class FreezeRefused(Exception):
    """The dossier cannot be frozen yet; `unresolved` says which highlighted posts and why."""

    def __init__(self, unresolved: list[UnresolvedFlags]):
        self.unresolved = unresolved
        posts = "; ".join(
            f"post {item.highlight.post.external_id}: " + ", ".join(flag.label for flag in item.flags)
            for item in unresolved
        )
        super().__init__(
            "A highlighted caption may identify a patient. Fix the caption or acknowledge the flag, "
            f"then freeze again ({posts})."
        )


def unresolved_privacy_flags(dossier: Dossier) -> list[UnresolvedFlags]:
    """Highlighted posts, in dossier order, whose caption is flagged and whose flag nobody acknowledged."""
    return [
        UnresolvedFlags(highlight=highlight, flags=highlight.unresolved_privacy_flags())
        for highlight in dossier.highlights_with_unresolved_privacy()
    ]


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def freeze(*, dossier: Dossier, user) -> DossierVersion:
    """
    Store the dossier as it is now as its next version, and return it.
    Raises FreezeRefused (nothing stored) while a highlighted caption has an unresolved privacy flag.
    """
    user_id = getattr(user, "pk", None)
    with transaction.atomic():
        # Locks the dossier row, so two people freezing at once get consecutive numbers, not a clash.
        dossier = Dossier.objects.select_for_update().select_related("faculty").get(pk=dossier.pk)
        unresolved = unresolved_privacy_flags(dossier)
        if unresolved:
            logger.warning(
                "Freeze of dossier %s refused for user %s: %s unresolved privacy flags on %s highlighted posts",
                dossier.pk,
                user_id,
                sum(len(item.flags) for item in unresolved),
                len(unresolved),
            )
            raise FreezeRefused(unresolved)

        number = (dossier.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        frozen_at = timezone.now()
        frozen = {
            "number": number,
            "frozen_at": frozen_at.isoformat(),
            "frozen_by": (user.get_full_name() or user.get_username()) if user else "",
        }
        data = dossier_data(dossier)
        html = render_dossier_html(data, frozen=frozen)
        sha256 = sha256_hex(html.encode("utf-8"))
        pdf = pdf_bytes(html, footer=version_footer(number=number, sha256=sha256))
        version = DossierVersion.objects.create(
            dossier=dossier,
            number=number,
            frozen_at=frozen_at,
            frozen_by=user,
            data=data,
            html=html,
            sha256=sha256,
            pdf=pdf,
            pdf_sha256=sha256_hex(pdf),
        )
    logger.info(
        "Dossier %s frozen as version %s (id %s) by user %s, SHA-256 %s",
        dossier.pk,
        number,
        version.pk,
        user_id,
        sha256[:SHA256_LOGGED],
    )
    return version
