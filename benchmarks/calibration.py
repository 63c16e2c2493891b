"""Calibration benchmark: one athlete's fit, a squad of 30 with draws, and coverage.

- ``fit_one``: the Clarke & Skiba (2013) cyclist, Banister with five free parameters:
  the exact variable-projection fit, profile intervals of every parameter and 200 draws
  (median of repeats after a warm-up); beside it the SSE against the published 20.25 W^2
  and the exact optimum 18.300 W^2, and tau1's interval with the chi-square threshold.
- ``fit_one_synthetic``: a synthetic athlete (240 days, a test every 7-14 days).
- ``squad_30``: 30 synthetic athletes, each a five-parameter fit with 200 draws, and the
  squad file built and written (one process, sequential).
- ``injury_fit_30x3``: the squad injury hazard (:func:`calibration.fit_injury_model`,
  with the checks of both logs and 200 draws) from a simulated log of 30 athletes over 3
  seasons (tests/test_injury_fit.py's simulator: the twin's hazard and event kernels).
- peer: the point fit beside SciPy's trust-region least squares on all five parameters
  (finite differences, 8 starts), the route the projection replaces.
- ``coverage``: 200 synthetic athletes with known parameters (tests/calib_synthetic.py,
  seed 2026) and 1 000 more (seed 99): the fraction whose 90 % profile interval, and
  whose draws' 5-95 % range, holds the truth, per parameter.
  Goals from issue 18: 200 ms per athlete with its draws; coverage 0.87-0.93.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import chi2

from benchmarks.common import time_call
from calibration import (
    example_athlete,
    fit_banister,
    squad_dataset,
    write_squad_calibration,
)
from calibration._models import MODELS
from calibration._projection import Projection
from calibration._surface import Surface
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


def _cyclist_row(d: dict, repeats: int) -> dict:
    fit = fit_banister(d["load_au"], d["test_power_w"])
    med, best = time_call(lambda: fit_banister(d["load_au"], d["test_power_w"]), repeats)
    row = {"case": "fit_one", "athletes": 1, "median_s": med, "min_s": best,
           "sse": fit.sse, "condition_number": fit.diagnostics.condition_number,
           "unidentified": " ".join(fit.diagnostics.unidentified)}
    row.update({nm: float(getattr(fit.params, nm)) for nm in NAMES})
    row.update({f"{nm}_lo": fit.interval(nm)[0] for nm in NAMES})
    row.update({f"{nm}_hi": fit.interval(nm)[1] for nm in NAMES})
    row.update({f"{nm}_q05": fit.draws_interval(nm)[0] for nm in NAMES})
    row.update({f"{nm}_q95": fit.draws_interval(nm)[1] for nm in NAMES})
    # the asymptotic chi-square form of the same profile, for comparison with the issue
    proj = Projection(MODELS["banister"], d["load_au"], d["test_power_w"],
                      np.ones_like(d["load_au"]), 0.0, {})
    surf = Surface(proj, 5)
    thr = surf.s_min * np.exp(chi2.ppf(0.9, 1) / fit.n_tests)
    row["tau1_chi2_lo"], row["tau1_chi2_hi"] = surf.tau_interval(0, thr)
    return row


def _coverage(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    hits = {nm: 0 for nm in NAMES}
    dhits = {nm: 0 for nm in NAMES}
    widths = {nm: [] for nm in NAMES}
    for i in range(n):
        load, tests, truth = athlete(rng)
        f = fit_banister(load, tests, key=f"cov{i}")
        for nm in NAMES:
            lo, hi = f.interval(nm)
            hits[nm] += int(lo <= getattr(truth, nm) <= hi)
            widths[nm].append((hi - lo) / getattr(truth, nm))
            dlo, dhi = f.draws_interval(nm)
            dhits[nm] += int(dlo <= getattr(truth, nm) <= dhi)
    cov = {"case": f"coverage_{n}", "athletes": n, "seed": seed}
    cov.update({f"{nm}_coverage": hits[nm] / n for nm in NAMES})
    cov.update({f"{nm}_draws_coverage": dhits[nm] / n for nm in NAMES})
    cov.update({f"{nm}_median_rel_width": float(np.median(widths[nm])) for nm in NAMES})
    return cov


def run(quick: bool) -> list[dict]:
    repeats = 1 if quick else 7
    d = example_athlete()
    rows = [_cyclist_row(d, repeats)]
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
    rows += _peer_trf(d, repeats, quick)
    rows.append(_coverage(10 if quick else 200, 2026))
    if not quick:
        rows.append(_coverage(1000, 99))
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
                 f"W^2 (published 20.25; exact variable projection 18.300); condition "
                 f"number {one['condition_number']:.3g}; not bounded by the tests: "
                 f"{one['unidentified'] or 'none'}. tau1's profile interval with the "
                 f"asymptotic chi-square threshold instead of F(1, 4): "
                 f"[{one['tau1_chi2_lo']:.4g}, {one['tau1_chi2_hi']:.4g}] d.\n")
    lines.append("| parameter | estimate | 90 % profile interval (reported) | draws 5-95 % |")
    lines.append("|---|---|---|---|")
    for nm in NAMES:
        lines.append(f"| {nm} | {one[nm]:.5g} | [{one[f'{nm}_lo']:.4g}, "
                     f"{one[f'{nm}_hi']:.4g}] | [{one[f'{nm}_q05']:.4g}, "
                     f"{one[f'{nm}_q95']:.4g}] |")
    peer = [r for r in rows if r["case"].startswith(("exact", "scipy"))]
    lines.append("\nPoint fit of the same cyclist: " + "; ".join(
        f"{r['case']}: SSE {r['sse']:.4f} W^2 in {r['min_s']:.3f} s" for r in peer) + ".\n")
    for cov in (r for r in rows if r["case"].startswith("coverage")):
        lines.append(f"\nCoverage of the 90 % intervals on {cov['athletes']} synthetic "
                     f"athletes (seed {cov['seed']}; known parameters, five free; binomial "
                     f"SD {np.sqrt(0.09 / cov['athletes']):.3f}):\n")
        lines.append("| parameter | profile interval | draws 5-95 % | median profile "
                     "width / truth |")
        lines.append("|---|---|---|---|")
        for nm in NAMES:
            lines.append(f"| {nm} | {cov[f'{nm}_coverage']:.3f} | "
                         f"{cov[f'{nm}_draws_coverage']:.3f} | "
                         f"{cov[f'{nm}_median_rel_width']:.3f} |")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k != "case", k))
    with (out / "calibration.csv").open("w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(str(r.get(k, "")) for k in keys) + "\n")


def _peer_trf(d: dict, repeats: int, quick: bool) -> list[dict]:
    """Our exact point fit beside SciPy's trust-region least squares on all five
    parameters (2-point finite differences, 8 Halton starts in the plausible box, time
    constants on a log scale): the general-purpose route the projection replaces."""
    from scipy.optimize import least_squares
    from scipy.stats import qmc

    from benchmarks.peers import numba_threads
    from physiology.fitness_fatigue import BanisterParams, banister

    load, y = d["load_au"], d["test_power_w"]
    spec = MODELS["banister"]
    is_log = np.array([n in spec.log_fields for n in spec.names])
    low, high = spec.bounds()
    z_low = np.where(is_log, np.log(np.maximum(low, 1e-300)), low)
    z_high = np.where(is_log, np.log(high), high)
    starts = z_low + qmc.Halton(5, scramble=False).random(9)[1:] * (z_high - z_low)
    tests = np.flatnonzero(np.isfinite(y))

    def resid(z):
        theta = np.where(is_log, np.exp(np.where(is_log, z, 0.0)), z)
        return banister(load, BanisterParams(*theta)).performance[tests] - y[tests]

    fit = fit_banister(load, y, uncertainty="none", n_draws=1)
    med, best = time_call(lambda: fit_banister(load, y, uncertainty="none", n_draws=1),
                          repeats)
    rows = [{"case": "exact projection (point fit)", "athletes": 1, "median_s": med,
             "min_s": best, "sse": fit.sse}]
    for budget in (50,) if quick else (50, 500):
        def scipy_fit(b=budget):
            return min(float(np.sum(least_squares(
                resid, z0, jac="2-point", bounds=(z_low, z_high), method="trf",
                x_scale="jac", xtol=1e-12, ftol=1e-12, gtol=1e-10, max_nfev=b).fun ** 2))
                for z0 in starts)

        with numba_threads(1):
            sse = scipy_fit()
            med, best = time_call(scipy_fit, min(repeats, 3))
        rows.append({"case": f"scipy trf 2-point from 8 starts (max_nfev {budget})",
                     "athletes": 1, "median_s": med, "min_s": best, "sse": sse})
    return rows
