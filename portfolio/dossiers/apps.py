from django.apps import AppConfig


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portfolio.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"
