"""Progress through a course and the completion engine."""

import pytest
from django.db import transaction

from lms.learning import completion, services
from lms.learning import statements as xapi
from lms.learning.models import Enrolment
from lms.learning.services import LearningError
from lms.tracking.models import OutboxStatement
from tests import factories as f

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


@pytest.fixture
def programme():
    return f.curriculum_programme()


@pytest.fixture
def course(programme):
    """Two modules of two lessons."""
    return f.course_with_lessons(programme, "CM-101", "Qabul va baholash")


@pytest.fixture
def learner():
    return f.UserFactory()


@pytest.fixture
def enrolled(learner, course):
    return services.self_enrol(learner, course.course)


@pytest.fixture
def providers(monkeypatch):
    """An empty completion registry for the test; the real one is restored afterwards."""
    monkeypatch.setattr(completion, "_PROVIDERS", {})
    return completion._PROVIDERS


@pytest.fixture
def completions():
    """Every course_completed signal sent during the test."""
    sent = []

    def receiver(sender, enrolment, **kwargs):
        sent.append(enrolment.pk)

    completion.course_completed.connect(receiver, weak=False)
    yield sent
    completion.course_completed.disconnect(receiver)


def outbox():
    return [row.statement for row in OutboxStatement.objects.order_by("pk")]


def completed_objects(kind):
    """The ids of the activities of `kind` said to be completed, in the order said."""
    return [
        s["object"]["id"]
        for s in outbox()
        if s["verb"]["id"] == COMPLETED and f"/activities/{kind}/" in s["object"]["id"]
    ]


def reload(enrolment):
    return Enrolment.objects.select_related("course", "last_lesson").get(pk=enrolment.pk)


# -- opening lessons -----------------------------------------------------------------------------


def test_opening_a_lesson_starts_the_course_and_is_remembered(learner, course, enrolled):
    lesson = course.lessons[2]
    assert services.resume_lesson(enrolled) == course.lessons[0]

    services.open_lesson(learner, lesson)

    enrolment = reload(enrolled)
    assert enrolment.status == Enrolment.Status.IN_PROGRESS
    assert enrolment.started_at is not None
    assert enrolment.last_lesson == lesson
    assert services.resume_lesson(enrolment) == lesson  # not completed yet: go back to it
    started = enrolment.started_at

    services.open_lesson(learner, course.lessons[0])
    enrolment = reload(enrolled)
    assert enrolment.started_at == started
    assert enrolment.last_lesson == course.lessons[0]


def test_opening_a_lesson_without_an_enrolment_records_nothing(learner, course):
    assert services.open_lesson(learner, course.lessons[0]) is None
    assert not OutboxStatement.objects.exists()


def test_resume_goes_on_after_the_last_lesson_opened(learner, course, enrolled):
    first, second, third, fourth = course.lessons
    services.open_lesson(learner, second)
    services.complete_lesson(learner, second)
    assert services.resume_lesson(reload(enrolled)) == third

    services.open_lesson(learner, fourth)
    services.complete_lesson(learner, fourth)
    # Nothing left after the last one opened: back to the first not completed.
    assert services.resume_lesson(reload(enrolled)) == first


# -- completing lessons --------------------------------------------------------------------------


def test_completing_a_lesson_counts_once(learner, course, enrolled):
    lesson = course.lessons[0]
    enrolment = services.complete_lesson(learner, lesson)
    assert enrolment.lessons_completed == 1
    assert enrolment.percent == 25
    assert reload(enrolled).status == Enrolment.Status.IN_PROGRESS
    recorded = OutboxStatement.objects.count()

    again = services.complete_lesson(learner, lesson)

    assert OutboxStatement.objects.count() == recorded  # a second click says nothing
    assert again.lessons_completed == 1
    assert reload(enrolled).lessons_completed == 1
    assert services.completed_lesson_ids(enrolled) == {lesson.pk}


def test_completing_without_an_enrolment_is_refused(learner, course):
    with pytest.raises(LearningError, match="Enrol"):
        services.complete_lesson(learner, course.lessons[0])


