from django.apps import AppConfig


class MetricsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrics"
    verbose_name = "Posts and metrics"

    def ready(self):
        # Connects the receiver that records how each change came in.
        from metrics import history  # noqa: F401
