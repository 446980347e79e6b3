"""Pre-filling the Uzbek Cyrillic translation of content from its Uzbek Latin source.

The transliterator is registered with wagtail-localize as its machine translator, so an editor
can fill a `uz-cyrl` translation from the translation editor; `prefill_cyrillic` does the same
for a page or snippet in one call (used by the admin action, the `transliterate_pages` command
and the seed loader). Strings an editor has translated by hand are kept unless `overwrite`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, Locale
from wagtail_localize.machine_translators.base import BaseMachineTranslator
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from .transliteration import html_to_cyrillic

SOURCE_LANGUAGE = "uz"
TARGET_LANGUAGE = "uz-cyrl"


class UzbekCyrillicTransliterator(BaseMachineTranslator):
    display_name = _("Uzbek Latin → Cyrillic transliterator")

    def can_translate(self, source_locale, target_locale) -> bool:
        return (
            source_locale.language_code == SOURCE_LANGUAGE
            and target_locale.language_code == TARGET_LANGUAGE
        )

    def translate(self, source_locale, target_locale, strings):
        return {s: StringValue(html_to_cyrillic(s.data)) for s in strings}


def prefill_cyrillic(instance, *, user=None, publish: bool = False, overwrite: bool = False):
    """Create or refresh the uz-cyrl translation of `instance` (a uz page or snippet).

    Pages are saved as a draft for review unless `publish`; snippets have no drafts and are
    saved as they are. Returns the target instance.
    """
    if instance.locale.language_code != SOURCE_LANGUAGE:
        raise ValueError(f"{instance!r} is not in the {SOURCE_LANGUAGE} locale")
    target_locale = Locale.objects.get(language_code=TARGET_LANGUAGE)
    with transaction.atomic():
        source, _created = TranslationSource.update_or_create_from_instance(instance)
        translation, _created = Translation.objects.update_or_create(
            source=source, target_locale=target_locale, defaults={"enabled": True}
        )
        existing = {
            (t.translation_of_id, t.context_id): t
            for t in StringTranslation.objects.filter(
                locale=target_locale,
                translation_of__in=source.stringsegment_set.values("string_id"),
            )
        }
        for segment in source.stringsegment_set.select_related("string", "context"):
            key = (segment.string_id, segment.context_id)
            current = existing.get(key)
            manual = (
                current is not None
                and current.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL
            )
            if current is not None and (manual and not overwrite):
                continue
            data = html_to_cyrillic(segment.string.data)
            if current is None:
                StringTranslation.objects.create(
                    translation_of_id=segment.string_id,
                    context_id=segment.context_id,
                    locale=target_locale,
                    data=data,
                    translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
                    tool_name=str(UzbekCyrillicTransliterator.display_name),
                    last_translated_by=user,
                )
            elif current.data != data:
                current.data = data
                current.translation_type = StringTranslation.TRANSLATION_TYPE_MACHINE
                current.save(update_fields=["data", "translation_type"])
        # Snippets without drafts can only be saved live.
        publish = publish or not isinstance(instance, DraftStateMixin)
        translation.save_target(user=user, publish=publish)
    return instance.get_translation(target_locale)
