from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        from events import resources  # noqa: F401  (registers what the surfaces serve)
