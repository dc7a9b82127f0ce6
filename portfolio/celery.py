"""The Celery app that runs the site's background work.

Workers start with `celery -A portfolio worker`; with no CELERY_BROKER_URL the tasks run in the calling process
(settings.CELERY_TASK_ALWAYS_EAGER), which is what the tests and a fresh machine use.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

app = Celery("portfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
