from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set and its `seed_demo` command."""

    name = "portfolio.demo"
    label = "demo"
    verbose_name = "Demo data"
