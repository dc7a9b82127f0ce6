from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "portfolio.imports"
    label = "imports"
    verbose_name = "Imports for faculty"
