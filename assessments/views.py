"""Learners take quizzes, tests and surveys; trainers grade; HR, trainers and evaluators read
results in their scope. Thin views over `services`, `surveys` and `results`."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CoursePage, LessonPage
from lms.learning import curriculum as learning_curriculum
from lms.people.models import User
from lms.people.scoping import people_q, visible_units
from lms.tables import spreadsheet_cell

from . import marking, results, services
from .i18n import local
from .models import Answer, Attempt, Quiz, SurveyInvitation

RESULTS_PERM = "assessments.view_results"


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _own_attempt(request, pk: int) -> Attempt:
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "enrolment__course", "lesson"), pk=pk
    )
    if attempt.learner_id != request.user.pk:
        raise Http404
    return attempt


@login_required
@require_POST
def start(request, pk: int):
    quiz = get_object_or_404(Quiz, pk=pk)
    lesson = None
    if request.POST.get("lesson"):
        lesson = get_object_or_404(
            LessonPage.objects.live(), pk=_int_or_404(request.POST["lesson"])
        )
    fallback = lesson.url if lesson else reverse("learning:my_learning")
    try:
        attempt = services.start_attempt(request.user, quiz, lesson=lesson)
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect(_back(request, fallback))
    return redirect("assessments:attempt", attempt.pk)


def _questions(attempt: Attempt, errors: dict | None = None) -> list[dict]:
    """The attempt's questions for the page; ``errors``: {answer id: message}."""
    rows = []
    for answer, shown, targets in services.delivered(attempt):
        question = answer.question
        rows.append(
            {
                "answer": answer,
                "question": question,
                "text": local(question.text),
                "choices": [(c, local(c.text)) for c in shown],
                "targets": [(c, local(c.match)) for c in targets],
                "likert": list(marking.LIKERT_LABELS.items()),
                "error": (errors or {}).get(answer.pk),
                "name": f"q{answer.pk}",
                "ranks": list(range(1, len(shown) + 1)),
                "rank_of": {c: i for i, c in enumerate(answer.response or [], start=1)}
                if question.type == question.Type.ORDERING
                else {},
            }
        )
    return rows


@login_required
def attempt_page(request, pk: int):
    attempt = _own_attempt(request, pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("assessments:result", attempt.pk)
    if attempt.expired(timezone.now() - services.GRACE):
        services.submit(attempt)
        messages.warning(request, _("Time is up. Your test was submitted with the answers saved."))
        return redirect("assessments:result", attempt.pk)
    return _attempt_page(request, attempt)


def _attempt_page(request, attempt: Attempt, errors: dict | None = None, status: int = 200):
    quiz = attempt.quiz
    time_left = attempt.time_left()
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "quiz_title": local(quiz.title),
            "questions": _questions(attempt, errors),
            "errors": errors,
            "time_left": time_left,
            "time_left_text": None
            if time_left is None
            else f"{int(time_left) // 60}:{int(time_left) % 60:02d}",
        },
        status=status,
    )


@login_required
@require_POST
def save(request, pk: int):
    """Autosave (JavaScript, answers JSON) and the "Save" button (no JavaScript)."""
    attempt = _own_attempt(request, pk)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        errors = services.save_answers(attempt, request.POST)
    except services.AssessmentError as error:
        if wants_json:
            return JsonResponse({"error": str(error), "closed": True}, status=409)
        messages.error(request, str(error))
        return redirect("assessments:attempt", attempt.pk)
    if wants_json:
        return JsonResponse(
            {
                "saved_at": timezone.localtime().strftime("%H:%M:%S"),
                "errors": {f"q{k}": v for k, v in errors.items()},
                "time_left": attempt.time_left(),
            },
            status=400 if errors else 200,
        )
    if errors:
        messages.error(request, _("Some answers were not possible and were not saved."))
    else:
        messages.success(request, _("Your answers are saved."))
    return redirect("assessments:attempt", attempt.pk)


@login_required
@require_POST
def submit(request, pk: int):
    attempt = _own_attempt(request, pk)
    if attempt.status == Attempt.Status.IN_PROGRESS and not attempt.expired(
        timezone.now() - services.GRACE
    ):
        try:
            errors = services.save_answers(attempt, request.POST)
        except services.AssessmentError:
            errors = {}  # submitted meanwhile, or time ran out: submit what was saved
        if errors:  # say what was refused instead of submitting without it
            return _attempt_page(request, attempt, errors, status=400)
    try:
        attempt = services.submit(attempt)
    except services.AssessmentError as error:
        messages.error(request, str(error))
    return redirect("assessments:result", attempt.pk)


