from django.apps import AppConfig


class SahelConfig(AppConfig):
    name = "sahel"
    verbose_name = "Sahel actor database"

    def ready(self) -> None:
        from sahel import (
            history,  # noqa: F401  (connects the history-stamping signal)
            lookups,  # noqa: F401  (registers `__in_ids`)
        )
