#!/usr/bin/env python
"""Time a full evaluation study on the ground-truth panel (200 centres × 36 months): the three
robust estimators with their event studies, 999 bootstrap replications, the naive TWFE with its
Bacon decomposition and the dose-response — the target is under 5 seconds.

Baseline in the same run: one plain OLS of the outcome on unit and month dummies with numpy
(the cheapest regression on the same panel), so the ratio says how many "plain regressions"
a study costs on this machine. Also reports accuracy against the known truth per seed.

    .venv/bin/python bench/evaluation_study.py [--seeds 5] [--bootstrap 999]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from evaluation import estimators  # noqa: E402
from evaluation.simulation import generate  # noqa: E402


def plain_ols(df) -> float:
    units = df["unit"].to_numpy()
    periods = df["period"].to_numpy()
    x = np.column_stack(
        [
            (units[:, None] == np.unique(units)[None, :]).astype(float),
            (periods[:, None] == np.unique(periods)[None, 1:]).astype(float),
        ]
    )
    start = time.perf_counter()
    np.linalg.lstsq(x, df["outcome"].to_numpy(), rcond=None)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--bootstrap", type=int, default=999)
    args = parser.parse_args()
    t = time.perf_counter()
    estimators._diff_diff()
    print(f"import diff_diff: {time.perf_counter() - t:.2f} s (once per worker process)")
    rows = []
    for seed in range(args.seeds):
        truth = generate(seed)
        df = truth.to_frame()
        base = min(plain_ols(df) for _ in range(3))
        start = time.perf_counter()
        result = estimators.study(df, n_bootstrap=args.bootstrap, seed=seed)
        elapsed = time.perf_counter() - start
        est = result["estimates"]
        true_att = truth.att
        by_e = truth.att_by_event_time()
        worst_e = max(
            abs(r["att"] - by_e[r["event_time"]])
            for m in ("cs", "bjs")
            for r in est[m]["event_study"]
            if r["event_time"] >= 0
        )
        rows.append((elapsed, base))
        print(
            f"seed {seed}: study {elapsed:.2f} s = {elapsed / base:,.0f} × plain OLS "
            f"({base * 1000:.1f} ms) | truth {true_att:.2f}: cs {est['cs']['att']:.2f}, "
            f"bjs {est['bjs']['att']:.2f}, sa {est['sa']['att']:.2f}, "
            f"twfe {est['twfe']['att']:.2f} (ratio {est['twfe']['att'] / true_att:.2f}, "
            f"forbidden weight {result['bacon']['forbidden_weight']:.2f}) | "
            f"worst event-time error {worst_e:.2f}"
        )
    times = [r[0] for r in rows]
    print(
        f"study time over {len(rows)} seeds: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (target < 5 s, {args.bootstrap} bootstrap replications)"
    )
    return 0 if max(times) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
