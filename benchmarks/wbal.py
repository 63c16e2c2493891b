"""W' balance benchmark: a 3-hour ride at 1 Hz, single and as a batch of 10 000.

Each method on both backends through the public API (validation and D_CP included),
median of repeated runs after a warm-up. Accuracy beside speed: the largest Numba-JAX
difference, and for the integral method the largest error against the direct O(n^2)
sum of its definition on the first hour of one ride (the full double sum over 10 800
samples is itself what the O(n) recursion avoids).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.common import time_call
from physiology.energetics import METHODS, session_d_cp, tau_skiba, w_prime_balance
from tests.oracles import wbal_direct_sum

CP, W_PRIME = 280.0, 20_000.0


def _rides(batch: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Intermittent rides: a gamma-distributed base with surges above CP."""
    base = rng.gamma(4.0, 50.0, (batch, n))
    surges = (rng.random((batch, n)) < 0.02) * rng.uniform(100, 500, (batch, n))
    return base + np.repeat(surges[:, ::20], 20, axis=1)[:, :n]


def _direct_error(power: np.ndarray) -> float:
    ref = wbal_direct_sum(power, CP, W_PRIME, tau_skiba(session_d_cp(power, CP)), 1.0)
    return float(np.max(np.abs(w_prime_balance(power, CP, W_PRIME) - ref)) / W_PRIME)


def run(quick: bool) -> list[dict]:
    n = 600 if quick else 3 * 3600
    sizes = (1, 100) if quick else (1, 10_000)
    repeats = 3 if quick else 7
    rng = np.random.default_rng(7)
    rows = []
    for batch in sizes:
        power = _rides(batch, n, rng)
        series = power[0] if batch == 1 else power
        for method in METHODS:
            outs = {}
            for backend in ("numba", "jax"):
                med, best = time_call(
                    lambda m=method, b=backend, x=series: w_prime_balance(x, CP, W_PRIME, m,
                                                                          backend=b), repeats)
                outs[backend] = w_prime_balance(series, CP, W_PRIME, method, backend=backend)
                rows.append({"method": method, "backend": backend, "batch": batch,
                             "samples": n, "median_s": med, "min_s": best,
                             "samples_per_s": batch * n / med})
            diff = float(np.max(np.abs(outs["numba"] - outs["jax"])))
            for row in rows[-2:]:
                row["max_abs_numba_minus_jax_j"] = diff
        del power
    rows.append({"method": "integral_vs_direct_sum", "samples": min(n, 3600),
                 "max_rel_error": _direct_error(_rides(1, min(n, 3600), rng)[0])})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| method | backend | batch x samples | median (ms) | samples/s | "
             "max abs Numba-JAX (J) |", "|---|---|---|---|---|---|"]
    for r in rows:
        if "median_s" in r:
            lines.append(f"| {r['method']} | {r['backend']} | {r['batch']} x {r['samples']} | "
                         f"{r['median_s'] * 1e3:.2f} | {r['samples_per_s']:.3g} | "
                         f"{r['max_abs_numba_minus_jax_j']:.1e} |")
        else:
            lines.append(f"\nIntegral model (O(n) recursion) vs its direct O(n^2) double sum, "
                         f"{r['samples']} s at 1 Hz: max error {r['max_rel_error']:.1e} of W'.")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = ["method", "backend", "batch", "samples", "median_s", "min_s", "samples_per_s",
            "max_abs_numba_minus_jax_j", "max_rel_error"]
    with (out / "wbal.csv").open("w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(str(r.get(k, "")) for k in keys) + "\n")
