from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"

    def ready(self) -> None:
        from places import resources  # noqa: F401  (registers what the surfaces serve)
