"""The learner's pages (My learning, enrol, mark complete, withdraw) and HR's (assign, the
roster with its exports). Every list of people goes through `lms.people.scoping`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from lms.people.models import OrgUnit, Position
from lms.people.scoping import can_see_all, may_list, people_q
from lms.tables import spreadsheet_cell

from . import curriculum, services
from .forms import AssignForm, RosterFilterForm
from .models import AssignmentJob, AssignmentRule, Enrolment, Notification
from .notifications import link_in, notification_text

DUE_SOON_DAYS = 14
ROSTER_PAGE_SIZE = 50


# -- the learner ---------------------------------------------------------------------------------


@login_required
def my_learning(request):
    """Assigned, in progress, due soon, overdue and completed, with the next lesson of each:
    a fixed number of queries however many courses, so it stays fast on a slow phone."""
    today = timezone.localdate()
    enrolments = list(
        Enrolment.objects.current()
        .filter(learner=request.user)
        .select_related("course")
        .order_by("due_date", "-enrolled_at")
    )
    courses = curriculum.localized([e.course for e in enrolments], get_language())
    next_lessons = services.next_lessons([e for e in enrolments if e.is_open])
    localized_lessons = curriculum.localized(next_lessons.values(), get_language())
    sections = {"overdue": [], "due_soon": [], "in_progress": [], "assigned": [], "completed": []}
    cpd_year = Decimal("0")
    for e in enrolments:
        e.local_course = courses.get(str(e.course.translation_key), e.course)
        lesson = next_lessons.get(e.pk)
        e.next_lesson = localized_lessons.get(str(lesson.translation_key)) if lesson else None
        if e.status == Enrolment.Status.COMPLETED:
            sections["completed"].append(e)
            if e.completed_at and e.completed_at.year == today.year:
                cpd_year += e.course.cpd_hours
        elif e.is_overdue(today):
            sections["overdue"].append(e)
        elif e.due_date and (e.due_date - today).days <= DUE_SOON_DAYS:
            sections["due_soon"].append(e)
        elif e.status == Enrolment.Status.IN_PROGRESS:
            sections["in_progress"].append(e)
        else:
            sections["assigned"].append(e)
    sections["completed"].sort(key=lambda e: e.completed_at or timezone.now(), reverse=True)
    resume = next(
        (
            e
            for e in sorted(
                (e for e in enrolments if e.is_open and e.next_lesson),
                key=lambda e: (e.status != Enrolment.Status.IN_PROGRESS, e.due_date or dt.date.max),
            )
        ),
        None,
    )
    notices = list(
        Notification.objects.filter(recipient=request.user, read_at__isnull=True)
        .select_related("enrolment__course", "enrolment__learner")
        .order_by("-created_at")[:10]
    )
    language = get_language()
    for n in notices:
        course = courses.get(str(n.enrolment.course.translation_key), n.enrolment.course)
        n.text = notification_text(n, course)
        n.url = link_in(n, language) if n.link else ""
    return render(
        request,
        "learning/my_learning.html",
        {
            "sections": [
                ("overdue", _("Overdue"), sections["overdue"]),
                ("due_soon", _("Due soon"), sections["due_soon"]),
                ("in_progress", _("In progress"), sections["in_progress"]),
                ("assigned", _("Assigned, not started"), sections["assigned"]),
                ("completed", _("Completed"), sections["completed"]),
            ],
            "resume": resume,
            "cpd_year": cpd_year,
            "year": today.year,
            "notices": notices,
            "today": today,
            "has_any": bool(enrolments),
        },
    )


@login_required
@require_POST
def enrol(request, page_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=page_id)
    try:
        services.self_enrol(request.user, course)
        messages.success(request, _("You are enrolled. Your first lesson is ready."))
    except services.LearningError as error:
        messages.error(request, str(error))
    return redirect(course.get_url(request))


@login_required
@require_POST
def complete_lesson(request, page_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=page_id)
    try:
        enrolment = services.complete_lesson(request.user, lesson)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(lesson.get_url(request))
    if enrolment.status == Enrolment.Status.COMPLETED:
        messages.success(
            request, _("Course completed. Well done! It is now listed under Completed.")
        )
        return redirect(lesson.get_parent().get_parent().get_url(request))
    messages.success(request, _("Lesson marked complete."))
    following = (
        LessonPage.objects.live()
        .filter(path__gt=lesson.path, depth=lesson.depth)
        .filter(path__startswith=lesson.path[: -2 * Page.steplen])
        .order_by("path")
        .first()
    )
    return redirect((following or lesson).get_url(request))


@login_required
@require_POST
def withdraw(request, pk: int):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner"),
        Q(learner=request.user) | (people_q(request.user, "learner__") & _hr_q(request.user)),
        pk=pk,
    )
    try:
        services.withdraw(enrolment, request.user)
        messages.success(request, _("Withdrawn from the course."))
    except services.LearningError as error:
        messages.error(request, str(error))
    return redirect(request.POST.get("next") or "learning:my_learning")


def _hr_q(user) -> Q:
    return Q() if user.has_perm("learning.change_enrolment") else Q(pk__in=[])


@login_required
@require_POST
def read_notifications(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("learning:my_learning")


# -- HR ------------------------------------------------------------------------------------------


def _require_scope(user, perm: str) -> None:
    if not may_list(user, perm):
        raise PermissionDenied


def _rules_in_scope(user):
    rules = AssignmentRule.objects.filter(active=True)
    if not can_see_all(user):
        rules = rules.filter(org_unit__path__startswith=user.scope.path)
    return rules


@login_required
def assign(request):
    """Assign a course to one person, a selection, or everyone matching position × unit."""
    _require_scope(request.user, "learning.add_enrolment")
    form = AssignForm(request.POST or None, viewer=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        if f["target"] == AssignForm.MATCHING:
            outcome = services.assign_matching(
                f["course"],
                f["unit"],
                f["position"],
                due_date=f["due_date"],
                assigned_by=request.user,
                keep_applying=f["keep_applying"],
                due_days=f["due_days"],
            )
        else:
            outcome = services.start_assignment(
                f["course"], f["people"], due_date=f["due_date"], assigned_by=request.user
            )
        if isinstance(outcome, AssignmentJob):
            return redirect("learning:assignment_job", pk=outcome.pk)
        messages.success(
            request,
            _("Assigned to %(assigned)d people; %(already)d were already enrolled.")
            % {"assigned": outcome.assigned, "already": outcome.already},
        )
        if outcome.rule:
            messages.info(request, _("New staff matching this rule will be assigned too."))
        return redirect(f"{_roster_url()}?course={f['course'].pk}")
    rules = list(
        _rules_in_scope(request.user)
        .select_related("org_unit", "position", "course")
        .order_by("-created_at")[:50]
    )
    titles = curriculum.localized({r.course for r in rules}, get_language())
    for rule in rules:
        rule.local_course = titles.get(str(rule.course.translation_key), rule.course)
    return render(
        request,
        "learning/assign.html",
        {"form": form, "scope": request.user.scope, "rules": rules},
    )


@login_required
def assignment_job(request, pk: int):
    """A large assignment's progress; the page refreshes itself until the job is done."""
    _require_scope(request.user, "learning.add_enrolment")
    jobs = AssignmentJob.objects.select_related("course", "rule")
    if not can_see_all(request.user):
        jobs = jobs.filter(created_by=request.user)
    job = get_object_or_404(jobs, pk=pk)
    course = curriculum.localized([job.course], get_language())[str(job.course.translation_key)]
    return render(
        request,
        "learning/assignment_job.html",
        {"job": job, "course": course, "roster_url": f"{_roster_url()}?course={job.course_id}"},
    )


