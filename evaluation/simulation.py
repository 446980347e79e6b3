"""The synthetic ground truth: a staggered rollout of training over service centres.

The data-generating process is the one the evaluation issue fixes, so that tests (and the demo)
know the exact truth the estimators must recover:

- ``units`` districts in 14 regions over ``periods`` months; capacity c_i ~ N(0, 1), region
  effect a_r ~ N(0, 2²).
- Pilots: the two highest-capacity districts per region, first treated in month 7; the others
  spread over months 13, 19, 25, 31; 20 never treated. Pilots chosen for capacity is what makes
  a naive comparison of trained and untrained centres wrong.
- Untreated outcome Y⁰ = 60 + 3c_i + a_r + 0.1t + 1.5 sin(2πt/12) + u_it with AR(1) noise
  u_it = 0.5 u_i,t−1 + e, e ~ N(0, 2²).
- Effect τ_it = δ_G · h_i · s_it · (0.5 + 0.5 · min(1, (t − G_i)/12)) for t ≥ G_i, with
  δ = {7: 8, 13: 6, 19: 4, 25: 3, 31: 2}, h_i = 1 + 0.25 z_i and s_it the share of the
  district's staff trained, whose completions spread over the months after G_i − 1.

``scenario="homogeneous"`` sets τ = 5 in every treated cell; ``outcome="binomial"`` draws the
outcome as a count of successes out of a caseload (so the share is numerator / denominator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Effect size per first-treated month (percentage points at full training, full ramp).
COHORT_EFFECT: dict[int, float] = {7: 8.0, 13: 6.0, 19: 4.0, 25: 3.0, 31: 2.0}
LATER_COHORTS = (13, 19, 25, 31)
#: Cumulative share of a district's staff who have completed, by months since G − 1:
#: under half before the adoption month, over half from it on, most within a year.
TRAINED_BY_MONTH = (0.3, 0.6, 0.7, 0.76, 0.8, 0.84, 0.87, 0.9, 0.92, 0.94, 0.95, 0.96)

Scenario = Literal["heterogeneous", "homogeneous"]
OutcomeKind = Literal["share", "binomial"]


@dataclass(frozen=True)
class GroundTruth:
    """A generated panel, long format, one row per unit × period, with the truth kept.

    Columns (all numpy arrays of equal length): ``unit``, ``region``, ``period`` (1..T),
    ``first_treated`` (0 = never), ``staff``, ``trained`` (staff who completed by the end of
    the period), ``share_trained``, ``y0`` (untreated outcome), ``tau`` (true effect),
    ``outcome`` (observed), and for the binomial variant ``numerator`` and ``denominator``.
    """

    columns: dict[str, np.ndarray]
    capacity: np.ndarray
    periods: int

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def treated(self) -> np.ndarray:
        g = self.columns["first_treated"]
        return (g > 0) & (self.columns["period"] >= g)

    @property
    def att(self) -> float:
        """The true average effect on the treated cells (every unit × period with t ≥ G)."""
        return float(self.columns["tau"][self.treated].mean())

    def att_by_event_time(self) -> dict[int, float]:
        g = self.columns["first_treated"]
        e = self.columns["period"] - g
        mask = self.treated
        return {
            int(k): float(self.columns["tau"][mask & (e == k)].mean()) for k in np.unique(e[mask])
        }

    def att_by_cohort(self) -> dict[int, float]:
        g = self.columns["first_treated"]
        mask = self.treated
        return {
            int(k): float(self.columns["tau"][mask & (g == k)].mean()) for k in np.unique(g[mask])
        }

    def to_frame(self):  # pragma: no cover - thin pandas wrapper
        import pandas as pd

        return pd.DataFrame(self.columns)


def trained_share(staff: int, months_since_start: int) -> int:
    """How many of ``staff`` have completed ``months_since_start`` months after G − 1."""
    if months_since_start < 0:
        return 0
    k = min(months_since_start, len(TRAINED_BY_MONTH) - 1)
    return int(np.floor(TRAINED_BY_MONTH[k] * staff + 1e-9))


def assign_cohorts(
    capacity: np.ndarray,
    region: np.ndarray,
    rng: np.random.Generator,
    never_treated: int = 20,
    pilot_month: int = 7,
    later: tuple[int, ...] = LATER_COHORTS,
) -> np.ndarray:
    """First-treated month per unit: two highest-capacity units per region are pilots, then
    ``never_treated`` of the rest (at random) are never treated, the others spread evenly over
    the later waves."""
    n = capacity.size
    first = np.zeros(n, dtype=np.int64)
    for r in np.unique(region):
        members = np.flatnonzero(region == r)
        top = members[np.argsort(-capacity[members])[:2]]
        first[top] = pilot_month
    rest = np.flatnonzero(first == 0)
    rng.shuffle(rest)
    never = rest[:never_treated]
    waves = rest[never_treated:]
    for k, idx in enumerate(waves):
        first[idx] = later[k % len(later)]
    first[never] = 0
    return first


def generate(
    seed: int = 0,
    *,
    units: int = 200,
    regions: int = 14,
    periods: int = 36,
    scenario: Scenario = "heterogeneous",
    outcome: OutcomeKind = "share",
    staff_range: tuple[int, int] = (20, 30),
    first_treated: np.ndarray | None = None,
    staff: np.ndarray | None = None,
    region: np.ndarray | None = None,
) -> GroundTruth:
    """Generate one panel. ``first_treated`` and ``staff`` may be given (the demo passes the
    demo organisation's real pilots and staff counts); otherwise they are drawn."""
    rng = np.random.default_rng(seed)
    region = np.arange(units) % regions if region is None else np.asarray(region)
    capacity = rng.normal(0.0, 1.0, units)
    region_effect = rng.normal(0.0, 2.0, regions)
    heterogeneity = 1.0 + 0.25 * rng.normal(0.0, 1.0, units)
    if first_treated is None:
        first_treated = assign_cohorts(capacity, region, rng)
    else:
        # Given cohorts (the demo organisation's pilots): pilots get the highest capacities, as
        # the real pilots were chosen for capacity.
        first_treated = np.asarray(first_treated, dtype=np.int64)
        pilots = np.flatnonzero(first_treated == first_treated[first_treated > 0].min())
        others = np.setdiff1d(np.arange(units), pilots)
        ranked = np.sort(capacity)[::-1]
        capacity = np.empty(units)
        capacity[rng.permutation(pilots)] = ranked[: pilots.size]
        capacity[rng.permutation(others)] = ranked[pilots.size :]
    first_treated = np.asarray(first_treated, dtype=np.int64)
    if staff is None:
        staff = rng.integers(staff_range[0], staff_range[1] + 1, units)
    staff = np.asarray(staff, dtype=np.int64)

    t = np.arange(1, periods + 1)
    # AR(1) noise, started from its stationary distribution.
    e = rng.normal(0.0, 2.0, (units, periods))
    u = np.empty((units, periods))
    u[:, 0] = rng.normal(0.0, 2.0 / np.sqrt(1 - 0.25), units)
    for k in range(1, periods):
        u[:, k] = 0.5 * u[:, k - 1] + e[:, k]
    y0 = (
        60.0
        + 3.0 * capacity[:, None]
        + region_effect[region][:, None]
        + 0.1 * t[None, :]
        + 1.5 * np.sin(2 * np.pi * t[None, :] / 12)
        + u
    )

    g = first_treated[:, None]
    since_start = t[None, :] - (g - 1)
    trained = np.zeros((units, periods), dtype=np.int64)
    treated_unit = first_treated > 0
    for i in np.flatnonzero(treated_unit):
        trained[i] = [trained_share(int(staff[i]), int(m)) for m in since_start[i]]
    share = trained / staff[:, None]
    on = (g > 0) & (t[None, :] >= g)
    if scenario == "homogeneous":
        tau = np.where(on, 5.0, 0.0)
    else:
        delta = np.array([COHORT_EFFECT.get(int(x), 0.0) for x in first_treated])
        ramp = 0.5 + 0.5 * np.minimum(1.0, (t[None, :] - g) / 12.0)
        tau = np.where(on, delta[:, None] * heterogeneity[:, None] * share * ramp, 0.0)
    y = y0 + tau

    columns: dict[str, np.ndarray] = {
        "unit": np.repeat(np.arange(units), periods),
        "region": np.repeat(region, periods),
        "period": np.tile(t, units),
        "first_treated": np.repeat(first_treated, periods),
        "staff": np.repeat(staff, periods),
        "trained": trained.ravel(),
        "share_trained": share.ravel(),
        "y0": y0.ravel(),
        "tau": tau.ravel(),
    }
    if outcome == "binomial":
        # A caseload per unit and month; the outcome is the share of cases meeting the
        # standard, observed as a count. The truth (y0, tau) stays on the probability scale.
        denominator = rng.poisson(120, (units, periods)) + 20
        p = np.clip(y / 100.0, 0.0, 1.0)
        numerator = rng.binomial(denominator, p)
        columns["numerator"] = numerator.ravel()
        columns["denominator"] = denominator.ravel()
        columns["outcome"] = (100.0 * numerator / denominator).ravel()
    else:
        columns["outcome"] = y.ravel()
    return GroundTruth(columns=columns, capacity=capacity, periods=periods)
