"""Import an H5P package (.h5p) after checking it whole; a refused package writes nothing.

python manage.py import_h5p FILE [--no-new-libraries]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content import h5p, h5p_services


class Command(BaseCommand):
    help = "Import an .h5p package (checked whole first; a refused one writes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--no-new-libraries",
            action="store_true",
            help="refuse a package that brings libraries the platform does not have",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open("rb") as fh:
            try:
                package = h5p_services.import_package(
                    fh, path.name, may_add_libraries=not options["no_new_libraries"]
                )
            except h5p.PackageError as exc:
                raise CommandError(f"{path.name} refused: {exc}") from exc
        self.stdout.write(
            f"Imported “{package.title}” ({package.main_library}), "
            f"{package.libraries.count()} libraries, key {package.key}"
        )
