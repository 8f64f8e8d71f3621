from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sahel.read.params import parse_instant
from sahel.release.build import build


class Command(BaseCommand):
    help = (
        "Write a dated, versioned release of the public data as of one instant into DIR: "
        "the flat CSV tables as a Frictionless Data Package, the JSON Lines, FollowTheMoney "
        "and Popolo exports, CITATION.cff, the delta against the previous release in DIR "
        "and the sha256 of every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Where releases are kept.")
        parser.add_argument(
            "--as-of",
            help="The instant the release is true of (ISO 8601, in the past); default: now.",
        )
        parser.add_argument("--site", default="", help="The service's address, for citations.")

    def handle(self, *args, directory: Path, as_of=None, site="", **options):
        try:
            instant = parse_instant(as_of) if as_of else None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        release = build(directory, as_of=instant, site=site)
        self.stdout.write(
            f"Release {release['version']} as of {release['as_of']} in {release['path']}"
        )
