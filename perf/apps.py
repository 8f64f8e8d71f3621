from django.apps import AppConfig


class PerfConfig(AppConfig):
    """Tools for measuring the service: synthetic data at scale (`generate_synthetic`) and
    the benchmark (`benchmark`). Installed in development only; the service never imports it."""

    name = "perf"
    verbose_name = "Performance tools"
