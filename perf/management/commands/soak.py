import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from perf import soak


class Command(BaseCommand):
    help = (
        "Soak and fault run (perf/soak.py): readers with a realistic read mix and an editor "
        "planting canary drafts, against gunicorn with production settings (or --url, a "
        "server already on the loopback); optionally a database restart (--throwaway cluster "
        "only) and a worker kill mid-run. Prints the report as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=60, help="seconds (default 60)")
        parser.add_argument("--concurrency", type=int, default=8, help="reader threads")
        parser.add_argument("--url", help="a server already running on 127.0.0.1")
        parser.add_argument(
            "--throwaway",
            action="store_true",
            help="serve from a PostgreSQL cluster of its own (initdb), filled with the curated "
            "dataset, or a copy of --fill-from",
        )
        parser.add_argument(
            "--fill-from", help="a PostgreSQL URL to copy into the throwaway cluster"
        )
        parser.add_argument("--restart-db-at", type=float, help="seconds in (needs --throwaway)")
        parser.add_argument("--down", type=float, default=3.0, help="seconds the database is down")
        parser.add_argument("--kill-worker-at", type=float, help="seconds in: SIGKILL a worker")
        parser.add_argument(
            "--editor-interval", type=float, default=0.5, help="seconds between edits (0: none)"
        )
        parser.add_argument("--no-pages", action="store_true", help="no explorer pages in the mix")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--report", help="also write the JSON report to this file")

    def handle(self, *args, **options):
        if options["duration"] <= 0 or options["duration"] > 3600:
            raise CommandError("--duration: from 0 to 3600 seconds.")
        if not 1 <= options["concurrency"] <= 64:
            raise CommandError("--concurrency: from 1 to 64.")
        database_url = None
        if not options["url"] and not options["throwaway"]:
            if connection.vendor != "postgresql":
                raise CommandError("Serve on PostgreSQL: set DATABASE_URL, or use --throwaway.")
            params = connection.settings_dict
            database_url = (
                f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:"
                f"{params['PORT'] or 5432}/{params['NAME']}"
            )
        try:
            report = soak.soak(
                duration=options["duration"],
                concurrency=options["concurrency"],
                database_url=database_url,
                url=options["url"],
                throwaway=options["throwaway"],
                source_url=options["fill_from"],
                restart_db_at=options["restart_db_at"],
                down=options["down"],
                kill_worker_at=options["kill_worker_at"],
                editor_interval=options["editor_interval"],
                pages=not options["no_pages"],
                workers=options["workers"],
                threads=options["threads"],
                seed=options["seed"],
                log=lambda message: self.stderr.write(message),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        text = json.dumps(report, indent=2)
        if options["report"]:
            with open(options["report"], "w") as out:
                out.write(text + "\n")
        self.stdout.write(text)