@login_required
def result(request, pk: int):
    attempt = _own_attempt(request, pk)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("assessments:attempt", attempt.pk)
    show_answers = services.shows_answers(attempt)
    rows = []
    for row in _questions(attempt):
        answer, question = row["answer"], row["question"]
        shown = services.all_choices(
            [c for c, _text in row["choices"]], [c for c, _text in row["targets"]]
        )
        row.update(
            correct=marking.correct_answer_text(question, shown) if show_answers else "",
            feedback=local(question.general_feedback) if show_answers else "",
            choice_feedback=_choice_feedback(answer, shown) if show_answers else [],
            response_text=_response_text(answer, shown),
            rubric=_rubric_rows(answer) if answer.graded_at else [],
        )
        rows.append(row)
    quiz = attempt.quiz
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "quiz_title": local(quiz.title),
            "questions": rows,
            "show_answers": show_answers,
            "show_score": services.shows_score(attempt),
            "attempts_left": services.attempts_left(quiz, request.user, attempt.about),
            "lesson": attempt.lesson.localized if attempt.lesson else None,
        },
    )


def _choice_feedback(answer: Answer, shown) -> list[str]:
    chosen = answer.response
    if answer.question.type == answer.question.Type.SINGLE:
        chosen = [chosen]
    if not isinstance(chosen, list):
        return []
    return [local(c.feedback) for c in shown if c.pk in chosen and local(c.feedback)]


def _response_text(answer: Answer, shown) -> str:
    """The learner's answer in words."""
    response, question = answer.response, answer.question
    T = question.Type
    if response is None:
        return ""
    by_id = {c.pk: c for c in shown}
    if question.type == T.SINGLE:
        return marking.plain(by_id[response].text) if response in by_id else ""
    if question.type in (T.MULTIPLE, T.ORDERING):
        sep = "; " if question.type == T.MULTIPLE else " → "
        return sep.join(marking.plain(by_id[c].text) for c in response if c in by_id)
    if question.type == T.TRUE_FALSE:
        return _("True") if response else _("False")
    if question.type == T.MATCHING:
        return "; ".join(
            f"{marking.plain(by_id[int(k)].text)} → {local(by_id[v].match)}"
            for k, v in response.items()
            if int(k) in by_id and v in by_id
        )
    if question.type == T.LIKERT:
        return str(marking.LIKERT_LABELS.get(response, response))
    return str(response)


def _rubric_rows(answer: Answer) -> list[dict]:
    if not answer.question.rubric_id:
        return []
    rows = []
    for row, level in zip(answer.question.rubric.rows(), answer.rubric_levels, strict=False):
        chosen = row["levels"][level] if 0 <= level < len(row["levels"]) else None
        rows.append(
            {
                "title": local(row["title"]),
                "level": local(chosen["label"]) if chosen else "",
                "points": chosen["points"] if chosen else 0,
                "best": max(lv["points"] for lv in row["levels"]),
            }
        )
    return rows


# -- surveys ---------------------------------------------------------------------------------------


@login_required
def survey(request, pk: int):
    invitation = get_object_or_404(
        SurveyInvitation.objects.select_related("quiz", "enrolment__course", "about"), pk=pk
    )
    if invitation.respondent_id != request.user.pk:
        raise Http404
    if invitation.answered_at:
        return render(request, "assessments/survey_done.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            attempt = services.start_attempt(
                request.user, invitation.quiz, about=invitation.about, invitation=invitation
            )
        except services.AssessmentError as error:
            messages.error(request, str(error))
            return redirect("assessments:survey", pk)
        return redirect("assessments:attempt", attempt.pk)
    return render(
        request,
        "assessments/survey_start.html",
        {
            "invitation": invitation,
            "quiz_title": local(invitation.quiz.title),
            "intro": local(invitation.quiz.intro),
            "course": invitation.enrolment.course.localized,
        },
    )


# -- grading ---------------------------------------------------------------------------------------


def _require_grader(request) -> None:
    if not request.user.has_perm("assessments.change_answer"):
        raise PermissionDenied


@login_required
def grading(request):
    _require_grader(request)
    answers = list(services.grading_queue(request.user)[:200])
    for answer in answers:
        answer.quiz_title = local(answer.attempt.quiz.title)
    return render(request, "assessments/grading.html", {"answers": answers})


@login_required
def grade(request, pk: int):
    _require_grader(request)
    answer = get_object_or_404(
        Answer.objects.select_related(
            "question__rubric", "attempt__quiz", "attempt__learner__org_unit"
        ),
        pk=pk,
    )
    if not services.may_grade(request.user, answer):
        raise Http404
    rubric = answer.question.rubric.rows() if answer.question.rubric_id else []
    errors = []
    if request.method == "POST":
        levels, score = None, None
        try:
            if rubric:
                levels = [int(request.POST.get(f"criterion-{i}", "")) for i in range(len(rubric))]
            else:
                score = Decimal(request.POST.get("score", "").replace(",", "."))
        except (ValueError, InvalidOperation):
            errors.append(
                _("Choose a level for every criterion.") if rubric else _("Give a score.")
            )
        if not errors:
            try:
                services.grade(
                    answer,
                    request.user,
                    levels=levels,
                    score=score,
                    feedback=request.POST.get("feedback", ""),
                )
            except services.AssessmentError as error:
                errors.append(str(error))
            else:
                messages.success(request, _("The grade is saved and the learner can see it."))
                return redirect("assessments:grading")
    criteria = [
        {
            "index": i,
            "title": local(row["title"]),
            "description": local(row["description"]),
            "levels": [
                {
                    "index": j,
                    "label": local(level["label"]),
                    "points": level["points"],
                    "description": local(level["description"]),
                    "checked": j
                    == (answer.rubric_levels[i] if i < len(answer.rubric_levels) else None),
                }
                for j, level in enumerate(row["levels"])
            ],
        }
        for i, row in enumerate(rubric)
    ]
    return render(
        request,
        "assessments/grade.html",
        {
            "answer": answer,
            "question_text": local(answer.question.text),
            "quiz_title": local(answer.attempt.quiz.title),
            "criteria": criteria,
            "errors": errors,
        },
    )


