"""
Background jobs: work handed to a Celery worker (a large import, a dossier's PDF, a freeze), and what the
person who asked for it sees while they wait.

The web request creates the job (queued) and sends its task; the task marks it running, reports progress
and marks it done (with where its result is) or failed (with why, in words for the person). A job is
visible to the person who started it (and to superusers) only; its result is reached through the pages
and endpoints of that result, which apply their own scoping.

Progress within a run goes to the cache, not to the job's row: an import writes its rows inside one
transaction, and a row changed there stays invisible to other connections until the end. With Redis as the
cache (REDIS_URL, as `make run` sets beside a worker) the page sees the rows as they are done; with the
database cache it sees the count when the job finishes.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, models
from django.utils import timezone

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 24 * 3600  # a progress count outlives any run
# The database went away or timed out: worth another run (the tasks commit their work and their job's "done"
# together, so the interrupted run left nothing behind).
PASSING_TROUBLE = (OperationalError, InterfaceError)
UNEXPECTED = "The work stopped on an unexpected error; nothing was stored. Try again, or ask an admin."


class BackgroundJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_superuser else self.filter(created_by=user)

    def waiting(self, pk: int, kind: str) -> "BackgroundJob | None":
        """The job for a task to run, unless it is finished: a message delivered again after the work was done
        (a retry, a worker lost after its commit) does nothing."""
        job = self.select_related("created_by").filter(pk=pk, kind=kind).first()
        return None if job is None or job.finished else job


class BackgroundJob(models.Model):
    """One piece of work for a worker, with its status, its progress and, once done, its result."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        FREEZE = "freeze", "Freeze a dossier"
        PDF = "pdf", "PDF of a dossier"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.FAILED)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started: more than one after a retry.")
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(null=True, blank=True, help_text="Blank when not known in advance.")
    message = models.TextField(blank=True)
    # What the task needs (ids, the stored upload's name): JSON, as the task's own arguments are.
    arguments = models.JSONField(default=dict, blank=True)
    import_batch = models.ForeignKey(
        "metrics.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    result_url = models.CharField(max_length=500, blank=True, help_text="Where the finished work is.")

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The person's own jobs, newest first (the jobs endpoint and the import page).
            models.Index(fields=["created_by", "-created_at"], name="job_by_creator"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    def _progress_key(self) -> str:
        return f"background-job:{self.pk}:rows-done"

    def start(self, *, rows_total: int | None = None) -> None:
        self.status = self.Status.RUNNING
        self.started_at = timezone.now()
        self.attempts += 1
        self.rows_done = 0
        self.rows_total = rows_total
        self.message = ""
        self.save(update_fields=["status", "started_at", "attempts", "rows_done", "rows_total", "message"])
        cache.set(self._progress_key(), 0, PROGRESS_SECONDS)

    def report(self, rows: int) -> None:
        """Count `rows` more rows done (in the cache: see the module's docstring)."""
        key = self._progress_key()
        try:
            cache.incr(key, rows)
        except ValueError:  # the count expired or was evicted
            cache.set(key, rows, PROGRESS_SECONDS)

    def progress(self) -> int:
        """Rows done: the live count while running, the stored one otherwise."""
        if self.status == self.Status.RUNNING:
            return cache.get(self._progress_key(), self.rows_done)
        return self.rows_done

    def finish(self, message: str, *, import_batch=None, result_url: str = "") -> None:
        self.rows_done = self.progress()
        self.status = self.Status.DONE
        self.finished_at = timezone.now()
        self.message = message
        self.import_batch = import_batch
        self.result_url = result_url
        self.save()
        cache.delete(self._progress_key())

    def fail(self, message: str) -> None:
        self.rows_done = self.progress()
        self.status = self.Status.FAILED
        self.finished_at = timezone.now()
        self.message = message
        self.save()
        cache.delete(self._progress_key())


def retry_or_fail(task, job: BackgroundJob, trouble: Exception):
    """For a task whose run met PASSING_TROUBLE: run it again later, or, out of retries, fail its job.
    Return what this gives from the task: the retry is returned, not raised, since a worker sends it either
    way and a task run in-process (no broker) runs it at once only when it is returned."""
    if task.request.retries < task.max_retries:
        logger.warning("Job %s (%s) interrupted (%s); retrying", job.pk, job.kind, type(trouble).__name__)
        return task.retry(exc=trouble, countdown=5 * 2**task.request.retries, throw=False)
    logger.error("Job %s (%s) failed after %d attempts: %s", job.pk, job.kind, job.attempts, type(trouble).__name__)
    job.fail(UNEXPECTED)
    return None
