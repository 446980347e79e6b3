import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail.snippets.models import register_snippet
from wagtail_localize.fields import SynchronizedField

from .blocks import RICH_TEXT_FEATURES, BaseStreamBlock


class HomePage(Page):
    """The root of each locale's site: the programme's welcome and the way into the catalogue."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CataloguePage", "content.StandardPage"]
    override_translatable_fields = [SynchronizedField("slug")]
    max_count_per_parent = 1

    lead = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from courses.models import CataloguePage, ProgrammePage

        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = (
            CataloguePage.objects.live().child_of(self).only("url_path", "title").first()
        )
        context["programmes"] = (
            ProgrammePage.objects.live().descendant_of(self).specific().order_by("path")
        )
        return context


class StandardPage(Page):
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]
    override_translatable_fields = [SynchronizedField("slug")]

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


@register_snippet
class GlossaryTerm(TranslatableMixin, index.Indexed, models.Model):
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Stable identifier, the same in every language.")
    )
    term = models.CharField(_("term"), max_length=120)
    definition = models.TextField(_("definition"))

    panels = [FieldPanel("term"), FieldPanel("definition"), FieldPanel("slug")]
    override_translatable_fields = [SynchronizedField("slug")]
    search_fields = [index.SearchField("term"), index.SearchField("definition")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="glossary_slug_per_locale"),
        ]

    def __str__(self) -> str:
        return self.term


class H5PLibrary(models.Model):
    """An H5P library (player code) installed on the platform, shared by every package that
    uses it. Files live in storage under ``h5p/libraries/<Machine.Name-major.minor>/``."""

    machine_name = models.CharField(_("machine name"), max_length=255)
    major = models.PositiveIntegerField(_("major version"))
    minor = models.PositiveIntegerField(_("minor version"))
    patch = models.PositiveIntegerField(_("patch version"), default=0)
    title = models.CharField(_("title"), max_length=255)
    metadata = models.JSONField(_("library.json"), default=dict)
    created_at = models.DateTimeField(_("installed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major", "minor"], name="h5p_library_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}.{self.patch}"

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"


class H5PPackage(index.Indexed, models.Model):
    """Interactive content uploaded as an .h5p file, checked whole before anything was written
    (content/h5p.py). Its content files live under ``h5p/content/<key>/``. Editors place it in
    a lesson with the H5P block, choosing it in the chooser (searchable by title)."""

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=255)
    main_library = models.ForeignKey(
        H5PLibrary, on_delete=models.PROTECT, related_name="+", verbose_name=_("main library")
    )
    libraries = models.ManyToManyField(
        H5PLibrary, related_name="packages", verbose_name=_("libraries used")
    )
    h5p = models.JSONField(_("h5p.json"), default=dict)
    content = models.JSONField(_("content.json"), default=dict)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("original_name"),
    ]

    class Meta:
        verbose_name = _("H5P package")
        verbose_name_plural = _("H5P packages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class H5PResult(models.Model):
    """A learner's result in one H5P activity of a lesson, kept from the statements the player
    sent (content/h5p_tracking.py): the best scaled score so far and whether she finished it.
    The lesson is the default-locale page, so a result counts whatever language she read in;
    the lesson's gates read it (an H5P block marked required)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="h5p_results",
        verbose_name=_("learner"),
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.CASCADE,
        related_name="h5p_results",
        verbose_name=_("lesson"),
    )
    package = models.ForeignKey(
        H5PPackage, on_delete=models.CASCADE, related_name="results", verbose_name=_("package")
    )
    best_scaled = models.FloatField(
        _("best scaled score"), null=True, blank=True, help_text=_("From −1 to 1.")
    )
    completed = models.BooleanField(_("completed"), default=False)
    passed = models.BooleanField(
        _("passed"), default=False, help_text=_("The activity itself reported success.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("H5P result")
        verbose_name_plural = _("H5P results")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson", "package"], name="h5p_result_once_per_activity"
            ),
            models.CheckConstraint(
                condition=models.Q(best_scaled__isnull=True)
                | models.Q(best_scaled__gte=-1, best_scaled__lte=1),
                name="h5p_result_scaled_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.package} · {self.best_scaled}"
