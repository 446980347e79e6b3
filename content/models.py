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
