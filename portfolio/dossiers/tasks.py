"""
A dossier's slow work on a worker: freezing it, its live draft as a PDF (each several seconds), and reading the
text burned into a highlight's screenshot.

With a broker (CELERY_BROKER_URL) the pages hand this work to a worker and the person follows its job;
without one the pages do it within the request as before, so a fresh machine needs nothing more. The tasks
only call the workflows (`freezing.freeze`, `exports.live_export`), which stay where they are.

Safe to run twice (a retry, a redelivered message): a freeze and its job's "done" commit together, so an
interrupted freeze leaves no version and a finished one is not frozen again; a PDF is rendered again from
the same dossier, and the job keeps the last.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from metrics.jobs import PASSING_TROUBLE, UNEXPECTED, BackgroundJob, retry_or_fail
from portfolio.dossiers import exports
from portfolio.dossiers.evidence import read_evidence_text
from portfolio.dossiers.evidence_models import HighlightEvidence
from portfolio.dossiers.freezing import FreezeRefused, freeze
from portfolio.dossiers.models import Dossier

logger = logging.getLogger(__name__)

DOCUMENTS_DIR = "documents/jobs"


def in_background() -> bool:
    """Whether a worker does the work (a broker is set), rather than the request itself."""
    return bool(settings.CELERY_BROKER_URL)


def start_freeze(*, dossier: Dossier, user) -> BackgroundJob:
    """Queue the freeze of `dossier` by `user`, who may change it (the view has checked)."""
    job = BackgroundJob.objects.create(
        kind=BackgroundJob.Kind.FREEZE, created_by=user, arguments={"dossier": dossier.pk}
    )
    freeze_dossier.delay(job.pk)
    return job


def start_pdf(*, dossier: Dossier, user) -> BackgroundJob:
    """Queue the live dossier's PDF for `user`, who may read it (the view has checked)."""
    job = BackgroundJob.objects.create(kind=BackgroundJob.Kind.PDF, created_by=user, arguments={"dossier": dossier.pk})
    render_pdf.delay(job.pk)
    return job


def pdf_file(job: BackgroundJob) -> str:
    """Where a PDF job keeps its document (one per job)."""
    return f"{DOCUMENTS_DIR}/{job.pk}.pdf"


@shared_task(bind=True, max_retries=3, acks_late=True)
def freeze_dossier(self, job_id: int):
    job = BackgroundJob.objects.waiting(job_id, BackgroundJob.Kind.FREEZE)
    if job is None:
        return None
    job.start()
    try:
        with transaction.atomic():
            dossier = Dossier.objects.get(pk=job.arguments["dossier"])
            version = freeze(dossier=dossier, user=job.created_by)
            job.finish(
                f"Frozen as version {version.number}.",
                result_url=reverse("dossiers:version", args=[dossier.pk, version.number]),
            )
    except FreezeRefused as refused:
        job.fail(f"Not frozen. {refused}")
    except PASSING_TROUBLE as trouble:
        return retry_or_fail(self, job, trouble)
    except Exception:
        logger.exception("Freeze job %s failed", job.pk)
        job.fail(UNEXPECTED)
    return None


@shared_task(bind=True, max_retries=3, acks_late=True)
def render_pdf(self, job_id: int):
    job = BackgroundJob.objects.waiting(job_id, BackgroundJob.Kind.PDF)
    if job is None:
        return None
    job.start()
    try:
        dossier = Dossier.objects.select_related("faculty", "scoring_profile__institution").get(
            pk=job.arguments["dossier"]
        )
        export = exports.live_export(dossier, "pdf")
        name = pdf_file(job)
        default_storage.delete(name)  # a retry's document replaces the last one
        default_storage.save(name, ContentFile(export.content))
        job.arguments = {**job.arguments, "filename": export.filename}
        job.finish(f"{export.filename} is ready.", result_url=reverse("dossiers:job-pdf", args=[dossier.pk, job.pk]))
    except PASSING_TROUBLE as trouble:
        return retry_or_fail(self, job, trouble)
    except Exception:
        logger.exception("PDF job %s failed", job.pk)
        job.fail(UNEXPECTED)
    return None


@shared_task(ignore_result=True)
def read_evidence_text_task(evidence_id: int) -> None:
    """Read the burned-in text of a highlight's screenshot (once: a picture already read is skipped)."""
    evidence = HighlightEvidence.objects.filter(pk=evidence_id).first()
    if evidence is not None:  # replaced or deleted since the upload
        read_evidence_text(evidence)
