import time

from django.core.management.base import BaseCommand, CommandError

from perf import runner


class Command(BaseCommand):
    help = (
        "Measure the REST and GraphQL read paths (median, p95, SQL queries) beside a "
        "hand-written psycopg + orjson baseline of the same payload, and print a Markdown "
        "table. Run it on a database filled by `manage.py generate_synthetic` (PostgreSQL "
        "for the baselines)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="timed runs per case")
        parser.add_argument("--no-export", action="store_true", help="skip the full export")
        parser.add_argument("--only", help="only the cases whose name contains this")
        parser.add_argument(
            "--export-limit", type=int, default=None, help="stop the export after N records"
        )
        parser.add_argument(
            "--export-rounds",
            type=int,
            default=2,
            help="export service then baseline this many times (each in a fresh process); "
            "the best rate of each is reported",
        )

    def handle(
        self, *args, repeat, no_export, export_limit, export_rounds, only, verbosity, **options
    ):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        log = self.stderr.write if verbosity >= 2 else None
        began = time.perf_counter()
        results = runner.run(
            repeat=repeat,
            export=not no_export,
            export_limit=export_limit,
            export_rounds=export_rounds,
            only=only,
            log=log,
        )
        self.stdout.write(f"Data: {runner.database_summary()}; {repeat} timed runs a case.\n")
        self.stdout.write(runner.table(results))
        self.stdout.write(f"\n(measured in {time.perf_counter() - began:.0f} s)")
