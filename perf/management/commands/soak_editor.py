import json
import sys

from django.core.management.base import BaseCommand

from perf import editor


class Command(BaseCommand):
    help = (
        "The soak's editor (perf/editor.py): plants canary drafts, then edits through the "
        "services every --interval seconds for --duration seconds; prints 'ready' once the "
        "canaries are planted and its report (JSON) at the end. Run by `manage.py soak`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, required=True)
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--token", required=True, help="the canaries' secret token")
        parser.add_argument("--public", required=True, help="the public actors' token")

    def handle(self, *args, duration, interval, token, public, **options):
        def ready():
            sys.stdout.write("ready\n")
            sys.stdout.flush()

        report = editor.run(
            duration=duration, interval=interval, token=token, public=public, ready=ready
        )
        sys.stdout.write(json.dumps(report) + "\n")
