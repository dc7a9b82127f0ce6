"""
Imports on a worker: the job, its progress, its retries (which never import twice) and the API's 202.

The tests run the tasks eagerly (no broker, as settings do when CELERY_BROKER_URL is unset); one slow test
runs a real worker against the local Redis when it answers.
"""

import datetime as dt
import threading

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import OperationalError
from rest_framework.test import APIClient

from metrics.imports import ImportRefused
from metrics.imports_writer import ImportWriter
from metrics.jobs import BackgroundJob
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.tasks import run_import
from metrics.tasks import start_confirm
from metrics.tasks import start_import
from portfolio.celery import app
from tests.factories import UserFactory
from tests.test_imports import row
from tests.test_imports import template


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def first_file():
    return template(row("p1", likes=10, caption="Old caption"), row("p2", likes=20, caption="Old caption"))


def second_file():
    """A later export of the same posts: new captions (history records) and a second day of counts."""
    return template(
        row("p1", captured_on="2026-10-08", likes=15, caption="New caption"),
        row("p2", captured_on="2026-10-08", likes=25, caption="New caption"),
    )


def stored(account) -> dict:
    """What an import leaves behind: rows, snapshots, batches and history records."""
    return {
        "posts": sorted(Post.objects.filter(account=account).values_list("external_id", "caption")),
        "snapshots": sorted(PostMetrics.objects.values_list("post__external_id", "captured_on", "likes")),
        "imported batches": ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).count(),
        "post history": sorted(Post.history.values_list("external_id", "caption", "history_type")),
        "snapshot history": PostMetrics.history.count(),
    }


@pytest.fixture
def interrupt(monkeypatch):
    """`interrupt(n)`: the n-th import run (counting from 1) loses its database connection after writing its first
    chunk, as a worker whose database restarts would; the other runs go through."""
    add = ImportWriter.add
    runs = {"started": 0, "interrupted": None}

    def add_then_fail(writer, chunk):
        runs["started"] += 1
        add(writer, chunk)
        if runs["started"] == runs["interrupted"]:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ImportWriter, "add", add_then_fail)
    return lambda number: runs.update(interrupted=number)


# What the two files leave behind when each is imported once: the second file's caption changes are recorded
# (the first state, then the change), its counts are a second day of snapshots.
ONE_IMPORT_EACH = {
    "posts": [("p1", "New caption"), ("p2", "New caption")],
    "snapshots": [
        ("p1", dt.date(2026, 10, 1), 10),
        ("p1", dt.date(2026, 10, 8), 15),
        ("p2", dt.date(2026, 10, 1), 20),
        ("p2", dt.date(2026, 10, 8), 25),
    ],
    "imported batches": 2,
    "post history": [
        ("p1", "New caption", "~"),
        ("p1", "Old caption", "+"),
        ("p2", "New caption", "~"),
        ("p2", "Old caption", "+"),
    ],
    "snapshot history": 0,
}


@pytest.mark.parametrize(
    ("interrupted_run", "attempts"),
    [(None, [1, 1]), (1, [2, 1]), (2, [1, 2])],
    ids=["no interruption", "first file interrupted", "second file interrupted"],
)
def test_an_interrupted_import_is_retried_and_leaves_exactly_one_import(
    alice, alice_instagram, interrupt, interrupted_run, attempts
):
    interrupt(interrupted_run)

    start_import(user=alice, upload=first_file(), account=alice_instagram)
    start_import(user=alice, upload=second_file(), account=alice_instagram)

    jobs = list(BackgroundJob.objects.order_by("pk"))
    assert [job.attempts for job in jobs] == attempts
    assert [job.status for job in jobs] == [BackgroundJob.Status.DONE] * 2
    assert stored(alice_instagram) == ONE_IMPORT_EACH
    assert not ImportBatch.objects.exclude(status=ImportBatch.Status.IMPORTED).exists()


def test_a_job_delivered_again_after_it_finished_does_nothing(alice, alice_instagram):
    job = start_import(user=alice, upload=first_file(), account=alice_instagram)
    before = stored(alice_instagram)

    run_import.delay(job.pk)  # a redelivered message

    job.refresh_from_db()
    assert job.attempts == 1
    assert stored(alice_instagram) == before
    assert ImportBatch.objects.count() == 1


def test_a_job_that_keeps_failing_is_marked_failed_and_writes_nothing(alice, alice_instagram, monkeypatch):
    def always_fail(writer, chunk):
        raise OperationalError("the database is gone")

    monkeypatch.setattr(ImportWriter, "add", always_fail)

    job = start_import(user=alice, upload=first_file(), account=alice_instagram)

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert job.attempts == run_import.max_retries + 1
    assert "nothing was stored" in job.message
    assert not ImportBatch.objects.exists() and not Post.objects.exists()


