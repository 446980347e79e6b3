"""A completed course brings its surveys (in the completing transaction)."""

from django.dispatch import receiver

from lms.learning.completion import course_completed

from . import surveys


@receiver(course_completed, dispatch_uid="assessments.invite_on_completion")
def invite_on_completion(sender, enrolment, **kwargs):
    surveys.invite_on_completion(enrolment)
