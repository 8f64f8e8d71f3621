from django.apps import AppConfig


class DatasetConfig(AppConfig):
    """The curated dataset's loader (`manage.py load_dataset`)."""

    name = "sahel.dataset"
    label = "dataset"
    verbose_name = "Curated dataset"