def test_a_module_is_completed_with_its_last_lesson(learner, course, enrolled):
    module_one, module_two = course.modules
    first, second, third, _fourth = course.lessons
    module_iri = xapi.activity_iri("module", module_one)

    services.complete_lesson(learner, second)
    assert completed_objects("module") == []
    services.complete_lesson(learner, first)  # the module's last one, though not in order
    assert completed_objects("module") == [module_iri]

    services.complete_lesson(learner, third)
    services.complete_lesson(learner, first)  # repeated: nothing new
    assert completed_objects("module") == [module_iri]
    assert reload(enrolled).status == Enrolment.Status.IN_PROGRESS


def test_the_course_is_completed_with_its_last_lesson(learner, course, enrolled, completions):
    for lesson in course.lessons[:-1]:
        services.complete_lesson(learner, lesson)
    assert reload(enrolled).status == Enrolment.Status.IN_PROGRESS
    assert completions == []

    services.complete_lesson(learner, course.lessons[-1])

    enrolment = reload(enrolled)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None
    assert enrolment.completed_at >= enrolment.started_at
    assert enrolment.percent == 100
    assert (enrolment.lessons_completed, enrolment.lessons_total) == (4, 4)
    assert completed_objects("course") == [xapi.activity_iri("course", course.course)]
    assert sorted(completed_objects("module")) == sorted(
        xapi.activity_iri("module", m) for m in course.modules
    )
    assert len(completed_objects("lesson")) == 4
    assert completions == [enrolment.pk]

    # Completed is final: more clicks and evaluations change nothing and say nothing.
    recorded = OutboxStatement.objects.count()
    services.complete_lesson(learner, course.lessons[0])
    with transaction.atomic():
        assert completion.evaluate(enrolment) is False
    assert OutboxStatement.objects.count() == recorded
    assert completions == [enrolment.pk]
    assert reload(enrolled).completed_at == enrolment.completed_at


def test_progress_counts_only_lessons_still_published(learner, course, enrolled):
    services.complete_lesson(learner, course.lessons[0])
    course.lessons[1].unpublish()
    enrolment = services.complete_lesson(learner, course.lessons[2])
    assert (enrolment.lessons_completed, enrolment.lessons_total) == (2, 3)


def test_a_course_without_lessons_is_never_completed_by_evaluation(learner, programme):
    empty = f.course_with_lessons(programme, "CM-900", "Boʻsh", modules=1, lessons=0)
    enrolment = services.self_enrol(learner, empty.course)
    with transaction.atomic():
        assert completion.evaluate(reload(enrolment)) is False
    assert reload(enrolment).status == Enrolment.Status.ENROLLED


# -- completion criteria -------------------------------------------------------------------------


def test_an_untracked_criterion_is_listed_but_does_not_block(learner, programme, providers):
    """The course asks for a final assessment, but no part of the platform tracks assessments
    yet: it completes on its lessons, and the assessment is reported as not tracked."""
    assessed = f.course_with_lessons(
        programme, "CM-301", "Baholash bilan", modules=1, lessons=2, completion_pass_mark=80
    )
    enrolment = services.self_enrol(learner, assessed.course)
    assert [(c.label, c.met) for c in completion.criteria(reload(enrolment))] == [
        ("All lessons completed", False),
        ("Final assessment passed", None),
    ]

    for lesson in assessed.lessons:
        services.complete_lesson(learner, lesson)

    enrolment = reload(enrolment)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert [(c.label, c.met) for c in completion.criteria(enrolment)] == [
        ("All lessons completed", True),
        ("Final assessment passed", None),
    ]


def test_a_pass_mark_of_zero_still_asks_for_an_assessment(learner, programme, providers):
    course = f.course_with_lessons(
        programme,
        "CM-302",
        "Nol",
        modules=1,
        lessons=1,
        completion_pass_mark=0,
        completion_all_lessons=False,
    )
    enrolment = services.self_enrol(learner, course.course)
    assert [c.label for c in completion.criteria(reload(enrolment))] == ["Final assessment passed"]


