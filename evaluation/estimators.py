"""Effects of training under staggered adoption.

The estimators come from diff-diff (MIT), imported lazily because importing it takes about two
seconds: Callaway–Sant'Anna (``cs``), the imputation estimator of Borusyak–Jaravel–Spiess
(``bjs``) and Sun–Abraham (``sa``). The naive two-way fixed-effects regression (``twfe``) is
written here in a few lines of numpy, because diff-diff's TWFE class models a common adoption
date, not a staggered one; it is only ever shown beside its Goodman-Bacon decomposition
(diff-diff's ``BaconDecomposition``), which says how much of it rests on forbidden comparisons
(already-trained centres used as controls). The tests check every number here against an
independent implementation (pyfixest).

A panel is a DataFrame with one row per unit × period and the columns ``unit``, ``period``
(consecutive integers), ``outcome`` and ``first_treated`` (the first period with training
adopted, 0 for never); ``share_trained`` is optional (dose-response).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

METHODS = ("cs", "bjs", "sa", "twfe")
#: Pre-periods shown in an event study (placebo estimates).
PRE_PERIODS = 12
#: An event time is reported only when at least this many cohorts reach it: an estimate that
#: rests on one or two cohorts mixes the effect of time since training with those cohorts' own
#: story and, against only the never-trained, is noisy (on the ground truth, Callaway–Sant'Anna
#: missed by up to 1.6 points at event times only two cohorts reach, and by at most 1.05 where
#: three do).
MIN_COHORTS_PER_EVENT_TIME = 3
#: Bins of the share of staff trained for the dose-response table.
DOSE_BINS = ((0.0, 0.6), (0.6, 0.8), (0.8, 1.0001))
#: Above this weight on forbidden comparisons the naive estimate gets a warning.
FORBIDDEN_WEIGHT_WARNING = 0.1

Progress = Callable[[int, str], None]


class PanelError(ValueError):
    """The panel cannot be estimated on (a message the user can act on)."""


def _diff_diff():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import diff_diff

    return diff_diff


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def check_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Validate and normalise a panel; raises PanelError with what is wrong."""
    missing = {"unit", "period", "outcome", "first_treated"} - set(panel.columns)
    if missing:
        raise PanelError(f"the panel lacks the column(s) {', '.join(sorted(missing))}")
    df = panel.copy()
    if df[["period", "first_treated"]].isna().any().any():
        raise PanelError("period and first_treated must be filled on every row")
    if df["outcome"].isna().any():
        raise PanelError("outcome is empty on some rows")
    df["period"] = df["period"].astype(int)
    df["first_treated"] = df["first_treated"].astype(int)
    if df.duplicated(["unit", "period"]).any():
        raise PanelError("a unit appears twice in the same period")
    if (df.groupby("unit")["first_treated"].nunique() > 1).any():
        raise PanelError("first_treated must be the same on every row of a unit")
    periods = df["period"].nunique()
    counts = df.groupby("unit")["period"].count()
    if (counts != periods).any():
        raise PanelError(
            f"the panel is unbalanced: {int((counts != periods).sum())} unit(s) lack some periods"
        )
    first = df.groupby("unit")["first_treated"].first()
    if not (first == 0).any() and first.nunique() < 2:
        raise PanelError("there is no comparison group: every unit is trained at the same time")
    if not (first > 0).any():
        raise PanelError("no unit adopts training within the period")
    return df.sort_values(["unit", "period"]).reset_index(drop=True)


def event_window(panel: pd.DataFrame) -> tuple[int, int]:
    """The event times to report: from −PRE_PERIODS up to the last one that at least
    MIN_COHORTS_PER_EVENT_TIME cohorts reach (all cohorts, when there are fewer)."""
    periods = np.sort(panel["period"].unique())
    lo, hi = int(periods[0]), int(periods[-1])
    cohorts = [int(g) for g in np.unique(panel["first_treated"]) if g > 0]
    need = min(MIN_COHORTS_PER_EVENT_TIME, len(cohorts))
    last = 0
    for e in range(0, hi - lo + 1):
        if sum(1 for g in cohorts if lo <= g + e <= hi) >= need:
            last = e
    first = 0
    for e in range(-1, -PRE_PERIODS - 1, -1):
        if sum(1 for g in cohorts if lo <= g + e <= hi) >= need:
            first = e
    return first, last


def _row(event_time: Any, att: Any, se: Any, low: Any, high: Any) -> dict[str, Any]:
    return {
        "event_time": int(event_time),
        "att": _num(att),
        "se": _num(se),
        "ci_low": _num(low),
        "ci_high": _num(high),
    }


