"""The staggered-adoption estimators recover the simulated truth; the naive TWFE does not.

Every accuracy test runs on seeds 0–4 of the simulation (200 districts × 36 months). The
tolerances are the evaluation's acceptance criteria; no seed is left out.
"""

from __future__ import annotations

import functools
import time

import numpy as np
import pytest

from evaluation import estimators, simulation

SEEDS = (0, 1, 2, 3, 4)
BOOTSTRAP = 199


@functools.cache
def simulated(seed: int, scenario: str = "heterogeneous", outcome: str = "share"):
    truth = simulation.generate(seed, scenario=scenario, outcome=outcome)
    return truth, truth.to_frame()


@functools.cache
def estimated(seed: int, method: str, scenario: str = "heterogeneous", outcome: str = "share"):
    _truth, df = simulated(seed, scenario, outcome)
    return estimators.estimate(df, method, n_bootstrap=BOOTSTRAP, seed=seed)


@functools.cache
def studied(seed: int):
    _truth, df = simulated(seed)
    steps: list[tuple[int, str]] = []
    result = estimators.study(
        df, n_bootstrap=BOOTSTRAP, seed=seed, progress=lambda p, note: steps.append((p, note))
    )
    return result, steps


def post_errors(seed: int, method: str) -> dict[int, float]:
    truth, _df = simulated(seed)
    by_e = truth.att_by_event_time()
    return {
        r["event_time"]: r["att"] - by_e[r["event_time"]]
        for r in estimated(seed, method)["event_study"]
        if r["event_time"] >= 0
    }


# -- the robust estimators recover the truth ------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_callaway_santanna_recovers_the_att_within_1(seed):
    truth, _df = simulated(seed)
    result = estimated(seed, "cs")
    assert result["method"] == "cs"
    assert abs(result["att"] - truth.att) < 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_imputation_recovers_the_att_within_0_8(seed):
    truth, _df = simulated(seed)
    result = estimated(seed, "bjs")
    assert result["method"] == "bjs"
    assert abs(result["att"] - truth.att) < 0.8


def window(seed: int = 0) -> tuple[int, int]:
    return estimators.event_window(estimators.check_panel(simulated(seed)[1]))


def test_the_reported_window_is_twelve_leads_and_the_lags_several_cohorts_reach():
    lo, hi = window()
    assert lo == -estimators.PRE_PERIODS
    # The last event time at least MIN_COHORTS_PER_EVENT_TIME of the cohorts 7, 13, 19, 25, 31
    # reach within 36 months.
    cohorts = (7, 13, 19, 25, 31)
    assert hi == max(
        e
        for e in range(36)
        if sum(g + e <= 36 for g in cohorts) >= estimators.MIN_COHORTS_PER_EVENT_TIME
    )
    for method in ("cs", "bjs"):
        times = [r["event_time"] for r in estimated(0, method)["event_study"]]
        assert min(times) >= lo and max(times) == hi


