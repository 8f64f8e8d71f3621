from django.apps import AppConfig


class AdminConfig(AppConfig):
    """The editors' workbench (the machinery every app's admin.py builds on; its templates)."""

    name = "sahel.admin"
    label = "sahel_admin"
    verbose_name = "Editors' workbench"

    def ready(self) -> None:
        from sahel.admin import accounts  # noqa: F401  (the user admin, site titles)
