"""The platform's roles, held as Django groups, and what each may do."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    LEARNER = "learner", _("Learner")
    TRAINER = "trainer", _("Trainer")
    MENTOR = "mentor", _("Mentor")
    HR_OFFICER = "hr-officer", _("HR officer")
    EVALUATOR = "evaluator", _("Evaluator")
    CONTENT_EDITOR = "content-editor", _("Content editor")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Group names are stable identifiers (translated labels come from Role).
GROUP_NAMES = {
    Role.LEARNER: "Learners",
    Role.TRAINER: "Trainers",
    Role.MENTOR: "Mentors",
    Role.HR_OFFICER: "HR officers",
    Role.EVALUATOR: "Evaluators",
    Role.CONTENT_EDITOR: "Editors",  # Wagtail's own editors group
    Role.ADMINISTRATOR: "Administrators",
}

#: Writing tests and surveys: question banks, questions, quizzes, rubrics, imports.
TEST_AUTHOR = [
    f"assessments.{action}_{model}"
    for model in ("questionbank", "question", "quiz", "rubric")
    for action in ("view", "add", "change")
] + ["assessments.add_importjob", "assessments.view_importjob"]

#: Model permissions (app_label.codename) each role's group holds.
ROLE_PERMISSIONS = {
    Role.LEARNER: [],
    Role.TRAINER: [
        "wagtailadmin.access_admin",
        "learning.view_enrolment",
        # Trainers write tests and grade written work of the people in their scope.
        *TEST_AUTHOR,
        "assessments.view_answer",
        "assessments.change_answer",
        "assessments.view_results",
    ],
    Role.MENTOR: [],
    Role.HR_OFFICER: [
        "wagtailadmin.access_admin",
        "people.view_user",
        "people.view_rosterimport",
        "people.add_rosterimport",
        "learning.view_enrolment",
        "learning.add_enrolment",
        "learning.change_enrolment",
        "learning.view_assignmentrule",
        "learning.add_assignmentrule",
        "learning.change_assignmentrule",
        "assessments.view_results",
    ],
    Role.EVALUATOR: [
        "wagtailadmin.access_admin",
        "people.view_orgunit",
        "learning.view_enrolment",
        "evaluation.view_indicator",
        "evaluation.add_indicator",
        "evaluation.change_indicator",
        "evaluation.view_indicatorvalue",
        "evaluation.add_indicatorimport",
        "evaluation.view_indicatorimport",
        "evaluation.view_evaluationstudy",
        "evaluation.add_evaluationstudy",
        "evaluation.change_evaluationstudy",
        "assessments.view_results",
    ],
    Role.CONTENT_EDITOR: [
        "wagtailadmin.access_admin",
        "wagtail_localize.submit_translation",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "content.add_glossaryterm",
        "content.change_glossaryterm",
        "content.view_h5ppackage",
        "content.add_h5ppackage",
        *TEST_AUTHOR,
    ],
    # The LRS is agency-wide and not scoped by org unit, so only administrators browse it.
    Role.ADMINISTRATOR: [
        "wagtailadmin.access_admin",
        "xapi.view_statement",
        "xapi.view_credential",
        "xapi.add_credential",
        "xapi.change_credential",
        "content.view_h5ppackage",
        "content.add_h5ppackage",
        "content.add_h5plibrary",
    ],
}


#: Page permissions (wagtailcore codenames) each role's group holds on the whole page tree.
#: Wagtail's own migration gives "Editors" add/change only; Malaka's editors also publish, so
#: curriculum changes reach learners without a developer or a separate moderator.
ROLE_PAGE_PERMISSIONS = {
    Role.CONTENT_EDITOR: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    Role.ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
}


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=GROUP_NAMES[role]).exists()
