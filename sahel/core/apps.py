from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The claim machinery: models, history, services, selectors. Its label stays `sahel`
    (the tables, migrations and permissions were named so before the core had a package)."""

    name = "sahel.core"
    label = "sahel"
    verbose_name = "Sahel actor database"

    def ready(self) -> None:
        from sahel.core import (
            history,  # noqa: F401  (connects the history-stamping signal)
            lookups,  # noqa: F401  (registers `__in_ids`)
        )
