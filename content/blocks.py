"""The shared StreamField block library. Every app builds its page bodies from these blocks,
so lessons, standard pages and later the assessment and H5P blocks look and behave alike."""

import uuid

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from assessments.blocks import QuizBlock

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


class H5PPackageChooserViewSet(ChooserViewSet):
    """Editors choose an uploaded package (uploads go through the checks of the H5P screens,
    so the chooser offers no creation form)."""

    model = "content.H5PPackage"
    icon = "media"
    choose_one_text = _("Choose an H5P package")
    choose_another_text = _("Choose another H5P package")
    page_title = _("Choose an H5P package")


#: Registered in wagtail_hooks.py (register_admin_viewset).
h5p_package_chooser_viewset = H5PPackageChooserViewSet(
    "content_h5p_package_chooser", url_prefix="h5p-packages/choose"
)
H5PPackageChooserBlock = h5p_package_chooser_viewset.get_block_class(
    name="H5PPackageChooserBlock", module_path="content.blocks"
)


class H5PBlock(blocks.StructBlock):
    """An H5P activity played in the page by h5p-standalone; in a lesson, its statements go
    to the LRS with the learner's session and may be required to complete the lesson (a lesson
    gate, content/h5p_tracking.py)."""

    package = H5PPackageChooserBlock(label=_("H5P package"))
    title = blocks.CharBlock(
        label=_("Title"),
        max_length=200,
        help_text=_("Names the activity for screen readers and in the lesson's checklist."),
    )
    required = blocks.BooleanBlock(
        label=_("Required"),
        required=False,
        default=True,
        help_text=_("The learner must finish this activity to complete the lesson."),
    )
    pass_score = blocks.IntegerBlock(
        label=_("Pass mark (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Optional: the score the learner needs, in percent of the maximum."),
    )

    class Meta:
        icon = "media"
        template = "content/blocks/h5p.html"
        label = _("H5P activity")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["player"] = h5p_player_context(value, parent_context or {})
        return context


def h5p_player_context(value, parent_context: dict) -> dict | None:
    """What the template gives the player: file URLs, and for a lesson of a course the learner
    is enrolled in, the activity IRI, registration and context activities of its statements."""
    from django.templatetags.static import static
    from django.urls import reverse

    package = value.get("package")
    if package is None:
        return None
    request = parent_context.get("request")
    user = getattr(request, "user", None)
    player = {
        "dom_id": f"h5p-{uuid.uuid4().hex[:12]}",
        "signed_in": bool(user and user.is_authenticated),
        "h5p_json_path": reverse("h5p:package", args=[package.key]),
        "libraries_path": reverse("h5p:libraries"),
        "frame_js": static("vendor/h5p-standalone/frame.bundle.js"),
        "frame_css": static("vendor/h5p-standalone/styles/h5p.css"),
        "tracked": False,
    }
    page = parent_context.get("page")
    enrolment = parent_context.get("enrolment")
    player["in_lesson"] = getattr(page, "_meta", None) is not None and (
        page._meta.label == "courses.LessonPage"
    )
    if player["in_lesson"] and enrolment is not None:
        from lms.learning.statements import activity_iri

        from .h5p_tracking import h5p_activity_iri

        player.update(
            tracked=True,
            activity_id=h5p_activity_iri(page.translation_key, package.key),
            registration=str(enrolment.registration),
            course_id=activity_iri("course", enrolment.course),
            lesson_id=activity_iri("lesson", page),
            statements_url=reverse("xapi_statements"),
            state_url=reverse("xapi_state"),
        )
    return player


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
    h5p = H5PBlock()
    quiz = QuizBlock()


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
