from django.core.management.base import BaseCommand, CommandError

from content.seeding import SeedError, load_all


class Command(BaseCommand):
    help = (
        "Load the seed organisation, demo accounts and curriculum (four locales). Idempotent: "
        "what exists is left untouched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--staff-per-centre", type=int, default=6, help="Demo staff per Inson centre."
        )

    def handle(self, *args, **options):
        try:
            result = load_all(staff_per_centre=options["staff_per_centre"], stdout=self.stdout)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed loaded: {result['pages']} live pages, {result['staff']} new staff."
            )
        )
