"""The read API (/api/v1/): enrolments and lesson progress, scoped like every page.

Every queryset starts from `people_q(request.user, "learner__")`: a superuser sees every
enrolment, a viewer with a scope those of the people in that org-unit subtree, anyone else only
their own. An enrolment outside the caller's scope does not exist for them (404).

The list is one query for the page and one for the count, however many rows the page holds
(the learner, their unit and position, and the course are joined); the detail adds one query
for its lessons."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from lms.people.scoping import people_q

from .models import Enrolment, LessonProgress
from .serializers import (
    STATE_OVERDUE,
    EnrolmentDetailSerializer,
    EnrolmentFilterSerializer,
    EnrolmentSerializer,
)

#: Paths of Malaka's own API; the schema documents these and nothing else.
API_PATH_PREFIX = "/api/v1/"


def only_malaka_endpoints(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: keep Malaka's /api/v1/ endpoints, drop every other
    DRF view the URLconf happens to reach (Wagtail's admin API, wagtail-localize, …).
    `SCHEMA_PATH_PREFIX` only shortens operation ids and tags; it selects nothing."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PATH_PREFIX)]


_BAD_FILTER = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_(
        "A query parameter has an invalid value: the body maps each such parameter to its "
        'messages, e.g. {"status": ["\\"late\\" is not a valid choice."]}.'
    ),
)
_NOT_AUTHENTICATED = OpenApiResponse(description=_("Not signed in."))
_NOT_FOUND = OpenApiResponse(description=_("No such enrolment in your scope."))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_enrolments(queryset: QuerySet, filters: dict, today: dt.date) -> QuerySet:
    """Apply the validated query parameters (`EnrolmentFilterSerializer`)."""
    if "course" in filters:
        queryset = queryset.filter(course__code=filters["course"])
    if "employee" in filters:
        queryset = queryset.filter(learner__employee_number=filters["employee"])
    if "unit" in filters:
        queryset = queryset.filter(learner__org_unit__path__startswith=filters["unit"].path)
    state = filters.get("status")
    if state == STATE_OVERDUE:
        queryset = queryset.overdue(today)
    elif state in {Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS}:
        # What the `state` field shows: an open enrolment past its date is "overdue" instead.
        queryset = queryset.filter(status=state).filter(
            Q(due_date__isnull=True) | Q(due_date__gte=today)
        )
    elif state:
        queryset = queryset.filter(status=state)
    # Dates are days in the platform's time zone, both ends included.
    if "completed_since" in filters:
        queryset = queryset.filter(completed_at__gte=_start_of(filters["completed_since"]))
    if "completed_until" in filters:
        next_day = filters["completed_until"] + dt.timedelta(days=1)
        queryset = queryset.filter(completed_at__lt=_start_of(next_day))
    return queryset


@extend_schema_view(
    list=extend_schema(
        summary=_("Enrolments"),
        description=_(
            "The enrolments of the people you may see: everyone for a superuser, your scope's "
            "org-unit subtree for HR, otherwise your own. Ordered by id; paginated with "
            "limit and offset."
        ),
        parameters=[EnrolmentFilterSerializer],
        responses={
            200: EnrolmentSerializer(many=True),
            400: _BAD_FILTER,
            403: _NOT_AUTHENTICATED,
        },
    ),
    retrieve=extend_schema(
        summary=_("One enrolment, with its lessons"),
        responses={200: EnrolmentDetailSerializer, 403: _NOT_AUTHENTICATED, 404: _NOT_FOUND},
    ),
)
class EnrolmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Enrolment.objects.all()
    serializer_class = EnrolmentSerializer

    def get_serializer_class(self):
        if self.action == "retrieve":
            return EnrolmentDetailSerializer
        return EnrolmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real caller
            return Enrolment.objects.none()
        queryset = (
            Enrolment.objects.filter(people_q(self.request.user, "learner__"))
            .select_related("learner__org_unit", "learner__position", "course")
            .order_by("pk")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "lessons",
                    # The title alone: a lesson's body is no business of this answer.
                    queryset=LessonProgress.objects.annotate(
                        lesson_title=F("lesson__title")
                    ).order_by("lesson__path", "pk"),
                )
            )
        return queryset

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = EnrolmentFilterSerializer(
            data=self.request.query_params, context=self.get_serializer_context()
        )
        params.is_valid(raise_exception=True)
        return filter_enrolments(queryset, params.validated_data, timezone.localdate())
