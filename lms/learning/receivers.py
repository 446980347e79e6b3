"""Assignment rules keep applying: people a roster import creates or moves are enrolled in
the courses of every rule that now reaches them, in the import's own transaction.

Progress follows the curriculum: when a lesson or module of a course is published, unpublished
or deleted, the open enrolments of the course are recounted once the change commits (and a
learner whose only missing lesson was withdrawn completes the course)."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from courses.models import CoursePage, LessonPage, ModulePage
from lms.people.signals import roster_applied


@receiver(roster_applied, dispatch_uid="learning.apply_rules")
def apply_assignment_rules(sender, roster_import, created_ids, changed_ids, **kwargs):
    from .services import apply_rules

    apply_rules([*created_ids, *changed_ids])


def _curriculum_changed(instance) -> None:
    from . import curriculum
    from .tasks import refresh_course_progress

    if instance.locale.language_code != settings.LANGUAGE_CODE:
        return  # learning counts the default-locale tree only
    path = curriculum.course_path_of(instance)
    course_id = CoursePage.objects.filter(path=path).values_list("pk", flat=True).first()
    if course_id is not None:
        transaction.on_commit(lambda: refresh_course_progress.delay(course_id))


@receiver(page_published, dispatch_uid="learning.curriculum_published")
@receiver(page_unpublished, dispatch_uid="learning.curriculum_unpublished")
def curriculum_page_changed(sender, instance, **kwargs):
    if isinstance(instance, LessonPage | ModulePage):
        _curriculum_changed(instance)


@receiver(post_delete, sender=LessonPage, dispatch_uid="learning.lesson_deleted")
@receiver(post_delete, sender=ModulePage, dispatch_uid="learning.module_deleted")
def curriculum_page_deleted(sender, instance, **kwargs):
    _curriculum_changed(instance)
