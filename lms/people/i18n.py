"""Names held in the four interface languages on small reference models (org units,
positions, partners), chosen by the active language."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: Interface and content languages, in the order the site offers them.
LANGUAGE_CODES = ("uz", "uz-cyrl", "ru", "en")


class TranslatedNameMixin(models.Model):
    """`name` is the Uzbek Latin name; the others fall back to it when empty."""

    name = models.CharField(_("name (Uzbek Latin)"), max_length=200)
    name_uz_cyrl = models.CharField(_("name (Uzbek Cyrillic)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.local_name

    def name_in(self, language: str | None) -> str:
        field = {"uz-cyrl": "name_uz_cyrl", "ru": "name_ru", "en": "name_en"}.get(
            (language or "").lower()
        )
        return (getattr(self, field) if field else "") or self.name

    @property
    def local_name(self) -> str:
        return self.name_in(get_language())