# -- results ---------------------------------------------------------------------------------------


def _require_results(request) -> None:
    if not request.user.has_perm(RESULTS_PERM):
        raise PermissionDenied


@login_required
def survey_results(request):
    _require_results(request)
    surveys = list(Quiz.objects.filter(purpose=Quiz.Purpose.SURVEY).order_by("pk"))
    units = visible_units(request.user).order_by("path")
    chosen = next((s for s in surveys if str(s.pk) == request.GET.get("survey", "")), None)
    chosen = chosen or (surveys[0] if surveys else None)
    unit = None
    if request.GET.get("unit"):
        unit = units.filter(pk=_int_or_404(request.GET["unit"])).first()
    summary, unit_rows = None, []
    if chosen is not None:
        scope = results.survey_scope(request.user)
        summary = results.survey_summary(chosen, scope, unit)
        for row in summary["questions"]:
            row.text = local(row.question.text)
        base = unit or units.first()  # by path: the viewer's scope root (the agency's)
        children = units.filter(depth=base.depth + 1, path__startswith=base.path) if base else []
        unit_rows = results.by_unit(chosen, scope, list(children)[:60])
    for s in surveys:
        s.label = local(s.title)
    return render(
        request,
        "assessments/survey_results.html",
        {
            "surveys": surveys,
            "chosen": chosen,
            "units": units.filter(depth__lte=3),
            "unit": unit,
            "summary": summary,
            "unit_rows": unit_rows,
        },
    )


@login_required
def pre_post_csv(request):
    """Pre- and post-test scores per learner for a course, in the viewer's scope: what the
    evaluation toolkit's learning level is computed from, for analysis elsewhere."""
    _require_results(request)
    course = get_object_or_404(CoursePage, pk=_int_or_404(request.GET.get("course")))
    course = learning_curriculum.canonical(course)
    rows = results.pre_post([course], people_q(request.user, "learner__"))
    people = User.objects.select_related("org_unit").in_bulk([r.learner_id for r in rows])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pre-post-{course.code}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["employee_number", "org_unit", "course", "pre_percent", "post_percent", "gain"]
    )
    for row in rows:
        person = people[row.learner_id]
        gain = row.gain
        writer.writerow(
            [
                spreadsheet_cell(person.employee_number),
                spreadsheet_cell(person.org_unit.code if person.org_unit_id else ""),
                spreadsheet_cell(course.code),
                "" if row.pre is None else f"{row.pre:.2f}",
                "" if row.post is None else f"{row.post:.2f}",
                "" if gain is None else f"{gain:.3f}",
            ]
        )
    return response


@login_required
def home(request):
    """What the signed-in person has here: surveys to answer, attempts and their results, and
    for trainers and HR the grading queue and results."""
    invitations = list(
        SurveyInvitation.objects.filter(
            respondent=request.user, answered_at__isnull=True, sent_at__isnull=False
        ).select_related("quiz", "enrolment__course", "about")
    )
    for invitation in invitations:
        invitation.label = local(invitation.quiz.title)
    attempts = list(
        Attempt.objects.filter(learner=request.user, about__isnull=True)
        .exclude(quiz__purpose=Quiz.Purpose.SURVEY)
        .select_related("quiz")
        .order_by("-started_at")[:50]
    )
    for attempt in attempts:
        attempt.label = local(attempt.quiz.title)
    courses = []
    if request.user.has_perm(RESULTS_PERM):
        keys = Quiz.objects.filter(
            Q(purpose=Quiz.Purpose.PRE_TEST) | Q(purpose=Quiz.Purpose.POST_TEST)
        ).values("course_id")
        courses = [c.localized for c in CoursePage.objects.filter(pk__in=keys).order_by("code")]
    return render(
        request,
        "assessments/home.html",
        {
            "invitations": invitations,
            "attempts": attempts,
            "can_grade": request.user.has_perm("assessments.change_answer"),
            "waiting": services.grading_queue(request.user).count()
            if request.user.has_perm("assessments.change_answer")
            else 0,
            "can_see_results": request.user.has_perm(RESULTS_PERM),
            "prepost_courses": courses,
        },
    )
