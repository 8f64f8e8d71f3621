from django.apps import AppConfig


class ReleaseConfig(AppConfig):
    """Dated, versioned releases of the public data (`manage.py release DIR`)."""

    name = "sahel.release"
    label = "release"
    verbose_name = "Releases"
