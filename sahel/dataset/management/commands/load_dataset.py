from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sahel.dataset.loader import DatasetError, DatasetLoader


class Command(BaseCommand):
    help = (
        "Load the curated dataset (seeds/*.yaml and fixtures/*.yaml). Idempotent: records are "
        "matched by natural keys and only changes are written, with a change reason naming "
        "the file. Any bad record aborts the whole load and is reported by file and record."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=Path, default=settings.SEEDS_DIR)
        parser.add_argument("--fixtures", type=Path, default=settings.FIXTURES_DIR)
        parser.add_argument(
            "--user", help="Username recorded in the history (default: dataset-loader)."
        )

    def handle(self, *args, seeds, fixtures, user, verbosity, **options):
        acting_user = None
        if user:
            try:
                acting_user = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
        loader = DatasetLoader(seeds, fixtures, user=acting_user, base_dir=settings.BASE_DIR)
        try:
            report = loader.load()
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            for line in report.lines():
                self.stdout.write(line)
            for warning in report.warnings:
                self.stderr.write(f"warning: {warning}")
            self.stdout.write(self.style.SUCCESS(f"Dataset loaded: {report.writes} write(s)."))
