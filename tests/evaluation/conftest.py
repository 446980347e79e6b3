"""Factories and fixtures of the evaluation tests: indicators, their values and studies, on a
small organisation (agency → 2 regions → 2 districts each → one centre per district)."""

from __future__ import annotations

import datetime as dt

import factory
import pytest

from evaluation.models import EvaluationStudy, Indicator, IndicatorValue
from tests import factories as f


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A monthly percentage, higher is better, suppressed under 10 cases."""

    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"IND-{n}")
    name = factory.LazyAttribute(lambda o: f"Koʻrsatkich {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    definition = "Taʼrif"
    unit = Indicator.Unit.PERCENT
    direction = Indicator.Direction.HIGHER
    frequency = Indicator.Frequency.MONTH
    source = "CMIS"
    suppression_threshold = 10


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    org_unit = factory.SubFactory(f.OrgUnitFactory)
    period = dt.date(2025, 1, 1)
    value = 50.0


class EvaluationStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationStudy

    title = factory.Sequence(lambda n: f"Study {n}")
    indicator = factory.SubFactory(IndicatorFactory)
    course_keys = factory.LazyFunction(list)
    period_start = dt.date(2025, 1, 1)
    period_end = dt.date(2025, 6, 1)
    adoption_threshold = 0.5
    bootstrap = 0


@pytest.fixture
def org():
    """agency NASP → regions R0, R1 → districts R0-D0 … → centres R0-D0-INSON …"""
    return f.org_tree(regions=2, districts=2)


@pytest.fixture
def monthly(db):
    """A monthly percentage indicator."""
    return IndicatorFactory(code="ASSESS-RATE")


@pytest.fixture
def quarterly(db):
    """A quarterly count indicator."""
    return IndicatorFactory(
        code="CLIENT-COUNT",
        unit=Indicator.Unit.COUNT,
        frequency=Indicator.Frequency.QUARTER,
    )
