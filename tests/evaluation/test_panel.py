"""From the platform's data to the estimation panel: staff trained per centre and month, the
adoption month, and the outcome values, with what is left out and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluation import panel
from evaluation.models import Indicator
from lms.learning.models import Enrolment
from lms.people.models import OrgUnit
from tests import factories as f
from tests.evaluation.conftest import EvaluationStudyFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2025, m, 1) for m in range(1, 7)]


def at(year: int, month: int, day: int = 15, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def staff(centre: OrgUnit, n: int, prefix: str) -> list:
    return [f.UserFactory(username=f"{prefix}-{k}", org_unit=centre) for k in range(n)]


def complete(person, course, when: dt.datetime, status=Enrolment.Status.COMPLETED):
    return Enrolment.objects.create(
        learner=person,
        course=course,
        status=status,
        source=Enrolment.Source.SELF,
        completed_at=when if status == Enrolment.Status.COMPLETED else None,
    )


@pytest.fixture
def courses():
    programme = f.curriculum_programme()
    intro = f.course_with_lessons(programme, "CM-101", "Qabul", modules=1, lessons=1).course
    advanced = f.course_with_lessons(programme, "CM-201", "Murakkab", modules=1, lessons=1).course
    return intro, advanced


def key(course) -> str:
    return str(course.translation_key)


@pytest.fixture
def centres(org):
    return org["centres"]  # R0-D0-INSON, R0-D1-INSON, R1-D0-INSON, R1-D1-INSON


# -- exposure -------------------------------------------------------------------------------------


def test_exposure_counts_staff_trained_staff_per_month_and_the_adoption_month(centres, courses):
    intro, advanced = courses
    a, b = centres[0], centres[1]
    people = staff(a, 4, "a")
    staff(b, 2, "b")
    complete(people[0], intro, at(2025, 2, 3))
    complete(people[1], intro, at(2025, 3, 31, 23, 59))  # the last minute of March
    complete(people[2], intro, at(2025, 4, 1, 0, 0))  # the first minute of April
    complete(people[3], advanced, at(2025, 1, 10))  # another course
    rows = panel.exposure([a, b], [key(intro)], MONTHS, threshold=0.5)
    assert [r.unit for r in rows] == [a, b]
    assert [r.staff for r in rows] == [4, 2]
    assert rows[0].trained == [0, 1, 2, 3, 3, 3]
    assert rows[0].adoption == 3  # March: 2 of 4 reach the threshold of one half
    assert rows[0].share(2) == 0.5
    assert rows[1].trained == [0] * 6
    assert rows[1].adoption == 0  # never


def test_only_completed_enrolments_of_active_staff_count(centres, courses):
    intro, _advanced = courses
    a = centres[0]
    people = staff(a, 3, "a")
    leaver = f.UserFactory(username="leaver", org_unit=a, is_active=False)
    complete(people[0], intro, at(2025, 1, 5))
    complete(people[1], intro, at(2025, 1, 5), status=Enrolment.Status.IN_PROGRESS)
    complete(people[2], intro, at(2025, 1, 5), status=Enrolment.Status.WITHDRAWN)
    complete(leaver, intro, at(2025, 1, 5))
    (row,) = panel.exposure([a], [key(intro)], MONTHS, threshold=0.5)
    assert row.staff == 3
    assert row.trained == [1] * 6
    assert row.adoption == 0  # one in three never reaches one half


def test_staff_of_a_department_below_a_centre_count_for_the_centre(centres, courses):
    intro, _advanced = courses
    a = centres[0]
    department = f.OrgUnitFactory(code="R0-D0-INSON-1", kind=OrgUnit.Kind.DEPARTMENT, parent=a)
    people = staff(a, 1, "a") + staff(department, 1, "dep")
    complete(people[1], intro, at(2025, 5, 2))
    (row,) = panel.exposure([a], [key(intro)], MONTHS, threshold=0.5)
    assert row.staff == 2
    assert row.trained == [0, 0, 0, 0, 1, 1]
    assert row.adoption == 5


def test_with_two_courses_a_person_counts_once_both_are_completed(centres, courses):
    intro, advanced = courses
    a = centres[0]
    x, y, z, w = staff(a, 4, "a")
    complete(x, intro, at(2025, 2, 1))
    complete(x, advanced, at(2025, 4, 20))  # trained from April, the later date
    complete(y, intro, at(2025, 1, 20))  # only one course: never trained
    complete(z, advanced, at(2025, 1, 3))
    complete(z, intro, at(2025, 3, 9))  # trained from March
    complete(w, advanced, at(2025, 6, 30))
    (row,) = panel.exposure([a], [key(intro), key(advanced)], MONTHS, threshold=0.5)
    assert row.trained == [0, 0, 1, 2, 2, 2]
    assert row.adoption == 4
    # With the first course only, y and x are trained earlier.
    (one,) = panel.exposure([a], [key(intro)], MONTHS, threshold=0.5)
    assert one.trained == [1, 2, 3, 3, 3, 3]
    assert one.adoption == 2


def test_a_higher_threshold_moves_adoption_later(centres, courses):
    intro, _advanced = courses
    a = centres[0]
    people = staff(a, 4, "a")
    for person, month in zip(people, (1, 2, 3, 5), strict=True):
        complete(person, intro, at(2025, month))
    shares = {
        t: panel.exposure([a], [key(intro)], MONTHS, threshold=t)[0].adoption
        for t in (0.25, 0.5, 0.75, 1.0)
    }
    assert shares == {0.25: 1, 0.5: 2, 0.75: 3, 1.0: 5}


def test_quarterly_exposure_counts_to_the_end_of_each_quarter(centres, courses):
    intro, _advanced = courses
    a = centres[0]
    people = staff(a, 2, "a")
    complete(people[0], intro, at(2025, 3, 31, 23, 0))
    complete(people[1], intro, at(2025, 8, 2))
    quarters = panel.period_starts(dt.date(2025, 1, 1), dt.date(2025, 12, 1), "quarter")
    assert quarters == [dt.date(2025, m, 1) for m in (1, 4, 7, 10)]
    (row,) = panel.exposure(
        [a], [key(intro)], quarters, threshold=1.0, frequency=Indicator.Frequency.QUARTER
    )
    assert row.trained == [1, 1, 2, 2]
    assert row.adoption == 3


def test_centres_at_different_depths_each_get_their_staff(org, centres, courses):
    """A centre may hang directly under a region (a city centre) while the others sit under
    districts; each must still be credited with its own staff."""
    intro, _advanced = courses
    city = f.OrgUnitFactory(code="R0-CITY", kind=OrgUnit.Kind.CENTRE, parent=org["regions"][0])
    district_centre = centres[0]
    city_people = staff(city, 2, "city")
    staff(district_centre, 2, "district")
    complete(city_people[0], intro, at(2025, 2, 1))
    # Adding R0-CITY renumbers its siblings' paths (the tree orders children by code): read
    # the units again, as a study does.
    units = list(OrgUnit.objects.filter(pk__in=[city.pk, district_centre.pk]).order_by("code"))
    rows = {r.unit.code: r for r in panel.exposure(units, [key(intro)], MONTHS, threshold=0.5)}
    assert rows["R0-CITY"].staff == 2
    assert rows["R0-D0-INSON"].staff == 2


# -- the study's panel ----------------------------------------------------------------------------


@pytest.fixture
def study_setup(org, centres, courses, monthly):
    """Four centres and a fifth without staff:

    - A (R0-D0): 4 staff, adopts in March; one value over 5 cases (small);
    - B (R0-D1): 2 staff, never trained;
    - C (R1-D0): 2 staff, no value for April (missing);
    - D (R1-D1): 2 staff, both trained in January (already adopted in the first month);
    - E (R1-D1-EXTRA): no staff.
    """
    intro, _advanced = courses
    a, b, c, d = centres
    e = f.OrgUnitFactory(code="R1-D1-EXTRA", kind=OrgUnit.Kind.CENTRE, parent=org["districts"][3])
    people_a = staff(a, 4, "a")
    staff(b, 2, "b")
    staff(c, 2, "c")
    people_d = staff(d, 2, "d")
    complete(people_a[0], intro, at(2025, 2, 10))
    complete(people_a[1], intro, at(2025, 3, 10))
    for person in people_d:
        complete(person, intro, at(2025, 1, 20))
    for k, month in enumerate(MONTHS):
        for unit, base in ((a, 60), (b, 50), (c, 55), (d, 65), (e, 40)):
            if unit is c and month.month == 4:
                continue
            IndicatorValueFactory(
                indicator=monthly,
                org_unit=unit,
                period=month,
                value=base + k,
                numerator=None,
                denominator=5 if (unit is a and month.month == 2) else 100,
            )
    study = EvaluationStudyFactory(
        indicator=monthly,
        course_keys=[key(intro)],
        units_root=org["agency"],
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        adoption_threshold=0.5,
    )
    return study, {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_study_data_keeps_complete_centres_and_says_why_others_are_left_out(study_setup):
    study, units = study_setup
    data = panel.study_data(study)
    assert data.periods == MONTHS
    excluded = {u["code"]: u["excluded"] for u in data.units}
    assert excluded == {
        units["A"].code: "",
        units["B"].code: "",
        units["C"].code: "missing",
        units["D"].code: "already",
        units["E"].code: "no_staff",
    }
    notes = {n["kind"]: n for n in data.notes}
    assert notes["missing"]["units"] == [{"unit": units["C"].code, "missing": 1}]
    assert notes["already"]["units"] == [units["D"].code]
    assert notes["no_staff"]["units"] == [units["E"].code]
    assert notes["small"] == {"kind": "small", "cells": 1, "threshold": 10}


def test_study_data_rows_are_the_balanced_panel_of_the_included_centres(study_setup):
    study, units = study_setup
    data = panel.study_data(study)
    frame = data.frame()
    assert list(frame.columns) == ["unit", "period", "outcome", "first_treated", "share_trained"]
    assert set(frame["unit"]) == {units["A"].code, units["B"].code}
    a = frame[frame["unit"] == units["A"].code].sort_values("period")
    assert a["period"].tolist() == [1, 2, 3, 4, 5, 6]
    assert a["outcome"].tolist() == [60, 61, 62, 63, 64, 65]
    assert set(a["first_treated"]) == {3}
    assert a["share_trained"].tolist() == [0, 0.25, 0.5, 0.5, 0.5, 0.5]
    b = frame[frame["unit"] == units["B"].code]
    assert set(b["first_treated"]) == {0} and set(b["share_trained"]) == {0}
    unit_a = next(u for u in data.units if u["code"] == units["A"].code)
    assert unit_a["staff"] == 4 and unit_a["trained"] == 2
    assert unit_a["adoption"] == "2025-03-01"
    unit_b = next(u for u in data.units if u["code"] == units["B"].code)
    assert unit_b["adoption"] is None


def test_study_data_covers_only_active_centres_below_the_root(study_setup, org):
    study, units = study_setup
    OrgUnit.objects.filter(pk=units["B"].pk).update(active=False)
    study.units_root = org["regions"][0]
    data = panel.study_data(study)
    assert [u["code"] for u in data.units] == [units["A"].code]
