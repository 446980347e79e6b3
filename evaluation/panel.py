"""From the platform's data to an estimation panel.

The training-exposure panel: per service centre × period, the staff count (today's roster: the
platform keeps no history of who worked where, so a centre's staff are those on the roster
now), how many of them have completed the chosen course(s) by the end of the period, the share,
and the adoption period — the first period whose share reaches the study's threshold.

The outcome panel: the indicator's values for the same centres and periods. Centres missing a
period are left out of the estimation (the estimators need a balanced panel) and named in the
data-quality notes, as are centres that had adopted before the first period (no pre-period to
compare) and values counted over fewer cases than the indicator's suppression threshold.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from lms.learning.models import Enrolment
from lms.people.models import OrgUnit, User

from .models import EvaluationStudy, Indicator, IndicatorValue


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_starts(start: dt.date, end: dt.date, frequency: str) -> list[dt.date]:
    """The first days of the months (or quarters) from ``start`` to ``end`` inclusive."""
    step = 3 if frequency == Indicator.Frequency.QUARTER else 1
    day = start.replace(day=1)
    if step == 3:
        day = day.replace(month=(day.month - 1) // 3 * 3 + 1)
    out = []
    while day <= end:
        out.append(day)
        day = add_months(day, step)
    return out


@dataclass
class ExposureRow:
    unit: OrgUnit
    staff: int
    trained: list[int]  # per period
    adoption: int  # index (1-based) of the first period at or over the threshold; 0 = never

    def share(self, k: int) -> float:
        return self.trained[k] / self.staff if self.staff else 0.0


def centres_under(root: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            path__startswith=root.path, kind=OrgUnit.Kind.CENTRE, active=True
        ).order_by("code")
    )


def exposure(
    units: list[OrgUnit],
    course_keys: list[str],
    periods: list[dt.date],
    threshold: float,
    frequency: str = Indicator.Frequency.MONTH,
) -> list[ExposureRow]:
    """Staff and trained staff per unit and period. A person counts as trained from the month
    they completed the last of the chosen courses (all of them are required)."""
    step = 3 if frequency == Indicator.Frequency.QUARTER else 1
    ends = [
        timezone.make_aware(dt.datetime.combine(add_months(p, step), dt.time.min)) for p in periods
    ]
    unit_of: dict[str, OrgUnit] = {u.path: u for u in units}
    depths = sorted({u.depth for u in units})
    staff_of: dict[int, int] = defaultdict(int)
    person_unit: dict[int, int] = {}
    # Everyone under the units' common ancestor, then each person to the centre above them.
    common = os.path.commonprefix([u.path for u in units]) if units else ""
    common = common[: len(common) // OrgUnit.steplen * OrgUnit.steplen]
    people = User.objects.filter(
        is_active=True, org_unit__isnull=False, org_unit__path__startswith=common
    )
    for pk, path in people.values_list("pk", "org_unit__path"):
        unit = next(
            (
                unit_of[path[: d * OrgUnit.steplen]]
                for d in depths
                if path[: d * OrgUnit.steplen] in unit_of
            ),
            None,
        )
        if unit is not None:
            staff_of[unit.pk] += 1
            person_unit[pk] = unit.pk
    done: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    rows = (
        Enrolment.objects.filter(
            status=Enrolment.Status.COMPLETED,
            completed_at__isnull=False,
            course__translation_key__in=course_keys,
            learner_id__in=list(person_unit),
        )
        .values_list("learner_id", "course__translation_key", "completed_at")
        .iterator(chunk_size=5000)
    )
    for learner, key, when in rows:
        key = str(key)
        if key not in done[learner] or when < done[learner][key]:
            done[learner][key] = when
    trained_at: dict[int, list[dt.datetime]] = defaultdict(list)
    for learner, courses in done.items():
        if len(courses) == len(set(course_keys)):
            trained_at[person_unit[learner]].append(max(courses.values()))
    out = []
    for unit in units:
        times = sorted(trained_at.get(unit.pk, []))
        counts, i = [], 0
        for end in ends:
            while i < len(times) and times[i] < end:
                i += 1
            counts.append(i)
        staff = staff_of.get(unit.pk, 0)
        adoption = 0
        for k, n in enumerate(counts):
            if staff and n / staff >= threshold:
                adoption = k + 1
                break
        out.append(ExposureRow(unit=unit, staff=staff, trained=counts, adoption=adoption))
    return out


@dataclass
class StudyData:
    """The estimation panel with the notes that explain what was left out and why."""

    rows: list[dict[str, Any]]
    periods: list[dt.date]
    units: list[dict[str, Any]]  # per centre: code, name, staff, adoption period, included
    notes: list[dict[str, Any]] = field(default_factory=list)

    def frame(self):
        import pandas as pd

        return pd.DataFrame(
            self.rows, columns=["unit", "period", "outcome", "first_treated", "share_trained"]
        )


def study_data(study: EvaluationStudy) -> StudyData:
    indicator = study.indicator
    periods = period_starts(study.period_start, study.period_end, indicator.frequency)
    units = centres_under(study.units_root)
    expo = exposure(
        units, list(study.course_keys), periods, study.adoption_threshold, indicator.frequency
    )
    index = {p: k for k, p in enumerate(periods)}
    values: dict[int, dict[int, IndicatorValue]] = defaultdict(dict)
    for v in IndicatorValue.objects.filter(
        indicator=indicator, org_unit__in=units, period__in=periods
    ).only("org_unit_id", "period", "value", "denominator"):
        values[v.org_unit_id][index[v.period]] = v
    rows: list[dict[str, Any]] = []
    unit_rows: list[dict[str, Any]] = []
    missing, already, no_staff, small = [], [], [], 0
    for e in expo:
        have = values.get(e.unit.pk, {})
        reason = ""
        if e.staff == 0:
            reason = "no_staff"
            no_staff.append(e.unit.code)
        elif len(have) < len(periods):
            reason = "missing"
            missing.append({"unit": e.unit.code, "missing": len(periods) - len(have)})
        elif e.adoption == 1:
            reason = "already"
            already.append(e.unit.code)
        unit_rows.append(
            {
                "code": e.unit.code,
                "name": e.unit.local_name,
                "staff": e.staff,
                "trained": e.trained[-1] if e.trained else 0,
                "adoption": periods[e.adoption - 1].isoformat() if e.adoption else None,
                "excluded": reason,
            }
        )
        if reason:
            continue
        for k in range(len(periods)):
            v = have[k]
            if v.denominator is not None and v.denominator < indicator.suppression_threshold:
                small += 1
            rows.append(
                {
                    "unit": e.unit.code,
                    "period": k + 1,
                    "outcome": v.value,
                    "first_treated": e.adoption,
                    "share_trained": e.share(k),
                    "staff": e.staff,
                    "trained": e.trained[k],
                }
            )
    notes: list[dict[str, Any]] = []
    if missing:
        notes.append({"kind": "missing", "units": missing})
    if already:
        notes.append({"kind": "already", "units": already})
    if no_staff:
        notes.append({"kind": "no_staff", "units": no_staff})
    if small:
        notes.append(
            {"kind": "small", "cells": small, "threshold": indicator.suppression_threshold}
        )
    return StudyData(rows=rows, periods=periods, units=unit_rows, notes=notes)
