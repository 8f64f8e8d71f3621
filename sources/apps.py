from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources and citations"

    def ready(self) -> None:
        from sources import resources  # noqa: F401  (registers what the surfaces serve)