def test_a_registered_provider_blocks_completion_until_met(
    learner, programme, providers, completions
):
    passed = set()
    completion.register(
        "assessment",
        applies=lambda course: course.completion_pass_mark is not None,
        check=lambda enrolment: enrolment.pk in passed,
        label="Final assessment passed",
    )
    assessed = f.course_with_lessons(
        programme, "CM-301", "Baholash bilan", modules=1, lessons=2, completion_pass_mark=80
    )
    enrolment = services.self_enrol(learner, assessed.course)
    for lesson in assessed.lessons:
        services.complete_lesson(learner, lesson)

    enrolment = reload(enrolment)
    assert enrolment.status == Enrolment.Status.IN_PROGRESS
    assert [(c.label, c.met) for c in completion.criteria(enrolment)] == [
        ("All lessons completed", True),
        ("Final assessment passed", False),
    ]
    with transaction.atomic():
        assert completion.evaluate(enrolment) is False
    assert completions == []

    passed.add(enrolment.pk)  # the assessment part reports a pass and re-evaluates
    with transaction.atomic():
        assert completion.evaluate(enrolment) is True
    with transaction.atomic():
        assert completion.evaluate(reload(enrolment)) is False

    enrolment = reload(enrolment)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None
    assert completions == [enrolment.pk]
    assert completed_objects("course") == [xapi.activity_iri("course", assessed.course)]


def test_a_provider_can_complete_a_course_without_lesson_criterion(learner, programme, providers):
    completion.register(
        "workshop", applies=lambda course: True, check=lambda e: True, label="Workshop attended"
    )
    workshop = f.course_with_lessons(
        programme,
        "CM-401",
        "Seminar",
        modules=1,
        lessons=1,
        completion_all_lessons=False,
        completion_workshop=True,
    )
    enrolment = services.self_enrol(learner, workshop.course)
    with transaction.atomic():
        assert completion.evaluate(reload(enrolment)) is True
    assert reload(enrolment).status == Enrolment.Status.COMPLETED


def test_a_course_with_nothing_checkable_is_not_completed(learner, programme, providers):
    """Only a workshop is required and nothing tracks workshops: nobody may take that for met."""
    workshop = f.course_with_lessons(
        programme,
        "CM-401",
        "Seminar",
        modules=1,
        lessons=1,
        completion_all_lessons=False,
        completion_workshop=True,
    )
    enrolment = services.self_enrol(learner, workshop.course)
    services.complete_lesson(learner, workshop.lessons[0])
    assert reload(enrolment).status == Enrolment.Status.IN_PROGRESS


def test_withdrawn_enrolments_are_not_completed(learner, course, enrolled, completions):
    for lesson in course.lessons[:-1]:
        services.complete_lesson(learner, lesson)
    services.withdraw(enrolled, by=learner)
    with transaction.atomic():
        assert completion.evaluate(reload(enrolled)) is False
    assert completions == []


# -- languages -----------------------------------------------------------------------------------


def test_progress_in_a_translation_counts_for_the_course(learner, programme, course):
    lesson = course.lessons[0]
    home = programme.get_parent().get_parent()
    chain = [home, programme.get_parent(), programme, course.course, course.modules[0], lesson]
    ru = f.translate_tree(chain, "ru")
    ru_course, ru_lesson = ru[course.course.pk], ru[lesson.pk]

    enrolment = services.self_enrol(learner, ru_course)  # enrolling from the Russian page
    assert enrolment.course.pk == course.course.pk
    assert enrolment.lessons_total == 4

    assert services.open_lesson(learner, ru_lesson).pk == enrolment.pk
    services.complete_lesson(learner, ru_lesson)

    enrolment = reload(enrolment)
    assert enrolment.last_lesson == lesson
    assert enrolment.lessons_completed == 1
    assert services.completed_lesson_ids(enrolment) == {lesson.pk}
    assert services.enrolment_for(learner, ru_course) == enrolment
    # The same activity whatever the language it was read in.
    assert {s["object"]["id"] for s in outbox() if "/activities/lesson/" in s["object"]["id"]} == {
        xapi.activity_iri("lesson", lesson)
    }


