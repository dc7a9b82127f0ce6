from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Development only: the `benchmark_*` commands. Installed when `BENCHMARKS` is on (see settings)."""

    name = "portfolio.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
