"""Data-quality flags on indicator values: missing periods, outliers, small counts."""

import datetime as dt

import pytest

from evaluation import quality
from evaluation.models import Indicator
from tests.evaluation.conftest import IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 1)
MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]


def fill(indicator, unit, values: dict[dt.date, float], denominators=None):
    denominators = denominators or {}
    for period, value in values.items():
        IndicatorValueFactory(
            indicator=indicator,
            org_unit=unit,
            period=period,
            value=value,
            denominator=denominators.get(period, 100),
        )


@pytest.fixture
def centres(org):
    return org["centres"][:2]


def by_code(result):
    return {q.unit.code: q for q in result}


def test_a_complete_clean_series_is_not_flagged(monthly, centres):
    a, b = centres
    fill(monthly, a, {p: 70 + (k % 3) for k, p in enumerate(MONTHS)})
    fill(monthly, b, {p: 60 + (k % 4) for k, p in enumerate(MONTHS)})
    result = quality.assess(monthly, centres, START, END)
    assert [q.unit for q in result] == centres
    for q in result:
        assert q.values == 12
        assert not q.flagged
        assert (q.missing, q.outliers, q.small) == ([], [], [])


def test_missing_periods_are_listed(monthly, centres):
    a, b = centres
    fill(monthly, a, {p: 70 for p in MONTHS if p.month not in (3, 8)})
    result = by_code(quality.assess(monthly, centres, START, END))
    assert result[a.code].missing == [dt.date(2025, 3, 1), dt.date(2025, 8, 1)]
    assert result[a.code].values == 10 and result[a.code].flagged
    assert result[b.code].missing == MONTHS  # nothing at all


def test_values_outside_the_range_are_not_counted(monthly, centres):
    a = centres[0]
    fill(monthly, a, {p: 70 + (k % 3) for k, p in enumerate(MONTHS)})
    fill(monthly, a, {dt.date(2024, 12, 1): 5, dt.date(2026, 1, 1): 5})
    assert quality.assess(monthly, [a], START, END)[0].values == 12


def test_an_outlier_is_flagged(monthly, centres):
    a = centres[0]
    series = {p: 70 + (k % 5) for k, p in enumerate(MONTHS)}
    series[dt.date(2025, 6, 1)] = 20
    fill(monthly, a, series)
    q = quality.assess(monthly, [a], START, END)[0]
    assert q.outliers == [(dt.date(2025, 6, 1), 20)]
    assert q.flagged and q.missing == []


def test_small_counts_are_listed(monthly, centres):
    a = centres[0]
    assert monthly.suppression_threshold == 10
    fill(
        monthly,
        a,
        {p: 70 + (k % 3) for k, p in enumerate(MONTHS)},
        denominators={dt.date(2025, 2, 1): 9, dt.date(2025, 4, 1): 10, dt.date(2025, 9, 1): 3},
    )
    q = quality.assess(monthly, [a], START, END)[0]
    assert q.small == [dt.date(2025, 2, 1), dt.date(2025, 9, 1)]  # 10 is not below 10
    assert q.flagged


def test_quarterly_indicators_are_checked_per_quarter(quarterly, centres):
    a = centres[0]
    fill(quarterly, a, {dt.date(2025, 1, 1): 100, dt.date(2025, 7, 1): 110})
    q = quality.assess(quarterly, [a], dt.date(2025, 2, 1), END)[0]
    assert q.missing == [dt.date(2025, 4, 1), dt.date(2025, 10, 1)]
    assert q.values == 2


def test_short_series_are_not_tested_for_outliers(monthly, centres):
    a = centres[0]
    fill(monthly, a, {MONTHS[0]: 70, MONTHS[1]: 71, MONTHS[2]: 72, MONTHS[3]: 10, MONTHS[4]: 70})
    assert quality.assess(monthly, [a], START, END)[0].outliers == []


def test_an_outlier_in_an_otherwise_flat_series_is_flagged(centres):
    """A centre at 100 % every month but one month at 20 %: the most obvious outlier there is.
    More than half the values equal the median, so the MAD is 0 and the robust z-score is
    undefined; the check must still flag the value (e.g. fall back to the mean absolute
    deviation, or flag any value off a zero-MAD median)."""
    indicator = IndicatorFactory(code="FLAT", unit=Indicator.Unit.PERCENT)
    a = centres[0]
    series = dict.fromkeys(MONTHS, 100.0)
    series[dt.date(2025, 6, 1)] = 20.0
    fill(indicator, a, series)
    assert quality.assess(indicator, [a], START, END)[0].outliers == [(dt.date(2025, 6, 1), 20.0)]
