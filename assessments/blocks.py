"""StreamField blocks of the assessments part: a text in the four languages, and a rubric's
criterion with its levels."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class TextInLanguagesBlock(blocks.StructBlock):
    """A short text in Uzbek Latin (required) and optionally the other languages; Uzbek
    Cyrillic left empty is transliterated (`assessments.i18n.local`)."""

    uz = blocks.CharBlock(label="Oʻzbekcha", max_length=300)
    uz_cyrl = blocks.CharBlock(label="Ўзбекча", max_length=300, required=False)
    ru = blocks.CharBlock(label="Русский", max_length=300, required=False)
    en = blocks.CharBlock(label="English", max_length=300, required=False)

    class Meta:
        form_classname = "text-in-languages"


class OptionalTextInLanguagesBlock(TextInLanguagesBlock):
    uz = blocks.CharBlock(label="Oʻzbekcha", max_length=500, required=False)


class RubricLevelBlock(blocks.StructBlock):
    label = TextInLanguagesBlock(label=_("Level"))
    points = blocks.DecimalBlock(label=_("Points"), min_value=0, decimal_places=1)
    description = OptionalTextInLanguagesBlock(label=_("What work at this level shows"))


class RubricCriterionBlock(blocks.StructBlock):
    title = TextInLanguagesBlock(label=_("Criterion"))
    description = OptionalTextInLanguagesBlock(label=_("Description"))
    levels = blocks.ListBlock(RubricLevelBlock(), label=_("Levels"), min_num=2)

    class Meta:
        icon = "list-ul"
        label = _("Criterion")


class QuizBlock(blocks.StructBlock):
    """A quiz, test or survey placed in a lesson. A required one is a gate of the lesson: the
    lesson completes when the learner has passed it (or, with no pass mark, submitted it)."""

    quiz = SnippetChooserBlock("assessments.Quiz", label=_("Quiz, test or survey"))
    required = blocks.BooleanBlock(
        label=_("Required to complete the lesson"), required=False, default=True
    )

    class Meta:
        icon = "form"
        template = "assessments/blocks/quiz.html"
        label = _("Quiz or test")

    def get_context(self, value, parent_context=None):
        from .lesson import quiz_block_context

        context = super().get_context(value, parent_context=parent_context)
        context.update(quiz_block_context(value, parent_context or {}))
        return context
