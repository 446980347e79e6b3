"""Demo learning for `load_seed`: the demo learner has something in "My learning" from the
first visit (a course she chose and started, and one HR assigned with a date). Created only
while she has no enrolment at all, so a re-run changes nothing and the e2e journey (HR
assigns CM-101) starts from a clean CM-101."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from courses.models import CoursePage
from lms.people.models import User

from . import curriculum, services
from .models import Enrolment


def _course(code: str) -> CoursePage | None:
    return (
        CoursePage.objects.live()
        .filter(code=code, locale__language_code=settings.LANGUAGE_CODE)
        .first()
    )


def load_demo_learning() -> int:
    learner = User.objects.filter(username="learner").first()
    hr = User.objects.filter(username="hr").first()
    if learner is None or hr is None or Enrolment.objects.filter(learner=learner).exists():
        return 0
    made = 0
    chosen = _course("RM-101")
    if chosen is not None:
        services.self_enrol(learner, chosen)
        first = curriculum.lessons_of(chosen).first()
        if first is not None:
            services.open_lesson(learner, first)
            services.complete_lesson(learner, first)
        made += 1
    assigned = _course("CM-101")
    if assigned is not None:
        due = timezone.localdate() + dt.timedelta(days=10)
        made += services.assign(assigned, [learner], due_date=due, assigned_by=hr).assigned
    return made
