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
        parser.add_argument(
            "--throughput",
            action="store_true",
            help="also requests/s through gunicorn (production settings, 4 clients, 200 "
            "requests a case): the nested GraphQL query against the REST page of 100",
        )

    def handle(
        self,
        *args,
        repeat,
        no_export,
        export_limit,
        export_rounds,
        only,
        throughput,
        verbosity,
        **options,
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
        if throughput:
            import os

            from django.db import connection

            from perf import throughput as rates

            database_url = os.environ.get("DATABASE_URL")
            if connection.vendor != "postgresql" or not database_url:
                raise CommandError("--throughput serves the PostgreSQL of DATABASE_URL.")
            self.stdout.write("\n" + rates.table(rates.run(database_url, log=log), 4))
        self.stdout.write(f"\n(measured in {time.perf_counter() - began:.0f} s)")
