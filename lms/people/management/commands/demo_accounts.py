from django.conf import settings
from django.core.management.base import BaseCommand

from lms.people.models import User
from lms.people.seeding import DEMO_PASSWORD, demo_accounts


class Command(BaseCommand):
    help = "Print the demo accounts, their roles and scopes."

    def handle(self, *args, **options):
        names = [a.username for a in demo_accounts("", "")]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=names).select_related(
                "org_unit", "scope", "position"
            )
        }
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for account in demo_accounts("", ""):
            user = users.get(account.username)
            if user is None:
                continue
            scope = user.scope.name_en if user.scope else "own records"
            self.stdout.write(
                f"  {account.username:<10} {account.role.label!s:<16} "
                f"{user.org_unit.name_en if user.org_unit else '—'} · scope: {scope}"
            )
        site = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(f"Site: {site}/  ·  Admin: {site}/admin/\n")
