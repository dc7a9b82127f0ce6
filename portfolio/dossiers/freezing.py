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
be corrected, and a caption that identifies a patient must not be handed to a committee unseen. Flags that are
only worth a look do not block, unless an institution's privacy policy says they must be acknowledged too; a
policy's minimum delay between an event and its post blocks whatever was acknowledged (`portfolio.privacy.policy`:
the policies of every institution where the faculty member holds an appointment, the strictest winning). The
same holds for a highlighted post's screenshot (`refuse_unresolved_evidence`); a version keeps its own copy of
each highlighted post's evidence, hashed (`evidence.keep_evidence`).
"""

import hashlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator

from metrics.db import in_batches
from metrics.history import record_creations
from portfolio.dossiers import integrity, signing
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.evidence import keep_evidence, read_evidence_text, unresolved_evidence
from portfolio.dossiers.exports import pdf_bytes, version_footer
from portfolio.dossiers.models import Dossier, DossierVersion, Highlight, new_public_id
from portfolio.dossiers.render import render_dossier_html
from portfolio.dossiers.verification import version_url
from portfolio.privacy.policy import Policy, policy_for_faculty
from portfolio.privacy.rules import PrivacyFlag, event_days_before_post

logger = logging.getLogger(__name__)
# Enough of a version's SHA-256 to find it in the log; the whole hash is on its pages.
SHA256_LOGGED = 12
# How much of a flagged caption names its post in a refusal: enough to recognise it.
CAPTION_NAMED = 60


@dataclass(frozen=True)
class UnresolvedFlags:
    """A highlighted post whose caption still trips the privacy check, with no acknowledgement."""

    highlight: Highlight
    flags: list[PrivacyFlag]

    @property
    def post_label(self) -> str:
        """The post as its author knows it: day, account and how the caption starts (never the platform's id)."""
        post = self.highlight.post
        day = timezone.localtime(post.published_at).date()
        start = Truncator(" ".join(post.caption.split())).chars(CAPTION_NAMED)
        return f"{day:%-d %b %Y}, {post.account.platform.name} @{post.account.handle}: “{start}”"


@dataclass(frozen=True)
class PolicyBreach:
    """A highlighted post that an institution's privacy policy refuses, whatever was acknowledged."""

    highlight: Highlight
    rule: str  # the policy's rule in words, naming the institution that set it
    detail: str


class FreezeRefused(Exception):
    """The dossier cannot be frozen yet; `unresolved` and `breaches` say which highlighted posts and why."""

    def __init__(self, unresolved: list[UnresolvedFlags], breaches: list[PolicyBreach] = ()):
        self.unresolved = unresolved
        self.breaches = list(breaches)
        reasons = []
        if unresolved:
            posts = "; ".join(
                f"{item.post_label}: " + ", ".join(flag.reason for flag in item.flags) for item in unresolved
            )
            reasons.append(
                "A highlighted caption may identify a patient. Fix the caption or acknowledge the flag, "
                f"then freeze again ({posts})."
            )
        reasons += [f"{breach.rule}: {breach.detail}" for breach in self.breaches]
        super().__init__(" ".join(reasons))


class EvidenceRefused(FreezeRefused):
    """A highlighted post's screenshot shows a likely patient identifier that nobody acknowledged."""

    is_about_images = True

    def __init__(self, unresolved):
        self.unresolved = unresolved
        self.breaches = []
        posts = "; ".join(
            f"post {item.highlight.post.external_id}: "
            + ", ".join(f'{flag.reason} ("{flag.excerpt}")' for flag in item.flags)
            for item in unresolved
        )
        Exception.__init__(
            self,
            "A highlighted post's screenshot may identify a patient. Replace the picture or acknowledge the flag, "
            f"then freeze again ({posts}).",
        )


def refuse_unresolved_evidence(dossier: Dossier) -> None:
    """
    The evidence step of freezing: raises EvidenceRefused while a screenshot of a highlighted post shows an
    identifying text (a name, a date of birth, a record number) that was neither replaced nor acknowledged.
    """
    unresolved = unresolved_evidence(dossier)
    if unresolved:
        logger.warning(
            "Freeze of dossier %s refused: unresolved image flags on %s highlighted posts", dossier.pk, len(unresolved)
        )
        raise EvidenceRefused(unresolved)


def unresolved_privacy_flags(dossier: Dossier, policy: Policy | None = None) -> list[UnresolvedFlags]:
    """
    Highlighted posts, in dossier order, whose caption has a flag that blocks freezing under `policy` (the
    faculty member's institutions' by default) and that nobody acknowledged.
    """
    policy = policy or policy_for_faculty(dossier.faculty)
    unresolved = []
    for highlight in dossier.highlights_with_unresolved_privacy():
        flags = [flag for flag in highlight.unresolved_privacy_flags() if policy.blocks(flag.severity)]
        if flags:
            unresolved.append(UnresolvedFlags(highlight=highlight, flags=flags))
    return unresolved


def policy_breaches(dossier: Dossier, policy: Policy | None = None) -> list[PolicyBreach]:
    """
    Highlighted posts that the policy refuses whatever was acknowledged: published sooner after their event than
    its minimum, or, where it allows no patient images, carrying a screenshot with a patient study's burned-in
    text (the overlay that marks a scan from a viewer).
    """
    policy = policy or policy_for_faculty(dossier.faculty)
    if not policy.min_days_after_event and policy.allows_patient_images:
        return []
    breaches = []
    for highlight in dossier.highlight_rows.select_related("post", "evidence").order_by("position", "pk"):
        breaches += _too_soon(highlight, policy) + _patient_image(highlight, policy)
    return breaches


def _too_soon(highlight: Highlight, policy: Policy) -> list[PolicyBreach]:
    post, minimum = highlight.post, policy.min_days_after_event
    days = event_days_before_post(post.caption, post.published_at) if minimum else None
    if days is None or days >= minimum:
        return []
    after = "the same day as" if days == 0 else f"{days} day{'' if days == 1 else 's'} after"
    detail = (
        f"post {post.external_id} was published {after} the event its caption describes; remove it from the "
        "highlights or wait for a later post."
    )
    return [PolicyBreach(highlight=highlight, rule=policy.rule("min_days_after_event"), detail=detail)]


def _patient_image(highlight: Highlight, policy: Policy) -> list[PolicyBreach]:
    evidence = getattr(highlight, "evidence", None)
    if policy.allows_patient_images or evidence is None or not evidence.image:
        return []
    read = [flag for flag in read_evidence_text(evidence).flags() if flag.source == "ocr" and flag.kind != "not_read"]
    if not read:
        return []
    detail = (
        f"the screenshot of post {highlight.post.external_id} shows a patient study's text "
        f"(\u201c{read[0].excerpt}\u201d); attach a screenshot without the patient image, or none."
    )
    return [PolicyBreach(highlight=highlight, rule=policy.rule("allows_patient_images"), detail=detail)]


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
        policy = policy_for_faculty(dossier.faculty)
        unresolved = unresolved_privacy_flags(dossier, policy)
        breaches = policy_breaches(dossier, policy)
        if unresolved or breaches:
            logger.warning(
                "Freeze of dossier %s refused for user %s: %s unresolved privacy flags on %s highlighted posts%s",
                dossier.pk,
                user_id,
                sum(len(item.flags) for item in unresolved),
                len(unresolved),
                f", {len(breaches)} posts against the privacy policy" if breaches else "",
            )
            raise FreezeRefused(unresolved, breaches)
        refuse_unresolved_evidence(dossier)
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
        # The evidence step: the version's own copy of each highlighted post (caption, link, metrics, picture).
        keep_evidence(version)
    logger.info(
        "Dossier %s frozen as version %s (id %s) by user %s, SHA-256 %s",
        dossier.pk,
        number,
        version.pk,
        user_id,
        sha256[:SHA256_LOGGED],
    )
    return version
