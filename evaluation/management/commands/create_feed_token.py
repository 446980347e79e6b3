"""Issue a token for a system that sends indicator values (printed once, stored hashed).

python manage.py create_feed_token CMIS --scope NASP
"""

from django.core.management.base import BaseCommand, CommandError

from evaluation.models import FeedToken
from lms.people.models import OrgUnit


class Command(BaseCommand):
    help = "Issue a feed token for the indicator-values API; the token is shown only now."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scope", required=True, help="org-unit code the client may write")

    def handle(self, *args, **options):
        scope = OrgUnit.objects.filter(code=options["scope"]).first()
        if scope is None:
            raise CommandError(f"unknown org unit {options['scope']!r}")
        _token, secret = FeedToken.issue(options["name"], scope)
        self.stdout.write(secret)
