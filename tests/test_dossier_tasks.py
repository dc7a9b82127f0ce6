"""
A dossier's slow work on a worker: freezing and the live PDF, as jobs the person follows.

With a broker set the pages queue the work; the tests run the tasks in-process (eagerly), as the Celery
settings do whenever no broker is configured for the app itself.
"""

import pytest
from django.db import OperationalError
from django.urls import reverse

from metrics.jobs import BackgroundJob
from portfolio.dossiers import tasks
from portfolio.dossiers.models import DossierVersion
from tests.factories import HighlightFactory
from tests.factories import PostFactory

pytest_plugins = ["tests.dossier_fixtures"]


@pytest.fixture
def with_a_worker(settings, tmp_path):
    """The pages believe a worker is there (a broker is named); the tasks still run here, at once."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/3"
    settings.MEDIA_ROOT = tmp_path / "media"


def test_freezing_goes_to_a_worker_and_the_job_opens_the_version(dossier, alice, signed_in, with_a_worker):
    client = signed_in(alice)

    answer = client.post(reverse("dossiers:freeze", args=[dossier.pk]))
    job = BackgroundJob.objects.get()
    job_page = client.get(answer.url)

    assert answer.url == reverse("job", args=[job.pk])
    assert (job.kind, job.status, job.message) == ("freeze", "done", "Frozen as version 1.")
    version = DossierVersion.objects.get()
    assert job.result_url == reverse("dossiers:version", args=[dossier.pk, version.number])
    assert job_page.url == job.result_url


def test_unresolved_privacy_flags_refuse_the_freeze_before_any_job(
    dossier, alice, alice_instagram, signed_in, with_a_worker
):
    flagged = PostFactory(account=alice_instagram, caption="A 47-year-old fell from a ladder on 3/14/2026.")
    HighlightFactory(dossier=dossier, post=flagged, position=2)

    answer = signed_in(alice).post(reverse("dossiers:freeze", args=[dossier.pk]))

    assert answer.status_code == 409
    assert not BackgroundJob.objects.exists()
    assert not DossierVersion.objects.exists()


def test_a_flag_raised_after_queueing_fails_the_job_with_the_reason(dossier, alice, alice_instagram):
    flagged = PostFactory(account=alice_instagram, caption="A 47-year-old fell from a ladder on 3/14/2026.")
    HighlightFactory(dossier=dossier, post=flagged, position=2)

    job = tasks.start_freeze(dossier=dossier, user=alice)

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "Fix the caption or acknowledge the flag" in job.message
    assert not DossierVersion.objects.exists()


def test_an_interrupted_freeze_is_retried_and_stores_one_version(dossier, alice, monkeypatch):
    freeze = tasks.freeze
    runs = []

    def freeze_then_lose_the_connection(**arguments):
        version = freeze(**arguments)
        runs.append(version.number)
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return version

    monkeypatch.setattr(tasks, "freeze", freeze_then_lose_the_connection)

    job = tasks.start_freeze(dossier=dossier, user=alice)
    tasks.freeze_dossier.delay(job.pk)  # delivered again once done: nothing more

    job.refresh_from_db()
    assert runs == [1, 1]  # the first run's version 1 was rolled back with it
    assert list(DossierVersion.objects.values_list("number", flat=True)) == [1]
    assert (job.status, job.attempts) == ("done", 2)


def test_the_live_pdf_is_rendered_by_a_worker_and_downloaded_by_its_owner_only(
    dossier, alice, nora, charlie, signed_in, with_a_worker
):
    client = signed_in(alice)

    answer = client.get(reverse("dossiers:download", args=[dossier.pk, "pdf"]))
    job = BackgroundJob.objects.get()
    page = client.get(answer.url).content.decode()
    document = client.get(job.result_url)

    assert answer.url == reverse("job", args=[job.pk])
    assert job.status == BackgroundJob.Status.DONE
    assert "Download the PDF" in page and job.result_url in page
    assert document.status_code == 200
    assert b"".join(document.streaming_content).startswith(b"%PDF-")
    assert document["Content-Disposition"].endswith('-draft.pdf"')
    # Nora may read the dossier but did not ask for this PDF; Charlie may read neither.
    assert signed_in(nora).get(job.result_url).status_code == 404
    assert signed_in(charlie).get(job.result_url).status_code == 404
    assert signed_in(charlie).get(answer.url).status_code == 404


def test_without_a_worker_the_pages_work_within_the_request_as_before(dossier, alice, signed_in):
    client = signed_in(alice)

    frozen = client.post(reverse("dossiers:freeze", args=[dossier.pk]))
    pdf = client.get(reverse("dossiers:download", args=[dossier.pk, "pdf"]))

    assert frozen.url.endswith("#version-1")
    assert pdf.content.startswith(b"%PDF-")
    assert not BackgroundJob.objects.exists()
