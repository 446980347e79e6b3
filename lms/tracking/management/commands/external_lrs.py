"""python manage.py external_lrs add NAME ENDPOINT KEY SECRET [--version V] | list | disable NAME

The external LRSs every statement is forwarded to. The secret is stored encrypted."""

from django.core.management.base import BaseCommand, CommandError

from lms.tracking import services
from lms.tracking.models import Delivery, ExternalLRS


class Command(BaseCommand):
    help = "Add, list or disable the external LRSs statements are forwarded to."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("name")
        add.add_argument("endpoint", help="the xAPI base IRI, e.g. https://lrs.example/xapi/")
        add.add_argument("key")
        add.add_argument("secret")
        add.add_argument("--version", default="1.0.3", choices=["1.0.3", "2.0.0"])
        sub.add_parser("list")
        disable = sub.add_parser("disable")
        disable.add_argument("name")

    def handle(self, *args, **options):
        if options["action"] == "add":
            if not options["endpoint"].startswith(("http://", "https://")):
                raise CommandError("the endpoint must be an http(s) URL")
            ExternalLRS.objects.create(
                name=options["name"],
                endpoint=options["endpoint"],
                username=options["key"],
                password=services.seal(options["secret"]),
                version=options["version"],
            )
            self.stdout.write(f"added {options['name']}: new statements are forwarded to it")
        elif options["action"] == "list":
            for lrs in ExternalLRS.objects.order_by("name"):
                pending = lrs.delivery_set.filter(status=Delivery.Status.PENDING).count()
                dead = lrs.delivery_set.filter(status=Delivery.Status.DEAD).count()
                state = "active" if lrs.is_active else "disabled"
                self.stdout.write(
                    f"{lrs.name}\t{lrs.endpoint}\t{state}\tpending {pending}\tfailed {dead}"
                )
        else:
            if not ExternalLRS.objects.filter(name=options["name"]).update(is_active=False):
                raise CommandError(f"no external LRS named {options['name']!r}")
            self.stdout.write(f"disabled {options['name']}")
