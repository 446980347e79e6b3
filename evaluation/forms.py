from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.learning.forms import CoursesChoiceField, UnitChoiceField
from lms.people.models import OrgUnit
from lms.people.scoping import visible_units

from .models import EvaluationStudy, Indicator

MONTH_INPUT = {"type": "month"}


class MonthField(forms.DateField):
    """A month (``<input type="month">`` sends 2025-03), held as its first day."""

    widget = forms.DateInput(attrs=MONTH_INPUT, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.local_name}"


class StudyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    indicator = IndicatorChoiceField(
        label=_("Outcome indicator"), queryset=Indicator.objects.filter(active=True)
    )
    courses = CoursesChoiceField(
        label=_("Courses"),
        help_text=_("A member of staff counts as trained once they have completed all of them."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    units_root = UnitChoiceField(
        label=_("Centres under"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    period_start = MonthField(label=_("First month"))
    period_end = MonthField(label=_("Last month"))
    adoption_threshold = forms.IntegerField(
        label=_("Adoption: share of staff trained (%)"),
        min_value=1,
        max_value=100,
        initial=50,
        help_text=_("A centre adopts training in the first month this share has completed."),
    )
    comparison = forms.ChoiceField(
        label=_("Compare with"),
        choices=EvaluationStudy.Comparison.choices,
        initial=EvaluationStudy.Comparison.NEVER,
    )
    method = forms.ChoiceField(
        label=_("Headline method"),
        choices=EvaluationStudy.Method.choices,
        initial=EvaluationStudy.Method.CS,
        help_text=_("The estimator the summary reports; the others are shown beside it."),
    )
    bootstrap = forms.IntegerField(
        label=_("Bootstrap replications"), min_value=99, max_value=9999, initial=999
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units_root"].queryset = (
            visible_units(viewer)
            .exclude(kind__in=[OrgUnit.Kind.CENTRE, OrgUnit.Kind.DEPARTMENT])
            .order_by("path")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if start >= end:
                self.add_error("period_end", _("The last month must come after the first."))
            elif (end.year - start.year) * 12 + end.month - start.month < 5:
                self.add_error("period_end", _("A study needs at least six months."))
            elif end > timezone.localdate():
                self.add_error("period_end", _("The last month cannot be in the future."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns: indicator_code, org_unit_code, period (2025-03 or 2025-Q1), value, "
            "numerator, denominator, source."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