@login_required
@require_POST
def stop_rule(request, pk: int):
    """A rule stops assigning its course to newcomers; enrolments it made stay."""
    _require_scope(request.user, "learning.change_assignmentrule")
    rule = get_object_or_404(_rules_in_scope(request.user), pk=pk)
    rule.active = False
    rule.save(update_fields=["active"])
    messages.success(request, _("The rule no longer assigns the course to new staff."))
    return redirect("learning:assign")


def _roster_url() -> str:
    return reverse("learning:roster")


def roster_queryset(viewer, form: RosterFilterForm):
    today = timezone.localdate()
    rows = (
        Enrolment.objects.filter(people_q(viewer, "learner__"))
        .select_related("learner__org_unit", "learner__position", "course")
        .defer("course__learning_objectives", "course__competencies")
        .order_by("learner__last_name", "learner__first_name", "learner_id", "course_id")
    )
    if not form.is_valid():
        return rows.none()
    f = form.cleaned_data
    if f["course"]:
        rows = rows.filter(course=f["course"])
    if f["unit"]:
        rows = rows.filter(learner__org_unit__path__startswith=f["unit"].path)
    if f["position"]:
        rows = rows.filter(learner__position=f["position"])
    if f["q"]:
        rows = rows.filter(
            Q(learner__last_name__icontains=f["q"])
            | Q(learner__first_name__icontains=f["q"])
            | Q(learner__employee_number__iexact=f["q"])
        )
    state = f["state"]
    if state == "overdue":
        rows = rows.overdue(today)
    elif state == "pending":
        rows = rows.open()
    elif state:
        rows = rows.filter(status=state)
        if state in (Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS):
            rows = rows.exclude(due_date__lt=today)
    else:
        rows = rows.current()
    return rows


