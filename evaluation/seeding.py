"""The evaluation toolkit's seed: the indicator catalogue (``seed/indicators.yaml``) and, for the
demo organisation, a complete study out of the box.

The demo data follow the ground truth of ``simulation.py`` on the demo organisation's own
service centres: the pilot districts' centres train first (month 7 of 36), the others in later
waves, a tenth never. Each centre's demo staff complete CM-102 month by month as
``TRAINED_BY_MONTH`` says (real, completed enrolments), and the centres' "plans within 10
working days" (PLAN-10D) and "assessments started within 7 working days" (ASSESS-7D) are
drawn as counts out of a caseload from the data-generating process, with the effect riding on
the share of staff trained. A few flaws are planted so the data-quality notes have something
to say: one centre lacks two months, one has an outlier, one has a tiny caseload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lms.people.i18n import FIELD_SUFFIXES
from lms.people.models import OrgUnit, User

from .models import EvaluationStudy, Indicator, IndicatorValue

SEED_FILE = Path(__file__).resolve().parent / "seed" / "indicators.yaml"
DEMO_COURSE = "CM-102"
DEMO_OUTCOMES = {"PLAN-10D": 11, "ASSESS-7D": 12}  # indicator → simulation seed
DEMO_START = dt.date(2023, 1, 1)
DEMO_MONTHS = 36
DEMO_STUDY_TITLE = "CM-102 → PLAN-10D (demo)"


def load_indicators(path: Path = SEED_FILE) -> int:
    """Create the catalogue's indicators that do not exist yet (an editor's changes stay)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = set(Indicator.objects.values_list("code", flat=True))
    made = 0
    for item in data["indicators"]:
        if item["code"] in existing:
            continue
        fields = {
            "code": item["code"],
            "unit": item["unit"],
            "direction": item["direction"],
            "frequency": item.get("frequency", "month"),
            "source": item["source"],
            "suppression_threshold": item.get("suppression_threshold", 10),
            "target_low": item.get("target_low"),
            "target_high": item.get("target_high"),
        }
        for key in ("name", "definition", "numerator", "denominator"):
            for locale, suffix in FIELD_SUFFIXES.items():
                fields[key + suffix] = (item.get(key) or {}).get(locale, "")
        Indicator.objects.create(**fields)
        made += 1
    return made


def _months(start: dt.date, n: int) -> list[dt.date]:
    from .panel import add_months

    return [add_months(start, k) for k in range(n)]


def demo_cohorts(centres: list[OrgUnit], seed: int = 2026) -> dict[int, int]:
    """First-treated month per centre: pilots 7; a tenth of the rest never; the others spread
    over 13, 19, 25, 31."""
    import numpy as np

    from .simulation import LATER_COHORTS

    rng = np.random.default_rng(seed)
    rest = [c for c in centres if not c.is_pilot]
    order = rng.permutation(len(rest))
    never = max(4, round(0.1 * len(centres)))
    cohorts = {c.pk: 7 for c in centres if c.is_pilot}
    for rank, k in enumerate(order):
        cohorts[rest[k].pk] = 0 if rank < never else LATER_COHORTS[rank % len(LATER_COHORTS)]
    return cohorts


def load_demo_evaluation(before_study: Callable[[], None] | None = None) -> int:
    """Demo completions, indicator values and a computed study; does nothing once the demo
    study exists. ``before_study`` runs between the completions and the computation (the
    assessments seed adds the demo's tests and surveys there). Returns the number of
    indicator values written."""
    from . import services

    with transaction.atomic():
        study, written = _load_demo_data()
    if study is not None and before_study is not None:
        before_study()
    if study is not None:
        services.run_study(study.pk)  # a few seconds; the demo has its results at once
    return written


