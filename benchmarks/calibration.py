"""Calibration benchmark: one athlete's fit, a squad of 30 with draws, and coverage.

- ``fit_one``: the Clarke & Skiba (2013) cyclist, Banister with five free parameters,
  multi-start, 200 draws and diagnostics (median of repeats after a warm-up); Laplace is
  poor on this athlete's ridge, so the draws come from the 40-refit parametric bootstrap;
  accuracy beside it: the SSE against the published 20.25 W^2.
- ``fit_one_synthetic``: a synthetic athlete (240 days, a test every 7-14 days).
- ``squad_30``: 30 synthetic athletes, each a five-parameter fit with 200 draws, and the
  squad file built and written (one process, sequential).
- ``injury_fit_30x3``: the squad injury hazard (:func:`calibration.fit_injury_model`,
  with the checks of both logs and 200 draws) from a simulated log of 30 athletes over 3
  seasons (tests/test_injury_fit.py's simulator: the twin's hazard and event kernels).
- ``coverage``: 200 synthetic athletes with known parameters (tests/calib_synthetic.py):
  the fraction whose 90 % interval (from the draws) holds the truth, per parameter.
  Goals from the issue: 50 ms per athlete, 5 s per squad of 30.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import time_call
from calibration import (
    example_athlete,
    fit_banister,
    profile_likelihood,
    squad_dataset,
    write_squad_calibration,
)
from tests.calib_synthetic import athlete

NAMES = ("p0", "k1", "k2", "tau1", "tau2")


def _squad(n: int, n_draws: int, seed: int = 1) -> float:
    rng = np.random.default_rng(seed)
    data = [athlete(rng) for _ in range(n)]
    t0 = time.perf_counter()
    est = {}
    for i, (load, tests, _) in enumerate(data):
        fit = fit_banister(load, tests, n_draws=n_draws, key=f"s{i}")
        est[f"s{i}"] = {f"banister.{nm}": (float(getattr(fit.params, nm)), fit.draws[:, j])
                        for j, nm in enumerate(fit.names)}
    with tempfile.TemporaryDirectory() as tmp:
        write_squad_calibration(squad_dataset(est, n_draws), Path(tmp) / "squad.nc")
    return time.perf_counter() - t0


def _injury_fit(repeats: int) -> dict:
    from calibration import fit_injury_model
    from tests.test_injury_fit import prior_truths, simulate

    exposure, injuries = simulate(prior_truths(1, 7), 30, 3, seed=7)
    med, best = time_call(lambda: fit_injury_model(exposure[0], injuries[0]), repeats)
    return {"case": "injury_fit_30x3", "athletes": 30, "median_s": med, "min_s": best,
            "exposure_rows": len(exposure[0]), "injuries": len(injuries[0])}


def run(quick: bool) -> list[dict]:
    repeats = 1 if quick else 7
    d = example_athlete()
    rows = []
    fit = fit_banister(d["load_au"], d["test_power_w"])
    med, best = time_call(lambda: fit_banister(d["load_au"], d["test_power_w"]), repeats)
    row = {"case": "fit_one", "athletes": 1, "median_s": med, "min_s": best,
           "sse": fit.sse, "converged": fit.converged}
    row.update({nm: float(getattr(fit.params, nm)) for nm in NAMES})
    row.update({f"{nm}_q05": fit.interval(nm)[0] for nm in NAMES})
    row.update({f"{nm}_q95": fit.interval(nm)[1] for nm in NAMES})
    if not quick:
        for nm in ("tau1", "tau2"):
            prof = profile_likelihood(fit, d["load_au"], d["test_power_w"], nm, n_grid=31)
            row[f"{nm}_profile_lo"], row[f"{nm}_profile_hi"] = prof["interval"]
    row["condition_number"] = fit.diagnostics.condition_number
    row["ess"] = fit.diagnostics.ess
    row["draws_method"] = ("parametric bootstrap (Laplace poor)"
                           if any("bootstrap" in f for f in fit.diagnostics.flags) else "Laplace")
    rows.append(row)
    rng = np.random.default_rng(0)
    load, tests, _ = athlete(rng)
    med, best = time_call(lambda: fit_banister(load, tests), repeats)
    rows.append({"case": "fit_one_synthetic", "athletes": 1, "median_s": med, "min_s": best})
    n_squad = 5 if quick else 30
    _squad(2, 20)  # warm-up (JAX compilation per padded length)
    times = [_squad(n_squad, 200, seed) for seed in range(1 if quick else 3)]
    rows.append({"case": f"squad_{n_squad}", "athletes": n_squad,
                 "median_s": float(np.median(times)), "min_s": float(np.min(times))})
    rows.append(_injury_fit(repeats))
    rows += _scipy_fd(d, repeats, quick)
    n_cov = 10 if quick else 200
    rng = np.random.default_rng(2026)
    hits = {nm: 0 for nm in NAMES}
    widths = {nm: [] for nm in NAMES}
    for i in range(n_cov):
        load, tests, truth = athlete(rng)
        f = fit_banister(load, tests, key=f"cov{i}")
        for nm in NAMES:
            lo, hi = f.interval(nm)
            hits[nm] += int(lo <= getattr(truth, nm) <= hi)
            widths[nm].append((hi - lo) / getattr(truth, nm))
    cov = {"case": "coverage", "athletes": n_cov}
    cov.update({f"{nm}_coverage": hits[nm] / n_cov for nm in NAMES})
    cov.update({f"{nm}_median_rel_width": float(np.median(widths[nm])) for nm in NAMES})
    rows.append(cov)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| case | athletes | median (s) | min (s) | per athlete (ms) |",
             "|---|---|---|---|---|"]
    for r in rows:
        if "median_s" in r:
            lines.append(f"| {r['case']} | {r['athletes']} | {r['median_s']:.4f} | "
                         f"{r['min_s']:.4f} | {r['median_s'] / r['athletes'] * 1e3:.1f} |")
    one = rows[0]
    lines.append(f"\nClarke & Skiba 2013 cyclist, five free parameters: SSE {one['sse']:.4f} "
                 f"W^2 (published 20.25; goal <= 20.26); refinements converged: "
                 f"{one['converged']}; condition number {one['condition_number']:.3g}.\n")
    lines.append(f"Draws: {one['draws_method']}; importance ESS of the Laplace proposals "
                 f"{one['ess']:.2g}.\n")
    lines.append("| parameter | estimate | 90 % interval (draws) | 90 % profile "
                 "interval (grid) |")
    lines.append("|---|---|---|---|")
    for nm in NAMES:
        prof = (f"[{one[f'{nm}_profile_lo']:.4g}, {one[f'{nm}_profile_hi']:.4g}]"
                if f"{nm}_profile_lo" in one else "")
        lines.append(f"| {nm} | {one[nm]:.5g} | [{one[f'{nm}_q05']:.4g}, "
                     f"{one[f'{nm}_q95']:.4g}] | {prof} |")
    fd = [r for r in rows if "nfev_budget" in r]
    lines.append("\nPoint fit of the same cyclist, ours (exact JAX Jacobian) beside SciPy "
                 "least_squares with 2-point finite differences from the same starts "
                 "(max_nfev per start): "
                 + "; ".join(f"{r['case']}: SSE {r['sse']:.4f} W^2 in "
                             f"{r['min_s']:.3f} s"
                             + (f", {r['residual_evals']} residual evaluations"
                                if r.get("residual_evals") else "") for r in fd) + ".\n")
    cov = rows[-1]
    lines.append(f"\nCoverage of the 90 % intervals on {cov['athletes']} synthetic athletes "
                 "(known parameters, five free; binomial SD "
                 f"{np.sqrt(0.09 / cov['athletes']):.3f}):\n")
    lines.append("| parameter | coverage | median interval width / truth |")
    lines.append("|---|---|---|")
    for nm in NAMES:
        lines.append(f"| {nm} | {cov[f'{nm}_coverage']:.3f} | "
                     f"{cov[f'{nm}_median_rel_width']:.3f} |")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k != "case", k))
    with (out / "calibration.csv").open("w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(str(r.get(k, "")) for k in keys) + "\n")


def _scipy_fd(d: dict, repeats: int, quick: bool) -> list[dict]:
    """Our point fit beside SciPy's least_squares with finite differences (module docstring)."""
    from scipy.optimize import least_squares

    import calibration._fit as cf
    from benchmarks.peers import numba_threads
    from calibration._models import MODELS
    from physiology.fitness_fatigue import BanisterParams, banister

    load, y = d["load_au"], d["test_power_w"]
    starts = []
    orig = cf.least_squares

    def spy(fun, x0, *args, **kwargs):
        starts.append(np.array(x0))
        return orig(fun, x0, *args, **kwargs)

    cf.least_squares = spy
    try:
        fit_banister(load, y, uncertainty="none", n_draws=1)
    finally:
        cf.least_squares = orig
    spec = MODELS["banister"]
    is_log = np.array([n in spec.log_fields for n in spec.names])
    low, high = spec.bounds()
    z_low, z_high = np.where(is_log, np.log(np.maximum(low, 1e-300)), low), \
        np.where(is_log, np.log(high), high)
    tests = np.flatnonzero(np.isfinite(y))
    evals = [0]

    def resid(z):
        evals[0] += 1
        theta = np.where(is_log, np.exp(z), z)
        return banister(load, BanisterParams(*theta)).performance[tests] - y[tests]

    rows = []
    for budget in (50,) if quick else (50, 500):
        reps = repeats if budget == 50 else min(repeats, 3)
        fit = fit_banister(load, y, uncertainty="none", n_draws=1, max_nfev=budget)
        med, best = time_call(lambda b=budget: fit_banister(load, y, uncertainty="none",
                                                            n_draws=1, max_nfev=b), reps)
        rows.append({"case": f"point fit (max_nfev {budget})", "athletes": 1, "median_s": med,
                     "min_s": best, "sse": fit.sse, "nfev_budget": budget})

        def scipy_fit(b=budget):
            sse = np.inf
            for z0 in starts:
                sol = least_squares(resid, z0, jac="2-point", bounds=(z_low, z_high),
                                    method="trf", x_scale="jac", xtol=1e-12, ftol=1e-12,
                                    gtol=1e-10, max_nfev=b)
                sse = min(sse, float(sol.fun @ sol.fun))
            return sse

        with numba_threads(1):
            evals[0] = 0
            sse = scipy_fit()
            n_evals = evals[0]
            med, best = time_call(scipy_fit, reps)
        rows.append({"case": f"scipy 2-point (max_nfev {budget})", "athletes": 1,
                     "median_s": med, "min_s": best, "sse": sse, "nfev_budget": budget,
                     "residual_evals": n_evals})
    return rows
