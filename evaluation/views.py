"""The evaluator's pages: studies, the indicator catalogue with data quality, imports.

Every page is inside the viewer's scope: a study is visible when its units lie in the viewer's
part of the organisation, and unit lists are cut to that part."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.people.models import OrgUnit
from lms.people.scoping import can_see_all, may_list, scope_unit, unit_in_scope, visible_units

from . import quality, reports, services
from .forms import ImportForm, StudyForm
from .models import EvaluationStudy, Indicator, IndicatorImport, IndicatorValue
from .panel import add_months

UNITS_PER_PAGE = 50


def _require(request, perm: str) -> None:
    if not may_list(request.user, perm):
        raise PermissionDenied


def _visible_studies(viewer):
    studies = EvaluationStudy.objects.select_related("indicator", "units_root", "created_by")
    if can_see_all(viewer):
        return studies
    unit = scope_unit(viewer)
    return studies.filter(units_root__path__startswith=unit.path) if unit else studies.none()


def _study_for(request, pk: int) -> EvaluationStudy:
    _require(request, "evaluation.view_evaluationstudy")
    study = get_object_or_404(
        EvaluationStudy.objects.select_related("indicator", "units_root"), pk=pk
    )
    if not unit_in_scope(request.user, study.units_root):
        raise Http404
    return study


@login_required
def home(request):
    _require(request, "evaluation.view_evaluationstudy")
    studies = list(_visible_studies(request.user)[:100])
    return render(
        request,
        "evaluation/home.html",
        {
            "studies": studies,
            "scope": scope_unit(request.user),
            "can_create": request.user.has_perm("evaluation.add_evaluationstudy"),
            "can_import": request.user.has_perm("evaluation.add_indicatorimport"),
            "imports": IndicatorImport.objects.filter(created_by=request.user)[:5],
        },
    )


@login_required
def indicators(request):
    _require(request, "evaluation.view_indicator")
    return render(
        request,
        "evaluation/indicators.html",
        {"indicators": Indicator.objects.filter(active=True).order_by("code")},
    )


@login_required
def indicator_detail(request, code: str):
    """The indicator's definition and, per centre in scope, its last twelve periods with
    data-quality flags; values over fewer cases than the threshold are suppressed."""
    _require(request, "evaluation.view_indicatorvalue")
    indicator = get_object_or_404(Indicator, code=code)
    end = timezone.localdate().replace(day=1)
    last = (
        IndicatorValue.objects.filter(indicator=indicator, period__lte=end)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    end = last or add_months(end, -1)
    step = 3 if indicator.frequency == Indicator.Frequency.QUARTER else 1
    start = add_months(end, -11 * step)
    centres = visible_units(request.user).filter(kind=OrgUnit.Kind.CENTRE).order_by("code")
    page = Paginator(centres, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    rows = quality.assess(indicator, list(page.object_list), start, end)
    return render(
        request,
        "evaluation/indicator.html",
        {
            "indicator": indicator,
            "rows": rows,
            "page_obj": page,
            "period_end": end,
            "period_start": start,
            "flagged": sum(1 for r in rows if r.flagged),
        },
    )


@login_required
def import_upload(request):
    if not may_list(request.user, "evaluation.add_indicatorimport"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_indicator_import(form.cleaned_data["file"], request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("evaluation:import_status", pk=job.pk)
    return render(request, "evaluation/import.html", {"form": form})


@login_required
def import_status(request, pk: int):
    job = get_object_or_404(IndicatorImport, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return render(request, "evaluation/import_status.html", {"job": job})


@login_required
def study_new(request):
    if not may_list(request.user, "evaluation.add_evaluationstudy"):
        raise PermissionDenied
    today = timezone.localdate().replace(day=1)
    initial = {
        "period_start": add_months(today, -36),
        "period_end": add_months(today, -1),
    }
    form = StudyForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        courses = list(data["courses"])
        study = EvaluationStudy.objects.create(
            title=data["title"],
            indicator=data["indicator"],
            course_keys=[str(c.translation_key) for c in courses],
            course_codes=[c.code for c in courses],
            units_root=data["units_root"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            adoption_threshold=data["adoption_threshold"] / 100,
            comparison=data["comparison"],
            method=data["method"],
            bootstrap=data["bootstrap"],
            created_by=request.user,
        )
        services.queue_study(study)
        return redirect("evaluation:study", pk=study.pk)
    return render(request, "evaluation/study_new.html", {"form": form})


@login_required
def study_detail(request, pk: int):
    study = _study_for(request, pk)
    data = reports.summary(study) if study.status == EvaluationStudy.Status.DONE else None
    return render(
        request,
        "evaluation/study.html",
        {
            "study": study,
            "data": data,
            "chart": mark_safe(reports.chart_svg(data)) if data else "",  # noqa: S308 - built escaped
            "can_run": request.user.has_perm("evaluation.change_evaluationstudy"),
            "meta": reports.meta_line(study),
        },
    )


@login_required
@require_POST
def study_run(request, pk: int):
    study = _study_for(request, pk)
    if not request.user.has_perm("evaluation.change_evaluationstudy"):
        raise PermissionDenied
    if not study.is_busy:
        services.queue_study(study)
        messages.info(request, _("The study is being computed again."))
    return redirect("evaluation:study", pk=study.pk)


def _download(study: EvaluationStudy, body: bytes, ext: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    stamp = (study.computed_at or dt.datetime.now()).strftime("%Y%m%d")
    name = f"{slugify(study.title) or 'study'}-{stamp}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def study_pdf(request, pk: int):
    study = _study_for(request, pk)
    return _download(study, reports.render_pdf(study), "pdf", "application/pdf")


@login_required
def study_panel(request, pk: int):
    study = _study_for(request, pk)
    return _download(study, reports.panel_csv(study).encode(), "csv", "text/csv; charset=utf-8")


@login_required
def study_xlsx(request, pk: int):
    study = _study_for(request, pk)
    return _download(
        study,
        reports.render_xlsx(study),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
