"""The assessments screens of the Wagtail admin: question banks, questions (with their
options), quizzes and surveys (with their question slots), rubrics, and importing GIFT and
Moodle XML banks."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Question, QuestionBank, Quiz, Rubric


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("Question banks")
    list_display = ["__str__", "created_at"]
    panels = [FieldPanel("name"), FieldPanel("description")]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    list_display = ["name", "type", "bank", "mark", "updated_at"]
    list_filter = ["type", "bank"]
    search_fields = ["name"]
    panels = [
        FieldRowPanel([FieldPanel("bank"), FieldPanel("type")]),
        FieldPanel("name"),
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("mark"), FieldPanel("correct")]),
        FieldRowPanel([FieldPanel("shuffle_choices"), FieldPanel("case_sensitive")]),
        FieldPanel("rubric"),
        FieldPanel("tags"),
        InlinePanel(
            "choices",
            heading=_("Options, accepted answers, pairs or items"),
            label=_("Option"),
            panels=[
                FieldPanel("text"),
                FieldPanel("match"),
                FieldRowPanel(
                    [FieldPanel("percent"), FieldPanel("value"), FieldPanel("tolerance")]
                ),
                FieldPanel("feedback"),
            ],
        ),
        FieldPanel("general_feedback"),
    ]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes and surveys")
    list_display = ["__str__", "purpose", "course", "pass_mark", "time_limit_minutes"]
    list_filter = ["purpose"]
    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("purpose"), FieldPanel("course")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("attempts_allowed")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("shuffle_questions")]),
                FieldPanel("feedback"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("survey_kind"),
                FieldRowPanel([FieldPanel("months_after"), FieldPanel("reminder_days")]),
            ],
            heading=_("Surveys"),
        ),
        InlinePanel(
            "slots",
            heading=_("Questions"),
            label=_("Question"),
            min_num=1,
            panels=[
                FieldPanel("question"),
                FieldRowPanel([FieldPanel("bank"), FieldPanel("tag"), FieldPanel("count")]),
            ],
        ),
    ]


class RubricViewSet(SnippetViewSet):
    model = Rubric
    icon = "table"
    menu_label = _("Rubrics")
    panels = [FieldPanel("name"), FieldPanel("criteria")]


class AssessmentsGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionBankViewSet, QuestionViewSet, RubricViewSet)
    menu_icon = "form"
    menu_label = _("Assessments")
    menu_name = "assessments"
    menu_order = 860


register_snippet(AssessmentsGroup)


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("assessments/import/", admin_views.import_start, name="assessments_import"),
        path(
            "assessments/import/<int:pk>/",
            admin_views.import_status,
            name="assessments_import_status",
        ),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("assessments.add_importjob")


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Import questions"), reverse("assessments_import"), icon_name="upload", order=861
    )