def _in_window(rows: list[dict], window: tuple[int, int]) -> list[dict]:
    return [r for r in rows if window[0] <= r["event_time"] <= window[1] and r["att"] is not None]


def _overall(method: str, res: Any) -> dict[str, Any]:
    low, high = res.overall_conf_int
    return {
        "method": method,
        "att": _num(res.overall_att),
        "se": _num(res.overall_se),
        "ci_low": _num(low),
        "ci_high": _num(high),
        "p_value": _num(getattr(res, "overall_p_value", None)),
    }


def callaway_santanna(
    panel: pd.DataFrame, *, comparison: str, n_bootstrap: int, seed: int, window: tuple[int, int]
) -> dict[str, Any]:
    dd = _diff_diff()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dd.CallawaySantAnna(
            control_group=comparison,
            estimation_method="reg",
            n_bootstrap=n_bootstrap,
            seed=seed,
        ).fit(panel, "outcome", "unit", "period", "first_treated")
        es = res.aggregate("event_study").to_dataframe()
        groups = res.aggregate("group").to_dataframe()
    out = _overall("cs", res)
    out["event_study"] = _in_window(
        [
            _row(r.event_time, r.att, r.se, r.conf_int_lower, r.conf_int_upper)
            for r in es.itertuples()
            if not r.is_reference
        ],
        window,
    )
    out["cohorts"] = [
        {
            "cohort": int(r.label),
            "att": _num(r.att),
            "se": _num(r.se),
            "ci_low": _num(r.conf_int_lower),
            "ci_high": _num(r.conf_int_upper),
        }
        for r in groups.itertuples()
    ]
    out["bootstrap"] = n_bootstrap
    return out


def imputation(
    panel: pd.DataFrame, *, n_bootstrap: int, seed: int, window: tuple[int, int]
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Borusyak–Jaravel–Spiess. The overall ATT takes the bootstrap; the event study takes the
    estimator's own (conservative) analytic variance, which diff-diff computes only on a fit
    without bootstrap. Also returns the imputed effect of every treated cell."""
    dd = _diff_diff()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dd.ImputationDiD(n_bootstrap=n_bootstrap, seed=seed).fit(
            panel, "outcome", "unit", "period", "first_treated"
        )
        analytic = dd.ImputationDiD(n_bootstrap=0).fit(
            panel, "outcome", "unit", "period", "first_treated"
        )
        es = analytic.aggregate("event_study").to_dataframe()
        pre, pretrend_p = _bjs_pretrends(analytic, window)
    out = _overall("bjs", res)
    rows = [
        _row(r.event_time, r.att, r.se, r.conf_int_lower, r.conf_int_upper)
        for r in es.itertuples()
        if not r.is_reference
    ]
    out["event_study"] = _in_window(sorted(pre + rows, key=lambda r: r["event_time"]), window)
    out["pretrend_p"] = pretrend_p
    out["bootstrap"] = n_bootstrap
    return out, res.treatment_effects


def _bjs_pretrends(res: Any, window: tuple[int, int]) -> tuple[list[dict[str, Any]], float | None]:
    """BJS's test of leads on untreated observations (their Test 1, equation 9): the lead
    coefficients are shown as the pre-periods, with the joint Wald test's p-value (diff-diff
    gives no standard error per lead)."""
    try:
        test = res.pretrend_test(n_leads=max(1, -window[0]))
    except Exception:  # noqa: BLE001 - a pre-trend test the data cannot support is left out
        return [], None
    rows = [
        _row(e, att, None, None, None)
        for e, att in (test.get("lead_coefficients") or {}).items()
        if int(e) < 0
    ]
    return rows, _num(test.get("p_value"))


def sun_abraham(panel: pd.DataFrame, *, comparison: str, window: tuple[int, int]) -> dict[str, Any]:
    """Sun–Abraham with cluster-robust (by unit) analytic errors: its bootstrap in diff-diff
    re-estimates the whole interacted regression per draw (minutes, not seconds)."""
    dd = _diff_diff()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dd.SunAbraham(control_group=comparison, n_bootstrap=0).fit(
            panel, "outcome", "unit", "period", "first_treated"
        )
    out = _overall("sa", res)
    out["event_study"] = _in_window(
        [
            _row(e, v["effect"], v["se"], v["conf_int"][0], v["conf_int"][1])
            for e, v in sorted(res.event_study_effects.items())
        ],
        window,
    )
    out["bootstrap"] = 0
    return out


def _cluster_se(
    x: np.ndarray, resid: np.ndarray, xtx_inv: np.ndarray, clusters: np.ndarray, k: int
) -> np.ndarray:
    """CR1 cluster-robust standard errors of the coefficients in ``x`` (already partialled)."""
    n = x.shape[0]
    groups = np.unique(clusters, return_inverse=True)[1]
    g = groups.max() + 1
    scores = np.zeros((g, x.shape[1]))
    np.add.at(scores, groups, x * resid[:, None])
    meat = scores.T @ scores
    vcov = xtx_inv @ meat @ xtx_inv * (g / (g - 1)) * ((n - 1) / (n - k))
    return np.sqrt(np.diag(vcov))


def _demean_two_way(values: np.ndarray, units: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Remove unit and period means (exact for a balanced panel)."""
    out = values.astype(float).copy()
    for ids in (units, periods):
        inverse = np.unique(ids, return_inverse=True)[1]
        sums = np.zeros((inverse.max() + 1,) + out.shape[1:])
        np.add.at(sums, inverse, out)
        counts = np.bincount(inverse).reshape((-1,) + (1,) * (out.ndim - 1))
        out = out - (sums / counts)[inverse]
    return out


