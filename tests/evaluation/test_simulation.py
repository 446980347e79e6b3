"""The synthetic ground truth: the staggered rollout the estimators are tested on."""

import numpy as np
import pytest

from evaluation import simulation

SEEDS = (0, 1, 2, 3, 4)
UNITS, REGIONS, PERIODS = 200, 14, 36


def per_unit(truth: simulation.GroundTruth, column: str) -> np.ndarray:
    """A column as a units × periods grid (the panel is unit-major)."""
    return truth[column].reshape(UNITS, PERIODS)


@pytest.fixture(scope="module", params=SEEDS)
def truth(request):
    return simulation.generate(request.param)


def test_the_panel_is_200_units_in_14_regions_over_36_months(truth):
    assert truth["unit"].size == UNITS * PERIODS
    assert np.unique(truth["unit"]).size == UNITS
    assert np.unique(truth["region"]).size == REGIONS
    assert np.array_equal(np.unique(truth["period"]), np.arange(1, PERIODS + 1))
    assert truth.periods == PERIODS
    for column in truth.columns.values():
        assert column.size == UNITS * PERIODS
    # Every unit has exactly one row per period.
    assert all(np.array_equal(row, np.arange(1, PERIODS + 1)) for row in per_unit(truth, "period"))


def test_the_pilots_are_the_two_highest_capacity_units_of_each_region(truth):
    first = per_unit(truth, "first_treated")[:, 0]
    region = per_unit(truth, "region")[:, 0]
    pilots = set(np.flatnonzero(first == 7))
    assert len(pilots) == 2 * REGIONS == 28
    expected = set()
    for r in range(REGIONS):
        members = np.flatnonzero(region == r)
        expected |= set(members[np.argsort(-truth.capacity[members])[:2]])
    assert pilots == expected


def test_twenty_units_are_never_treated_and_the_rest_spread_over_the_later_waves(truth):
    first = per_unit(truth, "first_treated")[:, 0]
    assert int((first == 0).sum()) == 20
    later = first[(first != 0) & (first != 7)]
    assert set(np.unique(later)) == {13, 19, 25, 31}
    counts = [int((later == g).sum()) for g in (13, 19, 25, 31)]
    assert sum(counts) == UNITS - 28 - 20
    assert max(counts) - min(counts) <= 1  # spread evenly
    # A unit keeps its cohort on every row.
    assert (per_unit(truth, "first_treated") == first[:, None]).all()


def test_the_outcome_is_the_untreated_outcome_plus_the_effect(truth):
    assert np.allclose(truth["outcome"], truth["y0"] + truth["tau"], rtol=0, atol=1e-12)


def test_there_is_no_effect_before_training_nor_in_never_treated_units(truth):
    g, t, tau = truth["first_treated"], truth["period"], truth["tau"]
    untreated = (g == 0) | (t < g)
    assert (tau[untreated] == 0).all()
    assert (tau[~untreated] > 0).all()  # the heterogeneous effect is positive once trained
    assert np.array_equal(truth.treated, ~untreated)


def test_the_true_att_averages_the_effect_over_treated_cells(truth):
    tau = truth["tau"][truth.treated]
    assert truth.att == pytest.approx(tau.mean())
    by_e = truth.att_by_event_time()
    assert min(by_e) == 0 and max(by_e) == PERIODS - 7
    by_g = truth.att_by_cohort()
    assert sorted(by_g) == [7, 13, 19, 25, 31]
    # The pilots, trained first with the largest effect, gain most.
    assert by_g[7] == max(by_g.values())


def test_the_adoption_rule_gives_back_the_first_treated_month(truth):
    """A unit adopts in the first month at least half its staff have completed the course."""
    share = per_unit(truth, "share_trained")
    first = per_unit(truth, "first_treated")[:, 0]
    reached = share >= 0.5
    adoption = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, 0)
    assert np.array_equal(adoption, first)


def test_the_trained_share_never_falls_and_stays_within_the_staff(truth):
    trained = per_unit(truth, "trained")
    staff = per_unit(truth, "staff")
    assert (np.diff(trained, axis=1) >= 0).all()
    assert ((trained >= 0) & (trained <= staff)).all()
    assert np.allclose(per_unit(truth, "share_trained"), trained / staff)
    assert ((staff >= 20) & (staff <= 30)).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_homogeneous_scenario_has_an_effect_of_5_on_every_treated_cell(seed):
    truth = simulation.generate(seed, scenario="homogeneous")
    treated = truth.treated
    assert (truth["tau"][treated] == 5.0).all()
    assert (truth["tau"][~treated] == 0.0).all()
    assert truth.att == 5.0
    assert np.allclose(truth["outcome"], truth["y0"] + truth["tau"])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_binomial_outcome_is_a_share_of_cases(seed):
    truth = simulation.generate(seed, outcome="binomial")
    num, den = truth["numerator"], truth["denominator"]
    assert np.issubdtype(num.dtype, np.integer) and np.issubdtype(den.dtype, np.integer)
    assert (num >= 0).all() and (num <= den).all() and (den > 0).all()
    assert np.allclose(truth["outcome"], 100.0 * num / den)
    # The truth stays the share's expectation: the observed share scatters around y0 + tau.
    assert abs(np.mean(truth["outcome"] - (truth["y0"] + truth["tau"]))) < 0.2


@pytest.mark.parametrize("kwargs", [{}, {"scenario": "homogeneous"}, {"outcome": "binomial"}])
def test_generation_is_deterministic_per_seed(kwargs):
    a, b = simulation.generate(3, **kwargs), simulation.generate(3, **kwargs)
    assert a.columns.keys() == b.columns.keys()
    for name in a.columns:
        assert np.array_equal(a[name], b[name]), name
    assert np.array_equal(a.capacity, b.capacity)
    other = simulation.generate(4, **kwargs)
    assert not np.array_equal(a["outcome"], other["outcome"])


def test_given_cohorts_and_staff_are_kept_and_the_pilots_get_the_highest_capacities():
    """The demo passes its organisation's pilots and staff: they are kept, and the pilots (the
    earliest cohort) hold the highest capacities, as the real pilots were chosen for them."""
    rng = np.random.default_rng(7)
    first = rng.choice([0, 7, 13, 19], size=40, p=[0.2, 0.2, 0.3, 0.3])
    staff = rng.integers(5, 15, size=40)
    truth = simulation.generate(0, units=40, regions=4, first_treated=first, staff=staff)
    got_first = truth["first_treated"].reshape(40, PERIODS)[:, 0]
    got_staff = truth["staff"].reshape(40, PERIODS)[:, 0]
    assert np.array_equal(got_first, first)
    assert np.array_equal(got_staff, staff)
    pilots = first == 7
    assert truth.capacity[pilots].min() > truth.capacity[~pilots].max()
