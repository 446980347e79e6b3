"""python manage.py replay_outbox [--all] [--destination NAME] [--now]

Puts failed deliveries (and with --all, delivered ones too) back in the queue, e.g. after an
external LRS lost data or was down longer than the retries last; --now delivers at once."""

from django.core.management.base import BaseCommand, CommandError

from lms.tracking import services
from lms.tracking.models import ExternalLRS


class Command(BaseCommand):
    help = "Queue failed (or all) statement deliveries again."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="also statements already delivered")
        parser.add_argument("--destination", help="only this external LRS (its name)")
        parser.add_argument(
            "--now", action="store_true", help="deliver now instead of by the worker"
        )

    def handle(self, *args, **options):
        destination = None
        if options["destination"]:
            destination = ExternalLRS.objects.filter(name=options["destination"]).first()
            if destination is None:
                raise CommandError(f"no external LRS named {options['destination']!r}")
        count = services.replay(dead_only=not options["all"], destination=destination)
        self.stdout.write(f"{count} deliveries queued again")
        if options["now"]:
            counts = services.deliver_due(batch=10_000)
            self.stdout.write(
                ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due"
            )