def twfe(panel: pd.DataFrame, *, window: tuple[int, int]) -> dict[str, Any]:
    """The naive regression Y = α_i + λ_t + β·D_it (+ its dynamic form with event-time dummies),
    errors clustered by unit."""
    units = panel["unit"].to_numpy()
    periods = panel["period"].to_numpy()
    g = panel["first_treated"].to_numpy()
    y = _demean_two_way(panel["outcome"].to_numpy(float), units, periods)
    n_units, n_periods = len(np.unique(units)), len(np.unique(periods))
    treated = ((g > 0) & (periods >= g)).astype(float)
    d = _demean_two_way(treated[:, None], units, periods)
    xtx_inv = np.linalg.inv(d.T @ d)
    beta = xtx_inv @ d.T @ y
    resid = y - d @ beta
    k = n_units + (n_periods - 1) + 1  # unit and period effects, and β
    se = float(_cluster_se(d, resid, xtx_inv, units, k)[0])
    att = float(beta[0])

    # Dynamic form: one dummy per event time in the window (ends binned), e = −1 left out.
    lo, hi = window
    e = np.where(g > 0, periods - g, np.nan)
    times = [t for t in range(lo, hi + 1) if t != -1]
    cols = []
    for t in times:
        if t == lo:
            col = e <= t
        elif t == hi:
            col = e >= t
        else:
            col = e == t
        cols.append(np.where(np.isnan(e), 0.0, col.astype(float)))
    x = _demean_two_way(np.column_stack(cols), units, periods)
    keep = x.std(axis=0) > 1e-12
    x, times = x[:, keep], [t for t, k_ in zip(times, keep, strict=True) if k_]
    xtx_inv = np.linalg.pinv(x.T @ x)
    b = xtx_inv @ x.T @ y
    ses = _cluster_se(x, y - x @ b, xtx_inv, units, n_units + n_periods - 1 + x.shape[1])
    return {
        "method": "twfe",
        "att": att,
        "se": se,
        "ci_low": att - 1.96 * se,
        "ci_high": att + 1.96 * se,
        "p_value": None,
        "event_study": [
            _row(t, bt, st, bt - 1.96 * st, bt + 1.96 * st)
            for t, bt, st in zip(times, b, ses, strict=True)
        ],
        "bootstrap": 0,
    }


def bacon(panel: pd.DataFrame) -> dict[str, Any]:
    """Goodman-Bacon decomposition of the TWFE estimate: the weight and average of each kind of
    2×2 comparison. ``forbidden_weight`` is the weight of comparisons that use already-trained
    units as controls."""
    dd = _diff_diff()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dd.BaconDecomposition().fit(panel, "outcome", "unit", "period", "first_treated")
    return {
        "twfe": _num(res.twfe_estimate),
        "forbidden_weight": _num(res.total_weight_later_vs_earlier),
        "kinds": [
            {
                "kind": "treated_vs_never",
                "weight": _num(res.total_weight_treated_vs_never),
                "estimate": _num(res.weighted_avg_treated_vs_never),
            },
            {
                "kind": "earlier_vs_later",
                "weight": _num(res.total_weight_earlier_vs_later),
                "estimate": _num(res.weighted_avg_earlier_vs_later),
            },
            {
                "kind": "later_vs_earlier",
                "weight": _num(res.total_weight_later_vs_earlier),
                "estimate": _num(res.weighted_avg_later_vs_earlier),
            },
        ],
    }


