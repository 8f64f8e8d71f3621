from django.core.management.base import BaseCommand, CommandError

from perf import synthetic


class Command(BaseCommand):
    help = (
        "Generate a synthetic dataset shaped like the real one (see sahel/synthetic.py), "
        "through the history-aware bulk paths, deterministically from --seed. small: seconds "
        "(CI); medium: ~20k actors, ~2M history rows; large: 5x medium."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(synthetic.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--validate",
            action="store_true",
            help="full_clean() every object (services.bulk_create/bulk_update): much slower.",
        )

    def handle(self, *args, scale, seed, validate, verbosity, **options):
        if synthetic.already_generated():
            raise CommandError("Synthetic data is already in this database: use a fresh one.")
        log = self.stdout.write if verbosity >= 1 else None
        report = synthetic.generate(scale, seed=seed, validate=validate, log=log)
        if verbosity >= 1:
            for line in report.lines():
                self.stdout.write(line)