def test_opening_a_lesson_never_reopens_a_course_completed_meanwhile(
    monkeypatch, learner, course, enrolled
):
    """Two tabs: one opens a lesson with the enrolment read before the other completed it."""
    services.open_lesson(learner, course.lessons[0])
    stale = reload(enrolled)
    for lesson in course.lessons:
        services.complete_lesson(learner, lesson)
    monkeypatch.setattr(services, "enrolment_for", lambda *args: stale)

    services.open_lesson(learner, course.lessons[1])

    assert reload(enrolled).status == Enrolment.Status.COMPLETED


def test_coming_back_completes_a_course_whose_criteria_were_met_meanwhile(
    learner, programme, providers, completions
):
    passed = set()
    completion.register(
        "assessment", lambda course: True, lambda e: e.pk in passed, "Final assessment passed"
    )
    assessed = f.course_with_lessons(
        programme, "CM-301", "Baholash bilan", modules=1, lessons=1, completion_pass_mark=80
    )
    enrolment = services.self_enrol(learner, assessed.course)
    services.complete_lesson(learner, assessed.lessons[0])
    services.withdraw(enrolment, by=learner)
    passed.add(enrolment.pk)

    services.self_enrol(learner, assessed.course)

    assert reload(enrolment).status == Enrolment.Status.COMPLETED
    assert completions == [enrolment.pk]


# -- the curriculum changes ----------------------------------------------------------------------


def test_unpublishing_the_last_missing_lesson_completes_the_course(
    django_capture_on_commit_callbacks, learner, course, enrolled, completions
):
    for lesson in course.lessons[:-1]:
        services.complete_lesson(learner, lesson)

    with django_capture_on_commit_callbacks(execute=True):
        course.lessons[-1].unpublish()

    enrolment = reload(enrolled)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert (enrolment.lessons_completed, enrolment.lessons_total) == (3, 3)
    assert completions == [enrolment.pk]


def test_a_new_lesson_is_counted_for_open_enrolments_only(
    django_capture_on_commit_callbacks, learner, course, enrolled
):
    finished = f.UserFactory()
    services.self_enrol(finished, course.course)
    for lesson in course.lessons:
        services.complete_lesson(finished, lesson)
    services.complete_lesson(learner, course.lessons[0])

    with django_capture_on_commit_callbacks(execute=True):
        f.lesson_page(course.modules[1], "Yangi dars", "yangi", words=20)

    enrolment = reload(enrolled)
    assert (enrolment.lessons_completed, enrolment.lessons_total) == (1, 5)
    assert enrolment.percent == 20
    done = Enrolment.objects.get(learner=finished)
    assert done.status == Enrolment.Status.COMPLETED
    assert done.percent == 100


def test_lessons_of_an_unpublished_module_do_not_count(
    django_capture_on_commit_callbacks, learner, course, enrolled
):
    for lesson in course.lessons_of(course.modules[0]):
        services.complete_lesson(learner, lesson)

    with django_capture_on_commit_callbacks(execute=True):
        course.modules[1].unpublish()

    enrolment = reload(enrolled)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.lessons_total == 2
    assert services.resume_lesson(enrolment) == course.lessons[0]


def test_deleting_a_lesson_recounts(django_capture_on_commit_callbacks, learner, course, enrolled):
    services.complete_lesson(learner, course.lessons[0])
    with django_capture_on_commit_callbacks(execute=True):
        course.lessons[3].delete()
    assert reload(enrolled).lessons_total == 3


def test_evaluation_counts_the_lessons_afresh(learner, programme, providers):
    """A part reporting a pass may hold an enrolment read before the last lessons were done."""
    passed = set()
    completion.register(
        "assessment", lambda course: True, lambda e: e.pk in passed, "Final assessment passed"
    )
    assessed = f.course_with_lessons(
        programme, "CM-301", "Baholash bilan", modules=1, lessons=2, completion_pass_mark=80
    )
    early_copy = services.self_enrol(learner, assessed.course)
    for lesson in assessed.lessons:
        services.complete_lesson(learner, lesson)
    passed.add(early_copy.pk)

    with transaction.atomic():
        assert completion.evaluate(early_copy) is True
    assert reload(early_copy).status == Enrolment.Status.COMPLETED
