"""Text held in the four content languages in one JSON field: ``{"uz": …, "uz-cyrl": …,
"ru": …, "en": …}``.

Question banks are authored (or imported) in one language and translated question by
question; a language left empty falls back — Uzbek Cyrillic to the Uzbek Latin text through
the transliterator, then Uzbek Latin, Russian, English — so a learner never sees an empty
question."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from content.transliteration import html_to_cyrillic

LANGUAGES = (
    ("uz", "Oʻzbekcha"),
    ("uz-cyrl", "Ўзбекча"),
    ("ru", "Русский"),
    ("en", "English"),
)
CODES = tuple(code for code, _label in LANGUAGES)


def local(value, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), with the fallbacks above."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    language = (language or get_language() or "uz").lower()
    text = value.get(language) or value.get(language.replace("-", "_"))
    if text:
        return text
    if language == "uz-cyrl" and value.get("uz"):
        return html_to_cyrillic(value["uz"])
    for code in ("uz", "ru", "en"):
        if value.get(code):
            return value[code]
    return next((v for v in value.values() if v), "")


def language_map(value, fallback: str) -> dict[str, str]:
    """The texts as an xAPI language map (RFC 5646 tags: Uzbek Cyrillic is ``uz-Cyrl``, filled
    from the Latin text when it is missing); ``{"und": fallback}`` when there is none."""
    names = {
        ("uz-Cyrl" if code in ("uz-cyrl", "uz_cyrl") else code): text
        for code, text in (value or {}).items()
        if text
    }
    if "uz" in names and "uz-Cyrl" not in names:
        names["uz-Cyrl"] = local(value, "uz-cyrl")
    return names or {"und": fallback}


class TranslatedTextWidget(forms.MultiWidget):
    template_name = "assessments/widgets/translated_text.html"

    def __init__(self, multiline: bool = False, attrs=None):
        make = (lambda: forms.Textarea(attrs={"rows": 3})) if multiline else forms.TextInput
        super().__init__([make() for _code in CODES], attrs)

    def decompress(self, value):
        value = value or {}
        return [value.get(code, "") for code in CODES]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for (_code, label), sub in zip(LANGUAGES, context["widget"]["subwidgets"], strict=True):
            sub["language_label"] = label
        return context


class TranslatedTextFormField(forms.MultiValueField):
    def __init__(self, *, multiline: bool = False, required: bool = True, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        fields = [forms.CharField(required=False) for _code in CODES]
        super().__init__(
            fields,
            widget=TranslatedTextWidget(multiline=multiline),
            require_all_fields=False,
            required=required,
            **kwargs,
        )
        self.text_required = required

    def compress(self, data_list):
        values = {
            code: (text or "").strip() for code, text in zip(CODES, data_list or [], strict=False)
        }
        values = {code: text for code, text in values.items() if text}
        if self.text_required and not values.get("uz") and values:
            raise forms.ValidationError(_("Write the Uzbek (Latin) text; the others are optional."))
        return values

    def clean(self, value):
        cleaned = super().clean(value)
        if self.text_required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned or {}


class TranslatedTextField(models.JSONField):
    """A text in the four languages. ``multiline`` picks text areas in forms."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        return name, "assessments.i18n.TranslatedTextField", args, kwargs

    def formfield(self, **kwargs):
        return TranslatedTextFormField(
            multiline=self.multiline,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )
