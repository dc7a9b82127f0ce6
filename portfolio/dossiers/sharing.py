"""
Reviewer links: an expiring, revocable, read-only way into one frozen version, for someone without a login.

A link opens only while it is neither revoked nor expired; otherwise it answers exactly as an unknown
token does (404), so a guessed or stale token reveals nothing. Every opening (the page, its PDF, its HTML)
is logged with the time, the client's address and its user agent, for the faculty member to see; an opening
by someone signed in records who, and whether they may change the dossier (its faculty member or an admin
checking the link), so that those openings are counted apart from the reviewer's.
"""

import ipaddress
import logging
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from portfolio.dossiers.models import Dossier, DossierVersion, ShareAccess, ShareLink

logger = logging.getLogger(__name__)

# A link for a promotion review should not outlive the review; a year covers the slowest committee.
LONGEST_VALIDITY = timedelta(days=366)
DEFAULT_VALIDITY = timedelta(days=30)
USER_AGENT_MAX = ShareAccess._meta.get_field("user_agent").max_length


def validate_expiry(expires_at: datetime, *, now: datetime | None = None) -> None:
    """Raise ValidationError unless `expires_at` is in the future and at most a year away."""
    now = now or timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": "A link must expire in the future."})
    if expires_at > now + LONGEST_VALIDITY:
        raise ValidationError({"expires_at": "A link may stay open for a year at most."})


def end_of_day(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """
    When a link chosen to open "until `day`" closes: the first moment of the next day in `zone`, the
    institution's time zone. It is an exclusive bound (`ShareLink.is_usable`: open while now < it), so the link
    works all of `day` there, and `ShareLink.last_day` reads `day` back from it.
    """
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def create_link(*, version: DossierVersion, user, recipient: str, expires_at: datetime) -> ShareLink:
    validate_expiry(expires_at)
    return ShareLink.objects.create(
        version=version, recipient=recipient.strip(), expires_at=expires_at, created_by=user
    )


def revoke_link(*, link: ShareLink) -> ShareLink:
    """Close the link for good; revoking it again keeps the first revocation time."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def open_link(*, token: str, request) -> ShareLink:
    """The usable link with this token, its version loaded, after logging this access; else Http404."""
    link = ShareLink.objects.usable().select_related("version__dossier__faculty").filter(token=token).first()
    if link is None:
        raise Http404("No such link, or it has expired or been revoked.")
    user = request.user if request.user.is_authenticated else None
    ShareAccess.objects.create(
        link=link,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
        opened_by=user,
        # The faculty member or an admin checking the link is not the reviewer reading it: counted apart.
        by_owner=user is not None and Dossier.objects.editable_by(user).filter(pk=link.version.dossier_id).exists(),
    )
    # Ids only: the token opens the version and the address is the reviewer's; both stay in the access log.
    logger.info("Reviewer link %s opened: version %s", link.pk, link.version_id)
    return link


def client_ip(request) -> str | None:
    """
    The address the request came from. Behind a proxy (USE_X_FORWARDED_FOR), the right-most entry of
    X-Forwarded-For: the one the proxy itself appended, which a client cannot forge.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.USE_X_FORWARDED_FOR:
        address = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip() or address
    try:
        # Stored in an address column (inet on PostgreSQL): anything else is no address at all.
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
