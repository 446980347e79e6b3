"""Data-quality flags on indicator values: missing periods, outliers and small counts."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from lms.people.models import OrgUnit

from .models import Indicator, IndicatorValue
from .panel import period_starts

#: A value further than this many robust standard deviations from its unit's median is flagged.
OUTLIER_Z = 4.0


@dataclass
class UnitQuality:
    unit: OrgUnit
    values: int = 0
    missing: list[dt.date] = field(default_factory=list)
    outliers: list[tuple[dt.date, float]] = field(default_factory=list)
    small: list[dt.date] = field(default_factory=list)
    latest: IndicatorValue | None = None  # the value of the last period, if any
    latest_suppressed: bool = False  # counted over fewer cases than the threshold

    @property
    def flagged(self) -> bool:
        return bool(self.missing or self.outliers or self.small)


def assess(
    indicator: Indicator, units: list[OrgUnit], start: dt.date, end: dt.date
) -> list[UnitQuality]:
    """One entry per unit: which periods lack a value, which values are outliers (robust
    z-score against the unit's own series, median and MAD) and which rest on fewer cases than
    the suppression threshold."""
    periods = period_starts(start, end, indicator.frequency)
    series: dict[int, dict[dt.date, IndicatorValue]] = defaultdict(dict)
    for v in IndicatorValue.objects.filter(
        indicator=indicator, org_unit__in=units, period__gte=periods[0], period__lte=periods[-1]
    ).only("org_unit_id", "period", "value", "denominator"):
        series[v.org_unit_id][v.period] = v
    out = []
    for unit in units:
        have = series.get(unit.pk, {})
        q = UnitQuality(unit=unit, values=len(have))
        q.missing = [p for p in periods if p not in have]
        q.latest = have.get(periods[-1])
        q.latest_suppressed = bool(
            q.latest is not None
            and q.latest.denominator is not None
            and q.latest.denominator < indicator.suppression_threshold
        )
        q.small = [
            p
            for p, v in sorted(have.items())
            if v.denominator is not None and v.denominator < indicator.suppression_threshold
        ]
        values = [v.value for v in have.values()]
        if len(values) >= 6:
            median = statistics.median(values)
            deviations = [abs(x - median) for x in values]
            mad = statistics.median(deviations) * 1.4826
            if mad == 0:
                # More than half the values are equal: the mean absolute deviation (scaled to
                # a standard deviation for normal data) still measures the spread.
                mad = statistics.fmean(deviations) * 1.2533
            if mad > 0:
                q.outliers = [
                    (p, v.value)
                    for p, v in sorted(have.items())
                    if abs(v.value - median) / mad > OUTLIER_Z
                ]
        out.append(q)
    return out
