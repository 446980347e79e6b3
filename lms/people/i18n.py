"""Names held in the four interface languages on small reference models (org units,
positions, partners), chosen by the active language."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: Interface and content languages, in the order the site offers them.
LANGUAGE_CODES = ("uz", "uz-cyrl", "ru", "en")


#: The suffix of a model field holding the text in each language (Uzbek Latin has none).
FIELD_SUFFIXES = {"uz": "", "uz-cyrl": "_uz_cyrl", "ru": "_ru", "en": "_en"}


def text_in(obj: object, field: str, language: str | None = None) -> str:
    """``field`` of ``obj`` in ``language`` (default: the active one), falling back to the
    Uzbek Latin field when that language's is empty."""
    suffix = FIELD_SUFFIXES.get((language or get_language() or "").lower(), "")
    return (getattr(obj, field + suffix, "") if suffix else "") or getattr(obj, field)


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
        return text_in(self, "name", language or "uz")

    @property
    def local_name(self) -> str:
        return self.name_in(get_language())
