"""
A dossier's life after its first draft: deleted while it was never frozen, archived once it was, and duplicated
for the next review cycle. Submitting and archiving themselves are `Dossier.submit` and `Dossier.archive`.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from portfolio.dossiers.models import DELETE_REFUSED, Dossier, Highlight


@dataclass(frozen=True)
class Duplicate:
    dossier: Dossier
    highlights_copied: int
    highlights_left_out: int  # published outside the new period


def delete_dossier(*, dossier: Dossier) -> None:
    """Delete a dossier that was never frozen; raises ValidationError (`DELETE_REFUSED`) for one that was."""
    with transaction.atomic():
        if not dossier.may_be_deleted():
            raise ValidationError(DELETE_REFUSED)
        dossier.delete()


def duplicate_dossier(
    *, dossier: Dossier, user, title: str, period_start: dt.date, period_end: dt.date, as_of: dt.date
) -> Duplicate:
    """
    A new draft for the next cycle: the same faculty member, accounts, narrative, weights and activities, and the
    highlights (order, category, note) whose posts lie in the new period; no versions, no reviewer links. A
    privacy acknowledgement is not copied: whoever hands the new dossier over confirms the captions again.
    """
    with transaction.atomic():
        copy = Dossier(
            faculty=dossier.faculty,
            title=title,
            period_start=period_start,
            period_end=period_end,
            as_of=as_of,
            narrative=dossier.narrative,
            scoring_profile=dossier.scoring_profile,
            created_by=user,
        )
        copy.full_clean()
        copy.save()
        copy.accounts.set(dossier.accounts.all())
        copy.activities.set(dossier.activities.all())
        highlights = list(dossier.highlight_rows.order_by("position", "pk"))
        kept = set(
            copy.highlightable_posts()
            .filter(pk__in=[highlight.post_id for highlight in highlights])
            .values_list("pk", flat=True)
        )
        Highlight.objects.bulk_create(
            Highlight(
                dossier=copy,
                post_id=highlight.post_id,
                position=highlight.position,
                note=highlight.note,
                category=highlight.category,
            )
            for highlight in highlights
            if highlight.post_id in kept
        )
    return Duplicate(dossier=copy, highlights_copied=len(kept), highlights_left_out=len(highlights) - len(kept))