@login_required
def roster(request):
    """Enrolments of the people in the viewer's scope, with progress; a course's roster or an
    org unit's, the overdue list, and the same rows as CSV or XLSX."""
    _require_scope(request.user, "learning.view_enrolment")
    form = RosterFilterForm(request.GET, viewer=request.user)
    rows = roster_queryset(request.user, form)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(rows, export)
    today = timezone.localdate()
    summary = rows.aggregate(
        total=Count("pk"),
        completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
        overdue=Count(
            "pk",
            filter=Q(
                status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS],
                due_date__lt=today,
            ),
        ),
    )
    page_obj = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    courses = curriculum.localized({e.course for e in page_obj}, get_language())
    for e in page_obj:
        e.local_course = courses.get(str(e.course.translation_key), e.course)
        e.state_label = e.get_state_display(today)
        e.state_code = e.state(today)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "learning/roster.html",
        {
            "form": form,
            "page_obj": page_obj,
            "summary": summary,
            "filter_query": query.urlencode(),
            "scope": request.user.scope,
            "can_assign": can_see_all(request.user)
            or request.user.has_perm("learning.add_enrolment"),
        },
    )


def _export_rows(rows):
    """The header, then one list per enrolment. Reads only the columns it writes: names of
    courses, positions and units come from small dictionaries, not a join per row (5,000 rows
    in ~0.2 s rather than ~1 s; bench/learning_pages.py)."""
    today = timezone.localdate()
    language = get_language()
    yield [
        _("Employee number"),
        _("Last name"),
        _("First name"),
        _("Position"),
        _("Organisation unit"),
        _("Course code"),
        _("Course"),
        _("Status"),
        _("Progress (%)"),
        _("Due date"),
        _("Enrolled"),
        _("Completed"),
    ]
    data = list(
        rows.values_list(
            "learner__employee_number",
            "learner__last_name",
            "learner__first_name",
            "learner__position_id",
            "learner__org_unit_id",
            "course_id",
            "status",
            "due_date",
            "enrolled_at",
            "completed_at",
            "lessons_completed",
            "lessons_total",
        )
    )
    courses = {c.pk: c for c in CoursePage.objects.filter(pk__in={r[5] for r in data})}
    local = curriculum.localized(courses.values(), language)
    course_names = {
        pk: (c.code, local.get(str(c.translation_key), c).title) for pk, c in courses.items()
    }
    positions = {p.pk: p.name_in(language) for p in Position.objects.all()}
    units = {u.pk: u.name_in(language) for u in OrgUnit.objects.filter(pk__in={r[4] for r in data})}
    labels = dict(Enrolment.Status.choices)
    overdue = _("Overdue")
    open_states = {Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS}
    for number, last, first, position, unit, course, status, due, enrolled, done, n, total in data:
        late = status in open_states and due is not None and due < today
        if status == Enrolment.Status.COMPLETED:
            percent = 100
        else:
            percent = min(100, round(100 * n / total)) if total else 0
        code, title = course_names[course]
        yield [
            spreadsheet_cell(v)
            for v in [
                number or "",
                last,
                first,
                positions.get(position, ""),
                units.get(unit, ""),
                code,
                title,
                str(overdue if late else labels[status]),
                percent,
                due.isoformat() if due else "",
                timezone.localtime(enrolled).date().isoformat(),
                timezone.localtime(done).date().isoformat() if done else "",
            ]
        ]


class _Echo:
    def write(self, value):
        return value


def _export(rows, kind: str):
    stamp = timezone.localdate().isoformat()
    if kind == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            ("\ufeff" if i == 0 else "") + writer.writerow(row)
            for i, row in enumerate(_export_rows(rows))
        )
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Content-Disposition"] = f'attachment; filename="malaka-roster-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Roster")[:31])
    for row in _export_rows(rows):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="malaka-roster-{stamp}.xlsx"'
    return response
