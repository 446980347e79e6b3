from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from lms.people import services
from lms.people.models import OrgUnit, RosterImport


class Command(BaseCommand):
    help = "Import an HR roster (CSV or XLSX): all rows or none; every bad row is reported."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--scope", default=None, help="org-unit code the file covers (default: the agency)"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        scope = (
            OrgUnit.objects.filter(code=options["scope"]).first()
            if options["scope"]
            else OrgUnit.get_first_root_node()
        )
        if scope is None:
            raise CommandError(f"No org unit with code {options['scope']!r}.")
        with path.open("rb") as fh:
            job = RosterImport.objects.create(
                file=File(fh, name=path.name), original_name=path.name, scope=scope
            )
        job = services.run_roster_import(job.pk)
        for error in job.errors:
            self.stderr.write(f"line {error['line']}: {error['message']}")
        if job.status != RosterImport.Status.SUCCEEDED:
            raise CommandError(f"{job.get_status_display()} ({len(job.errors)} problems)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {job.created_count} created, {job.updated_count} updated, "
                f"{job.unchanged_count} unchanged, {job.deactivated_count} deactivated."
            )
        )
