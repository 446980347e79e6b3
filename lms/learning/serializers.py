"""Serializers of the read API (`lms.learning.api`): enrolments and lesson progress out, and the
list's query parameters in.

Everything here is read-only. The querysets that feed these serializers are built in the API
views with the joins they need; nothing below may reach the database per row."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from courses.models import CoursePage
from lms.people.models import OrgUnit, User
from lms.people.scoping import unit_in_scope

from .models import Enrolment, LessonProgress

#: The values of `Enrolment.state()`: the stored status, or "overdue".
STATE_OVERDUE = "overdue"
STATE_CHOICES = [*Enrolment.Status.choices, (STATE_OVERDUE, _("Overdue"))]


class LearnerSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    org_unit = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("Code of the person's organisation unit."),
    )
    position = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("Code of the person's position."),
    )

    class Meta:
        model = User
        fields = ["id", "employee_number", "display_name", "org_unit", "position"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    """The course as learning knows it: its page in the default locale."""

    title = serializers.CharField(read_only=True, help_text=_("Title in the default locale."))

    class Meta:
        model = CoursePage
        fields = ["id", "code", "title"]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    learner = LearnerSerializer(read_only=True)
    course = CourseSerializer(read_only=True)
    state = serializers.ChoiceField(
        choices=STATE_CHOICES,
        read_only=True,
        help_text=_('The status, or "overdue" for an open enrolment past its due date.'),
    )
    percent = serializers.IntegerField(
        read_only=True, min_value=0, max_value=100, help_text=_("Progress in per cent.")
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "learner",
            "course",
            "status",
            "state",
            "source",
            "due_date",
            "enrolled_at",
            "started_at",
            "completed_at",
            "lessons_completed",
            "lessons_total",
            "percent",
            "registration",
        ]
        read_only_fields = fields


class LessonProgressSerializer(serializers.ModelSerializer):
    """One lesson the learner opened. Expects `lesson_title` annotated on the row."""

    lesson = serializers.IntegerField(source="lesson_id", read_only=True)
    title = serializers.CharField(source="lesson_title", read_only=True)

    class Meta:
        model = LessonProgress
        fields = ["lesson", "title", "opened_at", "completed_at"]
        read_only_fields = fields


class EnrolmentDetailSerializer(EnrolmentSerializer):
    lessons = LessonProgressSerializer(
        many=True,
        read_only=True,
        help_text=_("The lessons the learner has opened, in reading order."),
    )

    class Meta(EnrolmentSerializer.Meta):
        fields = [*EnrolmentSerializer.Meta.fields, "lessons"]
        read_only_fields = fields


class EnrolmentFilterSerializer(serializers.Serializer):
    """The list's query parameters. Invalid values are refused (400), each under its own name."""

    course = serializers.CharField(
        required=False, max_length=20, help_text=_("Course code, e.g. CM-101.")
    )
    status = serializers.ChoiceField(
        choices=STATE_CHOICES,
        required=False,
        help_text=_(
            'Matches the "state" field: "overdue" selects open enrolments past their due date, '
            'and those are not returned for "enrolled" or "in_progress".'
        ),
    )
    unit = serializers.CharField(
        required=False,
        max_length=40,
        help_text=_(
            "Organisation unit code: people in that unit and every unit below it. The unit must "
            "lie inside your scope; any other code is refused (400)."
        ),
    )
    employee = serializers.CharField(
        required=False, max_length=40, help_text=_("Employee number of the learner.")
    )
    completed_since = serializers.DateField(
        required=False,
        help_text=_("Completed on or after this date (ISO 8601, e.g. 2025-01-31)."),
    )
    completed_until = serializers.DateField(
        required=False,
        help_text=_("Completed on or before this date (ISO 8601, e.g. 2025-12-31)."),
    )

    def validate_unit(self, code: str) -> OrgUnit:
        """The unit itself, if it exists and the caller may see it. An unknown code and one
        outside the caller's scope get the same answer: the API does not tell which units
        exist beyond what the caller may see."""
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or not unit_in_scope(self.context["request"].user, unit):
            raise serializers.ValidationError(
                _("No organisation unit with this code in your scope.")
            )
        return unit

    def validate(self, attrs):
        since, until = attrs.get("completed_since"), attrs.get("completed_until")
        if since and until and since > until:
            raise serializers.ValidationError(
                {"completed_until": _("This date is before completed_since.")}
            )
        return attrs
