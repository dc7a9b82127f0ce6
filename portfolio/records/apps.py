from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Faculty keep their own accounts, posts and snapshots in the site: no models of its own, only pages."""

    name = "portfolio.records"
    label = "records"
    verbose_name = "Accounts and posts"
