import json
import sys
import threading

from django.core.management.base import BaseCommand

from perf import editor


class Command(BaseCommand):
    help = (
        "The soak's editor (perf/editor.py): plants canary drafts, then edits through the "
        "services every --interval seconds for --duration seconds; prints 'ready' once the "
        "canaries are planted, stops when its standard input closes, and prints its report "
        "(JSON). Run by `manage.py soak`."
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

        stop = threading.Event()

        def watch_stdin():
            sys.stdin.read()  # until the soak closes it
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
        report = editor.run(
            duration=duration,
            interval=interval,
            token=token,
            public=public,
            ready=ready,
            stopped=stop.is_set,
        )
        sys.stdout.write(json.dumps(report) + "\n")