def test_a_preview_job_then_a_confirm_job(alice, alice_instagram):
    preview_job = start_import(user=alice, upload=first_file(), account=alice_instagram, dry_run=True)
    preview = ImportBatch.objects.get()
    confirm_job = start_confirm(user=alice, batch=preview)

    preview_job.refresh_from_db()
    confirm_job.refresh_from_db()
    assert preview_job.import_batch == preview and preview.status == ImportBatch.Status.PREVIEW
    assert confirm_job.import_batch.status == ImportBatch.Status.IMPORTED
    assert confirm_job.rows_total == 2
    assert Post.objects.count() == 2


def test_a_reviewer_cannot_start_an_import_job(bob, alice_instagram):
    with pytest.raises(ImportRefused):
        start_import(user=bob, upload=first_file(), account=alice_instagram)

    assert not BackgroundJob.objects.exists()


def test_the_api_answers_202_with_the_jobs_address_for_a_large_file(settings, alice, alice_instagram):
    settings.IMPORT_BACKGROUND_BYTES = 10
    api = APIClient()
    api.force_authenticate(alice)

    answer = api.post("/api/v1/imports/", {"account": alice_instagram.pk, "file": first_file()}, format="multipart")
    job = api.get(answer["Location"]).json()

    assert answer.status_code == 202
    assert answer.json()["url"] == answer["Location"]
    assert answer["Location"].endswith(f"/api/v1/jobs/{job['id']}/")
    assert (job["status"], job["finished"], job["rows_done"]) == ("done", True, 2)
    batch = api.get(f"/api/v1/imports/{job['import_batch']}/").json()
    assert (batch["status"], batch["posts_created"]) == ("imported", 2)


def test_the_api_answers_201_for_a_small_file_as_before(alice, alice_instagram):
    api = APIClient()
    api.force_authenticate(alice)

    answer = api.post("/api/v1/imports/", {"account": alice_instagram.pk, "file": first_file()}, format="multipart")

    assert answer.status_code == 201
    assert not BackgroundJob.objects.exists()


def test_a_job_is_visible_to_the_person_who_started_it_only(alice, nora, charlie, alice_instagram):
    job = start_import(user=alice, upload=first_file(), account=alice_instagram)
    api = APIClient()

    api.force_authenticate(alice)
    assert api.get("/api/v1/jobs/").json()["count"] == 1
    for other in (nora, charlie, UserFactory(username="eve")):
        api.force_authenticate(other)
        assert api.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
        assert api.get("/api/v1/jobs/").json()["count"] == 0


WORKER_REDIS = "redis://127.0.0.1:6379/3"


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(WORKER_REDIS, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def forget_connections() -> None:
    app.close()
    app.amqp._producer_pool = None


@pytest.fixture
def real_worker():
    """A Celery worker (in a thread of this process, so that it shares the test database) fed by Redis."""
    if not redis_answers():
        pytest.skip(f"No Redis answers at {WORKER_REDIS}: the real-worker test needs one (e.g. `redis-server`).")
    redis.Redis.from_url(WORKER_REDIS).flushdb()  # no message left over from an earlier run
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    # Tasks run in-process keep a pool of producers for the broker of that moment (none): dropped, so that the
    # next message goes to Redis.
    forget_connections()
    app.conf.update(broker_url=WORKER_REDIS, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", queues=["imports"], perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        app.conf.update(saved)
        forget_connections()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_import_through_redis(real_worker, alice, alice_instagram):
    finished = threading.Event()
    outcome = {}

    def note(sender=None, state=None, retval=None, **kwargs):
        outcome.update(state=state, retval=retval)
        finished.set()

    # The test waits for the worker's word rather than polling the database, which SQLite (shared by the
    # worker's thread) would lock.
    task_postrun.connect(note, sender=run_import, weak=False)
    try:
        job = start_import(user=alice, upload=first_file(), account=alice_instagram)
        assert run_import.app.conf.task_always_eager is False  # sent through Redis, run by the worker
        assert finished.wait(timeout=60), "the worker did not run the task within a minute"
    finally:
        task_postrun.disconnect(note, sender=run_import)

    job.refresh_from_db()
    assert outcome["state"] == "SUCCESS", outcome
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert (job.rows_done, job.attempts) == (2, 1)
    assert job.import_batch.status == ImportBatch.Status.IMPORTED
    assert Post.objects.filter(account=alice_instagram).count() == 2


def test_a_refused_file_ends_its_job_with_the_refused_batch_and_keeps_no_upload(settings, alice, alice_instagram):
    settings.IMPORT_BACKGROUND_BYTES = 10
    api = APIClient()
    api.force_authenticate(alice)
    bad = template(row("p1", content_type="hologram"))

    answer = api.post("/api/v1/imports/", {"account": alice_instagram.pk, "file": bad}, format="multipart")
    job = api.get(answer["Location"]).json()
    batch = api.get(f"/api/v1/imports/{job['import_batch']}/").json()

    assert (answer.status_code, job["status"]) == (202, "done")
    assert batch["status"] == "refused"
    assert [(error["row"], error["column"]) for error in batch["errors"]] == [(2, "content_type")]
    assert not list((settings.MEDIA_ROOT / "imports").rglob("*.*"))  # neither the upload nor a batch file
    assert not Post.objects.exists()
