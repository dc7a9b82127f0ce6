"""
Freezing a dossier: the moment its content stops following live data.

`freeze` computes every figure once (`dossier_data`), renders the complete document from those figures
(`render_dossier_html`, with the version's number, time, author and verification address printed in it),
and stores the data, the HTML, the SHA-256 of the HTML's UTF-8 bytes (the content fingerprint printed on the PDF),
and the PDF, signed with the institution's key (`signing`), with its own SHA-256.
With them it stores which value of each number it used (`pinned_values`): the history record of every post
snapshot, follower count and audience row the dossier rests on. Nothing of a version is ever recomputed: its
pages show the stored HTML, its downloads are the stored PDF and tables made from the stored data. Later
imports, corrections or new scoring weights change the live dossier only.

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

from metrics.db import in_batches
from metrics.history import record_creations
from portfolio.dossiers import integrity, signing
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.exports import pdf_bytes, version_footer
from portfolio.dossiers.models import Dossier, DossierVersion, Highlight, new_public_id
from portfolio.dossiers.render import render_dossier_html
from portfolio.dossiers.verification import version_url
from portfolio.privacy.rules import PrivacyFlag

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


def pinned_values(dossier: Dossier) -> dict[str, list[list[int]]]:
    """
    The value of each number the dossier rests on now (`integrity`: the period posts' shown snapshots, the follower
    counts, the audience rows), as `{"post_metrics" | "follower_counts" | "audience": [[snapshot id, history record
    id], ...]}`, by snapshot id. A history record is a full row: it holds the value whatever the snapshot holds
    later, and the snapshot's history shows when it changed and who changed it. An imported row with no record
    yet gets its creation record here, so that every value has one to name.
    """
    account_ids = list(dossier.accounts.values_list("pk", flat=True))
    start, end, as_of = dossier.period_start, dossier.period_end, dossier.as_of
    shown = {
        "post_metrics": integrity.shown_post_snapshots(account_ids, start, end, as_of),
        "follower_counts": integrity.shown_follower_counts(account_ids, start, as_of),
        "audience": integrity.shown_audience(account_ids, as_of),
    }
    pinned = {}
    for numbers, snapshots in shown.items():
        ids = sorted(snapshots.values_list("pk", flat=True))
        record_creations(snapshots.model, ids)
        records = snapshots.model.history.model.objects
        latest = {}
        for batch in in_batches(ids):
            latest.update(
                records.filter(id__in=batch)
                .order_by()
                .values("id")
                .annotate(record=Max("history_id"))
                .values_list("id", "record")
            )
        pinned[numbers] = [[pk, latest[pk]] for pk in ids]
    return pinned


def freeze(*, dossier: Dossier, user) -> DossierVersion:
    """
    Store the dossier as it is now as its next version, and return it.
    Raises FreezeRefused (nothing stored) while a highlighted caption has an unresolved privacy flag, and
    SigningUnavailable (nothing stored) when no institution can sign it (see `signing.credential_for`).
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
        credential = signing.credential_for(signing.signing_institution(dossier.faculty))

        number = (dossier.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        frozen_at = timezone.now()
        public_id = new_public_id()
        frozen = {
            "number": number,
            "frozen_at": frozen_at.isoformat(),
            "frozen_by": (user.get_full_name() or user.get_username()) if user else "",
            "verify_url": version_url(public_id),
            "signer": credential.institution.name,
        }
        data = dossier_data(dossier)
        html = render_dossier_html(data, frozen=frozen)
        sha256 = sha256_hex(html.encode("utf-8"))
        pdf = signing.sign_pdf(
            pdf_bytes(html, footer=version_footer(number=number, verify_url=frozen["verify_url"], sha256=sha256)),
            credential=credential,
            reason=f"Frozen version {number} of {dossier}",
        )
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
            pinned_values=pinned_values(dossier),
            public_id=public_id,
            signing_credential=credential,
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
