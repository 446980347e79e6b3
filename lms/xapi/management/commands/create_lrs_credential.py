"""python manage.py create_lrs_credential NAME --scopes all [--json]

Creates an LRS client credential and prints its key and secret. The secret is shown once: only
its keyed hash is stored."""

import json

from django.core.management.base import BaseCommand, CommandError

from lms.xapi.models import SCOPES, Credential


class Command(BaseCommand):
    help = "Create an xAPI client credential (HTTP Basic key and secret) with the given scopes."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses it, e.g. 'Agency data warehouse'")
        parser.add_argument(
            "--scopes",
            default="statements/write,statements/read/mine",
            help=f"comma- or space-separated, from: {', '.join(SCOPES)}",
        )
        parser.add_argument("--json", action="store_true", help="print {key, secret} as JSON")

    def handle(self, *args, **options):
        scopes = [s for s in options["scopes"].replace(",", " ").split() if s]
        try:
            credential, secret = Credential.issue(options["name"], scopes)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps({"key": credential.key, "secret": secret}))
        else:
            self.stdout.write(
                f"key:    {credential.key}\nsecret: {secret}\nscopes: {', '.join(scopes)}"
            )
            self.stdout.write("Keep the secret now: it is not stored and cannot be shown again.")