def _load_demo_data() -> tuple[EvaluationStudy | None, int]:
    from courses.models import CoursePage
    from lms.learning.models import Enrolment

    from .panel import add_months
    from .simulation import TRAINED_BY_MONTH, generate, trained_share

    if EvaluationStudy.objects.filter(title=DEMO_STUDY_TITLE).exists():
        return None, 0
    course = (
        CoursePage.objects.filter(code=DEMO_COURSE, locale__language_code=settings.LANGUAGE_CODE)
        .live()
        .first()
    )
    agency = OrgUnit.objects.filter(kind=OrgUnit.Kind.AGENCY).first()
    evaluator = User.objects.filter(username="evaluator").first()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=DEMO_OUTCOMES)}
    if course is None or agency is None or len(indicators) < len(DEMO_OUTCOMES):
        return None, 0
    centres = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.CENTRE).order_by("code"))
    cohorts = demo_cohorts(centres)
    months = _months(DEMO_START, DEMO_MONTHS)
    staff_of: dict[int, list[int]] = {c.pk: [] for c in centres}
    for pk, unit in (
        User.objects.filter(is_active=True, org_unit__in=centres)
        .order_by("employee_number", "pk")
        .values_list("pk", "org_unit_id")
    ):
        staff_of[unit].append(pk)

    # Completions: in a centre first treated in month G, the j-th person completes in the first
    # month G − 1 + k at which trained_share(n, k) exceeds j.
    already = set(Enrolment.objects.filter(course=course).values_list("learner_id", flat=True))
    enrolments = []
    for centre in centres:
        g = cohorts[centre.pk]
        people = staff_of[centre.pk]
        if not g:
            continue
        for j, person in enumerate(people):
            k = next(
                (k for k in range(len(TRAINED_BY_MONTH)) if trained_share(len(people), k) > j),
                None,
            )
            if k is None or person in already:
                continue
            month = add_months(DEMO_START, g - 2 + k)  # may fall after the window
            done = timezone.make_aware(
                dt.datetime.combine(month, dt.time(10)) + dt.timedelta(days=(j * 7) % 25)
            )
            enrolments.append(
                Enrolment(
                    learner_id=person,
                    course=course,
                    status=Enrolment.Status.COMPLETED,
                    source=Enrolment.Source.ASSIGNED,
                    enrolled_at=done - dt.timedelta(days=30),
                    started_at=done - dt.timedelta(days=25),
                    completed_at=done,
                )
            )
    Enrolment.objects.bulk_create(enrolments, batch_size=500)

    import numpy as np

    first = np.array([cohorts[c.pk] for c in centres])
    staff = np.array([max(1, len(staff_of[c.pk])) for c in centres])
    regions = {}
    region_index = np.array(
        [regions.setdefault(c.get_parent().get_parent().pk, len(regions)) for c in centres]
    )
    written = 0
    for code, seed in DEMO_OUTCOMES.items():
        truth = generate(
            seed,
            units=len(centres),
            regions=len(regions),
            region=region_index,
            periods=DEMO_MONTHS,
            outcome="binomial",
            first_treated=first,
            staff=staff,
        )
        values = []
        for unit, period, num, den in zip(
            truth["unit"], truth["period"], truth["numerator"], truth["denominator"], strict=True
        ):
            values.append(
                IndicatorValue(
                    indicator=indicators[code],
                    org_unit=centres[unit],
                    period=months[period - 1],
                    value=round(100.0 * num / den, 2),
                    numerator=float(num),
                    denominator=float(den),
                    source="demo",
                )
            )
        # Planted flaws: two months missing, one outlier, one tiny caseload.
        flawed = {c.pk: k for k, c in enumerate(centres[-3:])}
        keep = []
        for v in values:
            role = flawed.get(v.org_unit_id)
            if role == 0 and v.period in months[20:22]:
                continue
            if role == 1 and v.period == months[15]:
                v.value = max(0.0, v.value - 45)
                v.numerator = round(v.value * v.denominator / 100)
                v.value = round(100.0 * v.numerator / v.denominator, 2)
            if role == 2:
                v.denominator = 6.0
                v.numerator = float(round(v.value * 6 / 100))
                v.value = round(100.0 * v.numerator / 6, 2)
            keep.append(v)
        IndicatorValue.objects.bulk_create(keep, batch_size=1000, ignore_conflicts=True)
        written += len(keep)

    study = EvaluationStudy.objects.create(
        title=DEMO_STUDY_TITLE,
        indicator=indicators["PLAN-10D"],
        course_keys=[str(course.translation_key)],
        course_codes=[course.code],
        units_root=agency,
        period_start=months[0],
        period_end=months[-1],
        adoption_threshold=0.5,
        comparison=EvaluationStudy.Comparison.NOT_YET,
        bootstrap=999,
        created_by=evaluator,
    )
    return study, written
