from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    """Accounts side by side: no models of its own, only views and the API over accounts and metrics."""

    name = "portfolio.comparisons"
    label = "comparisons"
    verbose_name = "Comparisons"
