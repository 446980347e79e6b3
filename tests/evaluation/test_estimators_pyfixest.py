"""The estimators checked against an independent implementation: pyfixest.

Each test fits the same simulated panel both ways and says in its docstring what is compared
and why the two must agree exactly: to rounding, or to pyfixest's own solver tolerance where
it recovers fixed effects iteratively (said where it matters).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf  # slow to import: only this module does
import pytest

from evaluation import estimators, simulation

#: The regressions are checked on two panels; the slower two-stage and saturated fits on the
#: first only.
SEEDS = (0, 1)


@functools.cache
def _panel(seed: int) -> pd.DataFrame:
    df = simulation.generate(seed).to_frame()[["unit", "period", "outcome", "first_treated"]]
    df = estimators.check_panel(df)
    # d: trained in this period (the static treatment dummy).
    df["d"] = ((df["first_treated"] > 0) & (df["period"] >= df["first_treated"])).astype(int)
    return df


def window(seed: int) -> tuple[int, int]:
    return estimators.event_window(_panel(seed))


@functools.cache
def _bjs(seed: int) -> dict:
    return estimators.estimate(_panel(seed), "bjs", n_bootstrap=0)


@pytest.fixture(params=SEEDS)
def seed(request) -> int:
    return request.param


@pytest.fixture
def panel(seed) -> pd.DataFrame:
    return _panel(seed).copy()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's beta and deprecation notices
        yield


def static_twfe(df: pd.DataFrame, **kw):
    return pf.feols("outcome ~ d | unit + period", data=df, vcov={"CRV1": "unit"}, **kw)


# -- (a) the naive TWFE -------------------------------------------------------------------------


def test_twfe_coefficient_equals_pyfixest(panel):
    """Y = α_i + λ_t + β·D_it: numpy's two-way demeaning (exact on a balanced panel, by
    Frisch–Waugh–Lovell) and pyfixest's alternating projections solve the same least-squares
    problem, so β agrees to rounding."""
    ours = estimators.twfe(panel, window=estimators.event_window(panel))
    fit = static_twfe(panel)
    assert ours["att"] == pytest.approx(fit.coef()["d"], abs=1e-8)


def test_twfe_cluster_robust_error_equals_pyfixest_counting_every_fixed_effect(panel):
    """The cluster-robust (CRV1, by unit) standard error: the same sandwich, with the
    small-sample factor G/(G−1)·(N−1)/(N−K). The app counts every fixed effect in K
    (K = 200 units + 36 periods − 1 + 1 = 236, like Stata's areg), which is pyfixest's
    ssc(k_fixef="full"); with it the errors agree to rounding. pyfixest's default
    (k_fixef="nonnested", as fixest and reghdfe) leaves out the unit effects nested in the unit
    clusters (K = 37), so its error is smaller by exactly √((N−37)/(N−236)), 1.4 % here."""
    ours = estimators.twfe(panel, window=estimators.event_window(panel))
    full = static_twfe(panel, ssc=pf.ssc(k_fixef="full"))
    assert ours["se"] == pytest.approx(full.se()["d"], rel=1e-6)

    default = static_twfe(panel)
    n = len(panel)
    assert (ours["se"] / default.se()["d"]) ** 2 == pytest.approx((n - 37) / (n - 236), rel=1e-9)
    assert ours["ci_low"] == pytest.approx(ours["att"] - 1.96 * ours["se"])
    assert ours["ci_high"] == pytest.approx(ours["att"] + 1.96 * ours["se"])


def test_dynamic_twfe_equals_pyfixest_with_the_same_event_time_dummies(panel):
    """The dynamic form: one dummy per event time in the window, the ends binned (e ≤ first
    and e ≥ last), e = −1 left out, never-treated units at zero. The same dummies given to pyfixest
    give the same coefficients and (with every fixed effect counted) the same errors."""
    window = estimators.event_window(panel)
    ours = {r["event_time"]: r for r in estimators.twfe(panel, window=window)["event_study"]}
    lo, hi = window
    g, t = panel["first_treated"].to_numpy(), panel["period"].to_numpy()
    e = np.where(g > 0, t - g, 10_000)
    names = {}
    for k in range(lo, hi + 1):
        if k == -1:
            continue
        col = (e <= k) if k == lo else (e >= k) & (g > 0) if k == hi else (e == k)
        names[k] = f"e_m{-k}" if k < 0 else f"e_p{k}"
        panel[names[k]] = col.astype(float)
    fit = pf.feols(
        "outcome ~ " + " + ".join(names.values()) + " | unit + period",
        data=panel,
        vcov={"CRV1": "unit"},
        ssc=pf.ssc(k_fixef="full"),
    )
    assert sorted(ours) == sorted(names)
    for k, name in names.items():
        assert ours[k]["att"] == pytest.approx(fit.coef()[name], abs=1e-8), k
        assert ours[k]["se"] == pytest.approx(fit.se()[name], rel=1e-6), k


# -- (b) the Bacon decomposition's TWFE ---------------------------------------------------------


def test_bacon_decomposition_adds_up_to_the_pyfixest_twfe(panel):
    """Goodman-Bacon: the TWFE coefficient is the weighted sum of all 2×2 comparisons; the
    decomposition's total must be the regression's coefficient."""
    result = estimators.bacon(panel)
    fit = static_twfe(panel)
    assert result["twfe"] == pytest.approx(fit.coef()["d"], abs=1e-8)
    total = sum(k["weight"] * k["estimate"] for k in result["kinds"] if k["weight"])
    assert total == pytest.approx(result["twfe"], abs=1e-6)


# -- (c) and (d) the imputation estimator -------------------------------------------------------


def did2s(panel: pd.DataFrame, second_stage: str):
    return pf.did2s(
        panel,
        yname="outcome",
        first_stage="~ 0 | unit + period",
        second_stage=second_stage,
        treatment="d",
        cluster="unit",
    )


def test_imputation_att_equals_gardners_two_stage_estimate():
    """BJS imputation fits unit and period effects on untreated cells only, imputes Y(0) for
    treated cells and averages Y − Ŷ(0) over them. Gardner's did2s fits the same first stage,
    then regresses the residualised outcome on D over all cells: with D a single dummy, that
    coefficient is the mean residual over treated cells, the same number. (The standard
    errors differ by design: BJS's conservative variance against Gardner's GMM one.)"""
    panel = _panel(0).copy()
    ours = _bjs(0)
    fit = did2s(panel, "~ d")
    # Both fit the fixed effects by iterative demeaning: they agree to ~1e-6, not to the bit.
    assert ours["att"] == pytest.approx(fit.coef()["d"], abs=1e-5)


def exact_imputation(panel: pd.DataFrame) -> np.ndarray:
    """Y − Ŷ(0) per cell, with the unit and period effects solved exactly: dense least squares
    on unit and period dummies over the untreated cells."""
    units = panel["unit"].to_numpy()
    periods = panel["period"].to_numpy()
    unit_ids = np.unique(units, return_inverse=True)[1]
    period_ids = np.unique(periods, return_inverse=True)[1]
    n_units = unit_ids.max() + 1
    x = np.zeros((len(panel), n_units + period_ids.max()))
    x[np.arange(len(panel)), unit_ids] = 1.0
    later = period_ids > 0  # the first period is the reference
    x[np.flatnonzero(later), n_units + period_ids[later] - 1] = 1.0
    untreated = panel["d"].to_numpy() == 0
    y = panel["outcome"].to_numpy()
    beta = np.linalg.lstsq(x[untreated], y[untreated], rcond=None)[0]
    return y - x @ beta


def test_imputation_event_time_effects_equal_two_stage_event_time_dummies():
    """The same equality per event time: with one dummy per event time of treated cells (all
    untreated cells in the left-out category), each second-stage coefficient is the mean
    residual of treated cells at that event time, which is BJS's event-time effect.

    pyfixest recovers the first-stage fixed effects iteratively, to its convergence tolerance:
    its event-time means carry errors up to 2e-5 (1.9e-5 on seed 0), so they are compared to 1e-4;
    diff-diff is also checked against the effects solved exactly by dense least squares, to
    1e-8 (it agrees to 1e-11)."""
    seed = 0
    panel = _panel(seed).copy()
    panel["rel_time"] = np.where(panel["d"] == 1, panel["period"] - panel["first_treated"], -1)
    fit = did2s(panel, "~ i(rel_time, ref=-1)")
    residual = exact_imputation(panel)
    treated = panel["d"].to_numpy() == 1
    rel_time = panel["rel_time"].to_numpy()
    result = _bjs(seed)
    assert result["att"] == pytest.approx(residual[treated].mean(), abs=1e-8)
    post = [r for r in result["event_study"] if r["event_time"] >= 0]
    assert [r["event_time"] for r in post] == list(range(0, window(seed)[1] + 1))
    for row in post:
        e = row["event_time"]
        exact = residual[treated & (rel_time == e)].mean()
        assert row["att"] == pytest.approx(exact, abs=1e-8), row
        assert row["att"] == pytest.approx(fit.coef()[f"rel_time::{e}"], abs=1e-4), row


# -- (d) Sun–Abraham and Callaway–Sant'Anna event studies ---------------------------------------


@functools.cache
def _saturated(seed: int) -> pd.DataFrame:
    """pyfixest's saturated event study (cohort × event-time interactions, e = −1 left out,
    never-treated units as the only controls), aggregated per event time with cohort shares."""
    df = _panel(seed)[["unit", "period", "outcome", "first_treated"]].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.event_study(
            df,
            yname="outcome",
            idname="unit",
            tname="period",
            gname="first_treated",
            estimator="saturated",
        )
        return fit.aggregate()


def test_sun_abraham_event_study_equals_pyfixest_saturated_regression():
    """Sun–Abraham is exactly that regression: interaction-weighted estimates, each event time
    the cohort-share-weighted mean of its cohort × event-time coefficients, errors clustered by
    unit. Estimates and standard errors agree, before and after training."""
    seed = 0
    panel = _panel(seed)
    agg = _saturated(seed)
    rows = estimators.estimate(panel, "sa")["event_study"]
    lo, hi = window(seed)
    assert [r["event_time"] for r in rows] == [e for e in range(lo, hi + 1) if e != -1]
    for row in rows:
        theirs = agg.loc[float(row["event_time"])]
        assert row["att"] == pytest.approx(float(theirs["Estimate"]), abs=1e-6), row
        assert row["se"] == pytest.approx(float(theirs["Std. Error"]), rel=1e-6), row


def test_callaway_santanna_post_periods_equal_the_saturated_regression():
    """With never-treated controls and no covariates, CS's ATT(g, g+e) is the 2×2 difference
    of cohort g and the never-treated between g−1 and g+e. In the saturated regression every
    cohort period but g−1 has its own coefficient, so the period effects come from the
    never-treated alone and each coefficient is that same 2×2 difference; both aggregate
    with cohort sizes. So the post-period effects agree. (Before training they differ by
    design: CS compares consecutive periods there, the regression compares with g−1.)"""
    seed = 0
    agg = _saturated(seed)
    rows = estimators.estimate(_panel(seed), "cs", n_bootstrap=0)["event_study"]
    post = [r for r in rows if r["event_time"] >= 0]
    assert [r["event_time"] for r in post] == list(range(0, window(seed)[1] + 1))
    for row in post:
        theirs = float(agg.loc[float(row["event_time"]), "Estimate"])
        assert row["att"] == pytest.approx(theirs, abs=1e-6), row
