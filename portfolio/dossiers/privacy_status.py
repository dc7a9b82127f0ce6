"""
Where a highlighted post stands with the caption privacy check: flagged words are either fixed (the caption
no longer trips the check) or acknowledged by a person on the highlight. Freezing waits for one or the other.
"""

from portfolio.dossiers.privacy import PrivacyFlag, caption_flags
from portfolio.models import Dossier, Highlight


def unresolved_privacy(highlight: Highlight) -> list[PrivacyFlag]:
    """The caption's privacy flags while nobody has acknowledged them; [] once fixed or acknowledged."""
    if highlight.privacy_acknowledged_at is not None:
        return []
    return caption_flags(highlight.post.caption)


def highlights_with_unresolved_privacy(dossier: Dossier) -> list[Highlight]:
    """The dossier's highlights that still hold a privacy flag nobody acknowledged."""
    pending = dossier.highlight_rows.filter(privacy_acknowledged_at__isnull=True).select_related("post")
    return [highlight for highlight in pending if caption_flags(highlight.post.caption)]