def dose_response(
    panel: pd.DataFrame, effects: pd.DataFrame, *, seed: int, n_bootstrap: int = 199
) -> dict[str, Any]:
    """Effect by share of staff trained: the imputed effects of treated cells (BJS), averaged
    per bin of the share, with unit-cluster bootstrap intervals, and the slope of effect on
    share. Under parallel trends each cell's imputed effect is unbiased, so the bins describe
    how the effect varies with the share; the share also grows with time since adoption, so
    the slope is not a pure dose effect."""
    if "share_trained" not in panel.columns or effects is None or effects.empty:
        return {"bins": [], "slope": None, "slope_se": None}
    cells = effects.merge(panel[["unit", "period", "share_trained"]], on=["unit", "period"])
    cells = cells[np.isfinite(cells["tau_hat"])]
    share = cells["share_trained"].to_numpy(float)
    tau = cells["tau_hat"].to_numpy(float)
    units = cells["unit"].to_numpy()
    unit_ids, inverse = np.unique(units, return_inverse=True)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(unit_ids), (n_bootstrap, len(unit_ids)))
    # How many times each unit is drawn, per replication: weights for each cell.
    weights = np.stack([np.bincount(d, minlength=len(unit_ids)) for d in draws])[:, inverse]

    bins = []
    for low, high in DOSE_BINS:
        mask = (share >= low) & (share < high)
        if mask.sum() == 0:
            continue
        w = weights[:, mask]
        boot = (w * tau[mask]).sum(axis=1) / np.maximum(w.sum(axis=1), 1)
        bins.append(
            {
                "low": low,
                "high": min(high, 1.0),
                "cells": int(mask.sum()),
                "att": float(tau[mask].mean()),
                "ci_low": float(np.percentile(boot, 2.5)),
                "ci_high": float(np.percentile(boot, 97.5)),
            }
        )

    def slope(w: np.ndarray) -> float:
        sw = w.sum()
        ms, mt = (w * share).sum() / sw, (w * tau).sum() / sw
        var = (w * (share - ms) ** 2).sum()
        return float((w * (share - ms) * (tau - mt)).sum() / var) if var > 0 else float("nan")

    point = slope(np.ones_like(share))
    boots = np.array([slope(w) for w in weights])
    boots = boots[np.isfinite(boots)]
    return {
        "bins": bins,
        "slope": _num(point),
        "slope_se": _num(boots.std(ddof=1)) if boots.size > 1 else None,
    }


def estimate(
    panel: pd.DataFrame,
    method: str,
    *,
    comparison: str = "never_treated",
    n_bootstrap: int = 999,
    seed: int = 0,
) -> dict[str, Any]:
    """One estimator on one panel: ``method``, ``att``, ``se``, ``ci_low``, ``ci_high``,
    ``event_study`` (``event_time``, ``att``, ``se``, ``ci_low``, ``ci_high``)."""
    if method not in METHODS:
        raise PanelError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    df = check_panel(panel)
    window = event_window(df)
    if method == "cs":
        return callaway_santanna(
            df, comparison=comparison, n_bootstrap=n_bootstrap, seed=seed, window=window
        )
    if method == "bjs":
        return imputation(df, n_bootstrap=n_bootstrap, seed=seed, window=window)[0]
    if method == "sa":
        return sun_abraham(df, comparison=comparison, window=window)
    return twfe(df, window=window)


def study(
    panel: pd.DataFrame,
    *,
    comparison: str = "never_treated",
    n_bootstrap: int = 999,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The whole analysis of one study: the three robust estimators with their event studies,
    the naive TWFE beside its Bacon decomposition, the dose-response and the cohort sizes."""

    def step(percent: int, note: str) -> None:
        if progress is not None:
            progress(percent, note)

    df = check_panel(panel)
    window = event_window(df)
    first = df.groupby("unit")["first_treated"].first()
    step(10, "cs")
    cs = callaway_santanna(
        df, comparison=comparison, n_bootstrap=n_bootstrap, seed=seed, window=window
    )
    step(40, "bjs")
    bjs, effects = imputation(df, n_bootstrap=n_bootstrap, seed=seed, window=window)
    step(65, "sa")
    sa = sun_abraham(df, comparison=comparison, window=window)
    step(85, "twfe")
    naive = twfe(df, window=window)
    decomposition = bacon(df)
    dose = dose_response(df, effects, seed=seed)
    sizes = first.value_counts().to_dict()
    return {
        "window": list(window),
        "comparison": comparison,
        "bootstrap": n_bootstrap,
        "units": int(first.size),
        "periods": int(df["period"].nunique()),
        "never_treated": int(sizes.get(0, 0)),
        "cohort_sizes": {str(int(g)): int(n) for g, n in sorted(sizes.items()) if g > 0},
        "estimates": {"cs": cs, "bjs": bjs, "sa": sa, "twfe": naive},
        "bacon": decomposition,
        "dose_response": dose,
    }
