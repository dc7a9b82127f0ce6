from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_latest_snapshot_triggers(sender, using, **kwargs):
    # After every migrate (and test database): the triggers that keep `LatestPostMetrics`, see `metrics.latest`.
    from metrics import latest

    latest.install(using)


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = "Posts and metrics"

    def ready(self):
        # Connects the receiver that records how each change came in.
        from metrics import history  # noqa: F401

        post_migrate.connect(install_latest_snapshot_triggers, sender=self)
