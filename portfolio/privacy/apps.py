from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Patient privacy: the checks that point at words and images that may identify a patient."""

    name = "portfolio.privacy"
    label = "privacy"
    verbose_name = "Patient privacy"
