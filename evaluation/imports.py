"""Indicator values in long format, from a file (CSV or XLSX) or the feed API.

Columns: ``indicator_code``, ``org_unit_code``, ``period`` (``2025-03``, ``2025-03-01`` or
``2025-Q1``), ``value``, ``numerator``, ``denominator``, ``source``. Every row is checked before
anything is written; one bad row rejects the whole batch and every bad row is reported with its
line and reason. A good batch is written in one transaction (a value already held for the same
indicator, unit and period is replaced).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import tables
from lms.people.models import OrgUnit

from .models import Indicator, IndicatorValue

COLUMNS = (
    "indicator_code",
    "org_unit_code",
    "period",
    "value",
    "numerator",
    "denominator",
    "source",
)
REQUIRED_COLUMNS = ("indicator_code", "org_unit_code", "period", "value")
ALLOWED_EXTENSIONS = tables.ALLOWED_EXTENSIONS
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
#: A share must match numerator / denominator to within this many percentage points.
PERCENT_TOLERANCE = 0.5


#: The file as a whole cannot be read.
ImportFileError = tables.TableFileError


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class CleanRow:
    indicator: Indicator
    org_unit: OrgUnit
    period: dt.date
    value: float
    numerator: float | None
    denominator: float | None
    source: str


def _cell(value: object) -> Any:
    return value.strip() if isinstance(value, str) else value


def read_table(fileobj: IO[bytes], filename: str) -> list[tuple[int, dict[str, Any]]]:
    """Rows as (line in the file, {column: value}); the header is line 1."""
    rows = tables.read(fileobj, filename, REQUIRED_COLUMNS, COLUMNS)
    return [(line, {c: _cell(v) for c, v in record.items()}) for line, record in rows]


def parse_period(raw: Any, frequency: str) -> dt.date:
    """The first day of the month or quarter ``raw`` names; ValueError with a reason if not."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        day = raw.replace(day=1)
    else:
        text = str(raw or "").strip()
        q = QUARTER_RE.match(text)
        m = MONTH_RE.match(text)
        if q:
            if frequency != Indicator.Frequency.QUARTER:
                raise ValueError(
                    _("This indicator is monthly: the period must be a month such as 2025-03.")
                )
            day = dt.date(int(q.group(1)), (int(q.group(2)) - 1) * 3 + 1, 1)
        elif m:
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(_("“%(period)s” is not a month.") % {"period": text})
            day = dt.date(int(m.group(1)), month, 1)
        else:
            raise ValueError(
                _("“%(period)s” is not a period: write 2025-03 or 2025-Q1.") % {"period": text}
            )
    if frequency == Indicator.Frequency.QUARTER and day.month not in (1, 4, 7, 10):
        raise ValueError(
            _("This indicator is quarterly: the period must be a quarter such as 2025-Q1.")
        )
    return day


