"""Background work of the dossier builder (Celery; in the calling process when no broker is set)."""

from celery import shared_task

from portfolio.dossiers.evidence import read_evidence_text
from portfolio.dossiers.evidence_models import HighlightEvidence


@shared_task(ignore_result=True)
def read_evidence_text_task(evidence_id: int) -> None:
    """Read the burned-in text of a highlight's screenshot (once: a picture already read is skipped)."""
    evidence = HighlightEvidence.objects.filter(pk=evidence_id).first()
    if evidence is not None:  # replaced or deleted since the upload
        read_evidence_text(evidence)
