from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema.graphql"


def schema_text() -> str:
    from sahel.graphql.schema import schema

    return schema.as_str() + "\n"


class Command(BaseCommand):
    help = "Write the GraphQL schema to schema.graphql, or with --check fail if it drifted."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if schema.graphql differs from the code."
        )

    def handle(self, *args, check=False, **options):
        text = schema_text()
        if check:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text:
                raise CommandError(
                    "schema.graphql is out of date with the code: run "
                    "`python manage.py graphql_schema` and commit it."
                )
            self.stdout.write("schema.graphql is up to date.")
            return
        SCHEMA_FILE.write_text(text)
        self.stdout.write(f"Wrote {SCHEMA_FILE.name}.")
