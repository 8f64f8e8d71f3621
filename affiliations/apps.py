from django.apps import AppConfig


class AffiliationsConfig(AppConfig):
    name = "affiliations"

    def ready(self) -> None:
        from affiliations import resources  # noqa: F401  (registers what the surfaces serve)
