from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    """The pages for people: the explorer, and the offline GraphiQL and ReDoc pages. Its
    static/vendor/ tree holds the front-end packages, vendored by bin/update-vendor."""

    name = "sahel.explorer"
    label = "explorer"
    verbose_name = "Explorer"
