"""python manage.py xapi_profile > docs/xapi-profile.jsonld — the Malaka xAPI Profile."""

import json

from django.core.management.base import BaseCommand

from lms.tracking.profile import profile_document


class Command(BaseCommand):
    help = "Print the Malaka xAPI Profile (JSON-LD)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(profile_document(), indent=2, ensure_ascii=False))