def _number(raw: Any, column: str, required: bool) -> float | None:
    if raw is None or (isinstance(raw, str) and raw == ""):
        if required:
            raise ValueError(_("%(column)s is empty.") % {"column": column})
        return None
    if isinstance(raw, bool):
        raise ValueError(_("%(column)s is not a number.") % {"column": column})
    try:
        value = float(str(raw).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise ValueError(
            _("%(column)s “%(value)s” is not a number.") % {"column": column, "value": raw}
        ) from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(_("%(column)s is not a number.") % {"column": column})
    return value


def validate(
    records: list[tuple[int, dict[str, Any]]],
    scope: OrgUnit | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[CleanRow], list[RowError]]:
    """Check every row; ``scope`` limits the org units (None: the whole agency)."""
    indicators = {i.code.upper(): i for i in Indicator.objects.filter(active=True)}
    codes = {str(r.get("org_unit_code") or "").strip() for _line, r in records}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    this_month = timezone.localdate().replace(day=1)
    clean: list[CleanRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int, dt.date], int] = {}
    for n, (line, r) in enumerate(records, start=1):
        problems: list[str] = []
        code = str(r.get("indicator_code") or "").strip().upper()
        indicator = indicators.get(code)
        if indicator is None:
            problems.append(
                _("Unknown indicator “%(code)s”.") % {"code": code}
                if code
                else _("indicator_code is empty.")
            )
        unit_code = str(r.get("org_unit_code") or "").strip()
        unit = units.get(unit_code)
        if unit is None:
            problems.append(
                _("Unknown organisation unit “%(code)s”.") % {"code": unit_code}
                if unit_code
                else _("org_unit_code is empty.")
            )
        elif scope is not None and not unit.path.startswith(scope.path):
            problems.append(
                _("%(code)s is outside your part of the organisation.") % {"code": unit_code}
            )
        period = None
        try:
            period = parse_period(
                r.get("period"), indicator.frequency if indicator else Indicator.Frequency.MONTH
            )
            if period > this_month:
                problems.append(_("The period is in the future."))
        except ValueError as exc:
            problems.append(str(exc))
        value = numerator = denominator = None
        for column, required in (("value", True), ("numerator", False), ("denominator", False)):
            try:
                parsed = _number(r.get(column), column, required)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if column == "value":
                value = parsed
            elif column == "numerator":
                numerator = parsed
            else:
                denominator = parsed
        if numerator is not None and numerator < 0:
            problems.append(_("numerator is negative."))
        if denominator is not None and denominator < 0:
            problems.append(_("denominator is negative."))
        if (numerator is None) != (denominator is None):
            problems.append(_("Give both numerator and denominator, or neither."))
        if indicator is not None and value is not None:
            if indicator.unit == Indicator.Unit.PERCENT:
                if not 0 <= value <= 100:
                    problems.append(_("A percentage must lie between 0 and 100."))
                if numerator is not None and denominator is not None:
                    if numerator > denominator:
                        problems.append(_("numerator is larger than denominator."))
                    elif denominator and abs(100 * numerator / denominator - value) > (
                        PERCENT_TOLERANCE
                    ):
                        problems.append(
                            _("value %(value)s does not match numerator / denominator (%(share)s).")
                            % {"value": value, "share": f"{100 * numerator / denominator:.1f}"}
                        )
            elif value < 0 and indicator.unit in (Indicator.Unit.COUNT, Indicator.Unit.DAYS):
                problems.append(_("value is negative."))
        if indicator is not None and unit is not None and period is not None:
            key = (indicator.pk, unit.pk, period)
            if key in seen:
                problems.append(
                    _("Same indicator, unit and period as line %(line)s.") % {"line": seen[key]}
                )
            else:
                seen[key] = line
        if problems:
            errors.extend(RowError(line, p) for p in problems)
        else:
            clean.append(
                CleanRow(
                    indicator=indicator,
                    org_unit=unit,
                    period=period,
                    value=value,
                    numerator=numerator,
                    denominator=denominator,
                    source=str(r.get("source") or "").strip()[:80],
                )
            )
        if progress is not None and n % 500 == 0:
            progress(n)
    if progress is not None:
        progress(len(records))
    return clean, errors


@transaction.atomic
def apply(rows: list[CleanRow], default_source: str = "") -> tuple[int, int]:
    """Write the rows (insert or replace); returns (created, updated)."""
    existing = set()
    by_indicator: dict[int, list[CleanRow]] = {}
    for row in rows:
        by_indicator.setdefault(row.indicator.pk, []).append(row)
    for indicator_id, group in by_indicator.items():
        existing.update(
            IndicatorValue.objects.filter(
                indicator_id=indicator_id,
                org_unit_id__in={r.org_unit.pk for r in group},
                period__in={r.period for r in group},
            ).values_list("indicator_id", "org_unit_id", "period")
        )
    now = timezone.now()
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                indicator=r.indicator,
                org_unit=r.org_unit,
                period=r.period,
                value=r.value,
                numerator=r.numerator,
                denominator=r.denominator,
                source=r.source or default_source,
                updated_at=now,
            )
            for r in rows
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["indicator", "org_unit", "period"],
        update_fields=["value", "numerator", "denominator", "source", "updated_at"],
    )
    updated = sum(1 for r in rows if (r.indicator.pk, r.org_unit.pk, r.period) in existing)
    return len(rows) - updated, updated
