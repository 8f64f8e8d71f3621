from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "actors"

    def ready(self) -> None:
        from actors import resources  # noqa: F401  (registers what the surfaces serve)
