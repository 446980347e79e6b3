from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from content.translation import SOURCE_LANGUAGE, prefill_cyrillic


class Command(BaseCommand):
    help = (
        "Pre-fill the Uzbek Cyrillic (uz-cyrl) translation of Uzbek Latin pages by "
        "transliteration, saved as drafts for review unless --publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("page_ids", nargs="*", type=int, help="uz pages to transliterate")
        parser.add_argument(
            "--descendants", action="store_true", help="also every uz page below each page"
        )
        parser.add_argument("--publish", action="store_true", help="publish instead of a draft")
        parser.add_argument(
            "--overwrite", action="store_true", help="replace strings translated by hand"
        )

    def handle(self, *args, **options):
        if not options["page_ids"]:
            raise CommandError("Give at least one page id (see the admin's page URLs).")
        pages = []
        for page_id in options["page_ids"]:
            page = Page.objects.filter(pk=page_id).first()
            if page is None:
                raise CommandError(f"No page with id {page_id}.")
            if page.locale.language_code != SOURCE_LANGUAGE:
                raise CommandError(f"Page {page_id} is not in the {SOURCE_LANGUAGE} locale.")
            pages.append(page)
            if options["descendants"]:
                pages.extend(page.get_descendants().filter(locale=page.locale).order_by("path"))
        for page in pages:
            target = prefill_cyrillic(
                page.specific, publish=options["publish"], overwrite=options["overwrite"]
            )
            state = "published" if options["publish"] else "draft saved"
            self.stdout.write(f"{page.pk} {page.title} → {target.pk} ({state})")
