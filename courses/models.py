"""The curriculum page tree: Catalogue → Programme → Course → Module → Lesson."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from content.blocks import RICH_TEXT_FEATURES, BaseStreamBlock, stream_text
from lms.people.i18n import TranslatedNameMixin

#: Words a learner reads per minute; a cautious figure for a second-language reader on a phone.
READING_WORDS_PER_MINUTE = 180


class Partner(TranslatedNameMixin, models.Model):
    """An institution that authors courses (the agency, HAUS, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.local_name


class DeliveryMode(models.TextChoices):
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")
    FACE_TO_FACE = "face_to_face", _("Face-to-face")


class CataloguePage(Page):
    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.ProgrammePage"]
    #: URLs are the same in every language but for the prefix.
    override_translatable_fields = [SynchronizedField("slug")]
    max_count_per_parent = 1

    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("catalogue")

    def get_context(self, request, *args, **kwargs):
        from .catalogue import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(self, request))
        return context


class ProgrammePage(Page):
    parent_page_types = ["courses.CataloguePage"]
    subpage_types = ["courses.CoursePage"]
    #: URLs are the same in every language but for the prefix.
    override_translatable_fields = [SynchronizedField("slug")]

    summary = models.CharField(_("summary"), max_length=400)
    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("introduction")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("introduction"),
    ]

    class Meta:
        verbose_name = _("programme")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.live().child_of(self).prefetch_related("target_positions")
        )
        return context


class CoursePage(Page):
    parent_page_types = ["courses.ProgrammePage"]
    subpage_types = ["courses.ModulePage"]

    code = models.CharField(
        _("course code"),
        max_length=20,
        db_index=True,
        help_text=_("Stable identifier, the same in every language, e.g. CM-101."),
    )
    summary = models.CharField(_("summary"), max_length=400)
    learning_objectives = StreamField(
        [("objective", blocks.CharBlock(label=_("Objective"), max_length=300))],
        verbose_name=_("learning objectives"),
        blank=True,
    )
    competencies = StreamField(
        [("competency", blocks.CharBlock(label=_("Competency"), max_length=200))],
        verbose_name=_("competencies"),
        blank=True,
    )
    target_positions = ParentalManyToManyField(
        "people.Position", verbose_name=_("target positions"), blank=True, related_name="+"
    )
    partners = ParentalManyToManyField(
        Partner, verbose_name=_("authored by"), blank=True, related_name="courses"
    )
    prerequisites = ParentalManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        symmetrical=False,
        blank=True,
        related_name="required_by",
        help_text=_("Courses a learner must complete first."),
    )
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.ONLINE
    )
    duration_hours = models.DecimalField(
        _("estimated duration (hours)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
        default=Decimal("1"),
    )
    cpd_hours = models.DecimalField(
        _("CPD hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        default=Decimal("0"),
        help_text=_("Continuing professional development hours earned on completion."),
    )
    self_enrolment = models.BooleanField(
        _("self-enrolment allowed"),
        default=True,
        help_text=_("Whether learners may enrol themselves, or only be assigned."),
    )
    # Completion criteria: recorded here, enforced by the completion engine (lms/learning).
    completion_all_lessons = models.BooleanField(_("all lessons completed"), default=True)
    completion_pass_mark = models.PositiveSmallIntegerField(
        _("final assessment pass mark (%)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the course has no final assessment."),
    )
    completion_workshop = models.BooleanField(_("workshop attendance required"), default=False)
    completion_placement = models.BooleanField(_("placement required"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("code"), FieldPanel("delivery_mode")]),
        FieldPanel("summary"),
        FieldPanel("learning_objectives"),
        FieldPanel("competencies"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("duration_hours"), FieldPanel("cpd_hours")]),
                FieldPanel("target_positions", widget=forms.CheckboxSelectMultiple),
                FieldPanel("partners", widget=forms.CheckboxSelectMultiple),
                FieldPanel("prerequisites"),
                FieldPanel("self_enrolment"),
            ],
            heading=_("Audience and logistics"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("completion_all_lessons"),
                FieldPanel("completion_pass_mark"),
                FieldPanel("completion_workshop"),
                FieldPanel("completion_placement"),
            ],
            heading=_("Completion criteria"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("code", boost=3),
        index.SearchField("summary", boost=2),
        index.SearchField("learning_objectives"),
        index.SearchField("competencies"),
        index.FilterField("delivery_mode"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [
        SynchronizedField("slug"),
        SynchronizedField("code"),
        SynchronizedField("delivery_mode"),
        SynchronizedField("duration_hours"),
        SynchronizedField("cpd_hours"),
    ]

    class Meta:
        verbose_name = _("course")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completion_pass_mark__isnull=True)
                | models.Q(completion_pass_mark__lte=100),
                name="course_pass_mark_is_a_percentage",
            )
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        modules = list(ModulePage.objects.live().child_of(self).specific())
        lessons = (
            LessonPage.objects.live()
            .descendant_of(self)
            .only(
                "title",
                "url_path",
                "path",
                "depth",
                "reading_minutes",
                "locale_id",
                "translation_key",
            )
        )
        by_module: dict[str, list] = {}
        for lesson in lessons.order_by("path"):
            by_module.setdefault(lesson.path[: -Page.steplen], []).append(lesson)
        for module in modules:
            module.lesson_list = by_module.get(module.path, [])
        context["modules"] = modules
        context["first_lesson"] = next((m.lesson_list[0] for m in modules if m.lesson_list), None)
        context["prerequisite_courses"] = [p.localized for p in self.prerequisites.all() if p.live]
        from lms.learning.pages import course_context

        context.update(course_context(request, self))
        done = context.get("completed_lessons") or set()
        for module in modules:
            module.lessons_done = sum(str(x.translation_key) in done for x in module.lesson_list)
        return context


class ModulePage(Page):
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    #: URLs are the same in every language but for the prefix.
    override_translatable_fields = [SynchronizedField("slug")]

    summary = models.CharField(_("summary"), max_length=400, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary")]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        verbose_name = _("module")

    def serve(self, request, *args, **kwargs):
        # A module has no page of its own: it opens on its first lesson, or its course.
        from django.shortcuts import redirect

        first = LessonPage.objects.live().child_of(self).first()
        return redirect((first or self.get_parent()).get_url(request))


_WORD_RE = re.compile(r"\w+", re.UNICODE)


class LessonPage(Page):
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    #: URLs are the same in every language but for the prefix.
    override_translatable_fields = [SynchronizedField("slug")]

    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))
    reading_minutes = models.PositiveSmallIntegerField(
        _("estimated reading time (minutes)"), default=1, editable=False
    )

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = _("lesson")

    @property
    def word_count(self) -> int:
        return len(_WORD_RE.findall(stream_text(self.body.raw_data)))

    def save(self, *args, **kwargs):
        self.reading_minutes = max(1, math.ceil(self.word_count / READING_WORDS_PER_MINUTE))
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from lms.learning.pages import lesson_context

        from .navigation import lesson_navigation

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_navigation(self))
        context.update(lesson_context(request, self))
        return context

    def serve(self, request, *args, **kwargs):
        from lms.learning.pages import lesson_opened

        lesson_opened(request, self)  # progress and the "experienced" statement
        return super().serve(request, *args, **kwargs)
