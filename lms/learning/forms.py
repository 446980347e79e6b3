from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from lms.people.models import OrgUnit, Position, User
from lms.people.scoping import people_q, visible_units

from . import curriculum
from .models import Enrolment


class CourseLabelsMixin:
    """Courses of the default locale, labelled "code · title" in the viewer's language."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=CoursePage.objects.live()
            .filter(locale__language_code=settings.LANGUAGE_CODE)
            .order_by("code"),
            **kwargs,
        )
        self._labels: dict | None = None

    def label_from_instance(self, obj):
        if self._labels is None:
            self._labels = curriculum.localized(self.queryset, get_language())
        local = self._labels.get(str(obj.translation_key), obj)
        return f"{obj.code} · {local.title}"


class CourseChoiceField(CourseLabelsMixin, forms.ModelChoiceField):
    pass


class CoursesChoiceField(CourseLabelsMixin, forms.ModelMultipleChoiceField):
    pass


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = "\u2003" * max(obj.depth - 1, 0)
        return f"{indent}{obj.local_name}"


def _units(viewer):
    return visible_units(viewer).exclude(kind=OrgUnit.Kind.CENTRE).order_by("path")


class AssignForm(forms.Form):
    MATCHING = "matching"
    PEOPLE = "people"

    course = CourseChoiceField(label=_("Course"))
    target = forms.ChoiceField(
        label=_("Assign to"),
        widget=forms.RadioSelect,
        choices=[
            (MATCHING, _("Everyone in a unit (optionally of one position)")),
            (PEOPLE, _("These people (employee numbers)")),
        ],
        initial=MATCHING,
    )
    unit = UnitChoiceField(
        label=_("Organisation unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("The unit and every unit below it."),
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        queryset=Position.objects.all(),
        required=False,
        empty_label=_("Every position"),
    )
    employee_numbers = forms.CharField(
        label=_("Employee numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more, separated by spaces, commas or new lines."),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    keep_applying = forms.BooleanField(
        label=_("Keep assigning it to new staff who match (after roster imports)"),
        required=False,
    )
    due_days = forms.IntegerField(
        label=_("Days allowed for new staff"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Counted from the day they are added; if empty, the due date above applies."),
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.fields["unit"].queryset = _units(viewer)

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due

    def clean(self):
        data = super().clean()
        if data.get("target") == self.MATCHING:
            if not data.get("unit"):
                self.add_error("unit", _("Choose the organisation unit."))
        elif data.get("target") == self.PEOPLE:
            numbers = [
                n for n in data.get("employee_numbers", "").replace(",", " ").split() if n.strip()
            ]
            if not numbers:
                self.add_error("employee_numbers", _("Give at least one employee number."))
                return data
            people = list(
                User.objects.filter(people_q(self.viewer))
                .filter(employee_number__in=numbers, is_active=True)
                .select_related("org_unit", "position")
            )
            found = {p.employee_number for p in people}
            unknown = [n for n in numbers if n not in found]
            if unknown:
                self.add_error(
                    "employee_numbers",
                    _("Not found in your part of the organisation: %(numbers)s")
                    % {"numbers": ", ".join(unknown)},
                )
            data["people"] = people
        return data


class RosterFilterForm(forms.Form):
    STATES = [
        ("", _("Current (not withdrawn)")),
        ("pending", _("Not completed")),
        ("overdue", _("Overdue")),
        (Enrolment.Status.ENROLLED, _("Enrolled, not started")),
        (Enrolment.Status.IN_PROGRESS, _("In progress")),
        (Enrolment.Status.COMPLETED, _("Completed")),
        (Enrolment.Status.WITHDRAWN, _("Withdrawn")),
    ]

    q = forms.CharField(label=_("Name or employee number"), required=False, max_length=100)
    course = CourseChoiceField(label=_("Course"), required=False, empty_label=_("All courses"))
    unit = UnitChoiceField(
        label=_("Organisation unit"), queryset=OrgUnit.objects.none(), required=False
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        queryset=Position.objects.all(),
        required=False,
        empty_label=_("Every position"),
    )
    state = forms.ChoiceField(label=_("Status"), choices=STATES, required=False)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(viewer)