@pytest.mark.parametrize("method", ["cs", "bjs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_event_time_effects_are_within_1_2_of_the_truth(method, seed):
    errors = post_errors(seed, method)
    assert sorted(errors) == list(range(0, window(seed)[1] + 1))
    worst = max(errors, key=lambda e: abs(errors[e]))
    assert abs(errors[worst]) < 1.2, f"event time {worst}: error {errors[worst]:.2f}"


@pytest.mark.parametrize("method", ["cs", "bjs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_event_time_errors_are_within_the_reported_uncertainty(method, seed):
    """Each event-time estimate lies within 3.5 of its own standard errors of the truth: the
    estimators are unbiased and their standard errors honest on every seed."""
    errors = post_errors(seed, method)
    ses = {r["event_time"]: r["se"] for r in estimated(seed, method)["event_study"]}
    z = {e: abs(err) / ses[e] for e, err in errors.items()}
    assert max(z.values()) < 3.5, z


@pytest.mark.parametrize("method", ["cs", "bjs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_pre_period_estimates_are_near_zero(method, seed):
    """Placebo: before training there is no effect to find."""
    pre = [r for r in estimated(seed, method)["event_study"] if r["event_time"] < 0]
    assert pre, "the event study shows pre-periods"
    assert min(r["event_time"] for r in pre) >= -estimators.PRE_PERIODS
    assert max(abs(r["att"]) for r in pre) < 1.5


@pytest.mark.parametrize("method", ["cs", "bjs", "sa", "twfe"])
def test_confidence_intervals_contain_the_estimate_and_are_ordered(method):
    result = estimated(0, method)
    assert result["se"] > 0
    assert result["ci_low"] < result["att"] < result["ci_high"]
    post = [r for r in result["event_study"] if r["event_time"] >= 0]
    assert post
    for row in result["event_study"]:
        if row["ci_low"] is None:  # BJS leads: a joint test, no interval per lead
            assert method == "bjs" and row["event_time"] < 0
            continue
        assert row["se"] > 0
        assert row["ci_low"] <= row["att"] <= row["ci_high"], row
        assert row["ci_low"] < row["ci_high"], row


@pytest.mark.parametrize("seed", SEEDS)
def test_the_binomial_outcome_also_gives_the_att(seed):
    """The share observed as successes out of a caseload: the truth is on the same 0–100
    scale as the outcome."""
    truth, _df = simulated(seed, outcome="binomial")
    result = estimated(seed, "cs", outcome="binomial")
    assert abs(result["att"] - truth.att) < 1.0


# -- the naive comparison is wrong, and the Bacon decomposition says why --------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_naive_twfe_understates_the_heterogeneous_effect_and_bacon_shows_why(seed):
    truth, _df = simulated(seed)
    result, _steps = studied(seed)
    naive = result["estimates"]["twfe"]["att"]
    assert naive / truth.att < 0.75
    assert result["bacon"]["forbidden_weight"] > 0.25
    # The decomposition is of the same regression.
    assert result["bacon"]["twfe"] == pytest.approx(naive, abs=1e-8)
    weights = sum(k["weight"] for k in result["bacon"]["kinds"])
    assert weights == pytest.approx(1.0, abs=1e-6)
    # The robust estimators in the same study are right where TWFE is wrong.
    for method, tolerance in (("cs", 1.0), ("bjs", 0.8), ("sa", 1.0)):
        assert abs(result["estimates"][method]["att"] - truth.att) < tolerance, method


@pytest.mark.parametrize("seed", SEEDS)
def test_with_a_homogeneous_effect_twfe_and_the_robust_estimators_all_find_it(seed):
    """τ = 5 on every treated cell: no bad comparison can bias TWFE, so all agree."""
    _truth, df = simulated(seed, "homogeneous")
    for method in ("twfe", "cs", "bjs"):
        # The point estimate does not depend on the bootstrap: none is drawn here.
        result = estimators.estimate(df, method, n_bootstrap=0)
        assert abs(result["att"] - 5.0) < 0.5, method


def test_a_study_describes_the_design_and_reports_its_progress():
    result, steps = studied(0)
    assert result["units"] == 200 and result["periods"] == 36
    assert result["never_treated"] == 20
    assert result["cohort_sizes"] == {"7": 28, "13": 38, "19": 38, "25": 38, "31": 38}
    assert result["window"] == list(window(0))
    assert result["bootstrap"] == BOOTSTRAP
    assert set(result["estimates"]) == {"cs", "bjs", "sa", "twfe"}
    percents = [p for p, _note in steps]
    assert percents == sorted(percents) and percents[-1] < 100
    assert [note for _p, note in steps] == ["cs", "bjs", "sa", "twfe"]


def test_the_dose_response_covers_every_treated_cell():
    truth, _df = simulated(0)
    dose = studied(0)[0]["dose_response"]
    assert sum(b["cells"] for b in dose["bins"]) == int(truth.treated.sum())
    for b in dose["bins"]:
        assert b["ci_low"] <= b["att"] <= b["ci_high"]
    # The effect grows with the share trained (the simulation scales it by the share).
    assert dose["slope"] > 0


def test_the_full_study_with_999_replications_takes_under_5_seconds():
    """Product requirement: the whole analysis of a 200 × 36 panel, 999 bootstrap
    replications, in under five seconds once diff-diff is imported."""
    estimators._diff_diff()
    _truth, df = simulated(1)
    start = time.perf_counter()
    result = estimators.study(df, n_bootstrap=999, seed=1)
    elapsed = time.perf_counter() - start
    assert result["estimates"]["cs"]["bootstrap"] == 999
    assert result["estimates"]["bjs"]["bootstrap"] == 999
    assert elapsed < 5.0, f"{elapsed:.2f} s"


# -- panels the estimators refuse -----------------------------------------------------------------


@pytest.fixture
def panel():
    return simulated(0)[1][["unit", "period", "outcome", "first_treated"]].copy()


def test_a_panel_without_a_column_is_refused_naming_it(panel):
    with pytest.raises(estimators.PanelError, match="lacks the column.*first_treated"):
        estimators.check_panel(panel.drop(columns="first_treated"))
    with pytest.raises(estimators.PanelError, match="outcome"):
        estimators.estimate(panel.drop(columns="outcome"), "cs")


def test_an_unbalanced_panel_is_refused(panel):
    with pytest.raises(estimators.PanelError, match="unbalanced: 1 unit"):
        estimators.check_panel(panel.drop(index=5))


def test_a_unit_twice_in_a_period_is_refused(panel):
    doubled = np.concatenate([panel.index.to_numpy(), [10]])
    with pytest.raises(estimators.PanelError, match="twice in the same period"):
        estimators.check_panel(panel.loc[doubled].reset_index(drop=True))


def test_a_first_treated_that_changes_within_a_unit_is_refused(panel):
    panel.loc[3, "first_treated"] = panel.loc[3, "first_treated"] + 6
    with pytest.raises(estimators.PanelError, match="first_treated must be the same"):
        estimators.check_panel(panel)


def test_a_panel_where_nobody_is_trained_is_refused(panel):
    panel["first_treated"] = 0
    with pytest.raises(estimators.PanelError, match="no unit adopts"):
        estimators.estimate(panel, "bjs")


def test_a_panel_where_everybody_is_trained_at_once_is_refused(panel):
    panel["first_treated"] = 13
    with pytest.raises(estimators.PanelError, match="no comparison group"):
        estimators.check_panel(panel)


def test_an_empty_outcome_is_refused(panel):
    panel.loc[7, "outcome"] = np.nan
    with pytest.raises(estimators.PanelError, match="outcome is empty"):
        estimators.check_panel(panel)


def test_an_unknown_method_is_refused(panel):
    with pytest.raises(estimators.PanelError, match="unknown method 'ols'"):
        estimators.estimate(panel, "ols")


def test_a_shuffled_panel_is_put_in_order(panel):
    shuffled = panel.sample(frac=1.0, random_state=0)
    checked = estimators.check_panel(shuffled)
    assert checked[["unit", "period"]].equals(panel[["unit", "period"]].reset_index(drop=True))
    assert estimators.estimate(shuffled, "twfe")["att"] == pytest.approx(
        estimators.estimate(panel, "twfe")["att"], abs=1e-10
    )
