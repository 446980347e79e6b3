"""The shared StreamField block library. Every app builds its page bodies from these blocks,
so lessons, standard pages and later the assessment and H5P blocks look and behave alike."""

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]

VIDEO_EXTENSIONS = (".mp4", ".webm")
CAPTION_EXTENSIONS = (".vtt",)


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "content/blocks/heading.html"
        label = _("Heading")
        preview_value = {"text": "Ehtiyojlarni baholash", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "content/blocks/paragraph.html"
        label = _("Rich text")
        preview_value = "<p>Ijtimoiy xizmatlar markazi…</p>"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe the image for people who cannot see it. Required."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "content/blocks/image.html"
        label = _("Image")


class VideoBlock(blocks.StructBlock):
    """A video file served from this site (no streaming service), with WebVTT captions."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    video = DocumentChooserBlock(label=_("Video file (MP4 or WebM)"))
    captions = DocumentChooserBlock(label=_("Captions (WebVTT)"))
    captions_language = blocks.ChoiceBlock(
        label=_("Captions language"),
        choices=[("uz", "Oʻzbekcha"), ("uz-cyrl", "Ўзбекча"), ("ru", "Русский"), ("en", "English")],
        default="uz",
    )
    transcript = blocks.RichTextBlock(
        label=_("Transcript"), required=False, features=["bold", "italic"]
    )

    class Meta:
        icon = "media"
        template = "content/blocks/video.html"
        label = _("Video with captions")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        video, captions = value.get("video"), value.get("captions")
        if video and not video.filename.lower().endswith(VIDEO_EXTENSIONS):
            errors["video"] = ValidationError(_("Choose an MP4 or WebM file."))
        if captions and not captions.filename.lower().endswith(CAPTION_EXTENSIONS):
            errors["captions"] = ValidationError(_("Captions must be a WebVTT (.vtt) file."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(label=_("Link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        template = "content/blocks/document.html"
        label = _("Document download")


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning")), ("practice", _("From practice"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    body = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        template = "content/blocks/callout.html"
        label = _("Callout")
        preview_value = {"kind": "tip", "title": "Maslahat", "body": "<p>…</p>"}


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    scenario = blocks.RichTextBlock(label=_("Scenario"), features=RICH_TEXT_FEATURES)
    questions = blocks.ListBlock(blocks.CharBlock(label=_("Question")), label=_("Questions"))
    model_answer = blocks.RichTextBlock(
        label=_("Model answer"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Hidden until the learner asks to see it."),
    )

    class Meta:
        icon = "user"
        template = "content/blocks/case_study.html"
        label = _("Case study")


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    items = blocks.ListBlock(blocks.CharBlock(label=_("Item")), label=_("Items"))
    template_file = DocumentChooserBlock(
        label=_("Template to download"),
        required=False,
        help_text=_("Optional: a form or template the learner can download and fill in."),
    )

    class Meta:
        icon = "tasks"
        template = "content/blocks/checklist.html"
        label = _("Checklist or template")


class GlossaryReferenceBlock(blocks.StructBlock):
    term = SnippetChooserBlock("content.GlossaryTerm", label=_("Term"))

    class Meta:
        icon = "openquote"
        template = "content/blocks/glossary.html"
        label = _("Glossary term")


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    case_study = CaseStudyBlock()
    checklist = ChecklistBlock()
    glossary = GlossaryReferenceBlock()


#: Struct keys whose values are settings, not reading text.
_NON_TEXT_KEYS = {"kind", "level", "captions_language", "id", "type"}


def stream_text(raw) -> str:
    """The readable text of a StreamField's raw data (for word counts and reading time)."""
    parts: list[str] = []

    def walk(value, key=None):
        if key in _NON_TEXT_KEYS:
            return
        if isinstance(value, str):
            parts.append(strip_tags(value))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for block in raw or []:
        walk(block.get("value"))
    return " ".join(parts)
