"""Work-precision: error against a tight reference beside wall time, per solver and model.

The method of the SciML benchmarks. The problem: a week on the light schedule of an
8-h eastward trip (:func:`schedule`: two days at home, a 10:00 departure, 11 h in cabin
light, four days away; light from :func:`physiology.circadian.light_day`, London on 20
March, indoors only: 0 lux in bed 23:00-07:00, 150 lux while the sun is up, 50 lux after
sunset), 165 h. The light changes on whole hours only, so every dt
below divides its steps and RK4 keeps its order (the light is constant within a step).
All solvers start from the state entrained on the home day and integrate the kernel's own
right-hand side (:mod:`benchmarks.peers`). Error: the maximum over the hourly samples
(0..165 h) and the three state variables of ``|y - y_ref|`` (the states are O(1); for
hannay19 the second state is the unwrapped phase, so its error is a phase error in rad).
Reference: DOP853 at rtol = atol = 1e-13, restarted at every change of light; its own
error is estimated by its distance to the rtol = atol = 1e-12 solution (reported). Time:
the minimum of up to 10 runs (at least 2, fewer once 2 s are spent) after a warm-up run
(which compiles), in one process.

Solvers: our RK4 (:func:`physiology.circadian.simulate`, Numba on one thread and JAX) at dt in
{0.5, 0.2, 0.1, 0.05, 0.02} h; ``solve_ivp`` RK45, DOP853 and LSODA at rtol = atol in
1e-3..1e-10; diffrax Tsit5 and Dopri5 with a PID controller (``jump_ts`` at the light
changes) at the same tolerances; the ``circadian`` package's RK4 at our dt values.

The sleep two-process model is a hybrid (switching at thresholds), integrated exactly
between grid points: see :mod:`benchmarks.sleep_hybrid` for its case, reference (the
closed form with exactly located switches) and error (Process S on the hourly grid). Its
peers are ``solve_ivp`` with terminal events; diffrax and the ``circadian`` package are not
run on it (the latter's ``TwoProcessModel`` is a different variant, marked "under
construction" by its authors).
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks import peers, sleep_hybrid
from benchmarks.common import equinox_elevation
from physiology.circadian import MODELS, equilibrate, light_day, simulate, trip
from physiology.sleep import two_process

DTS = (0.5, 0.2, 0.1, 0.05, 0.02)
RTOLS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
METHODS = ("RK45", "DOP853", "LSODA")
DIFFRAX = ("Tsit5", "Dopri5")
REF_RTOL = 1e-13
SLEEP_HOURS = 144.0


def timed(fn: Callable[[], object], repeats: int, budget_s: float = 2.0, *,
          warmup: bool = True) -> tuple[float, float]:
    """Median and minimum wall time (s) of up to ``repeats`` calls after a warm-up call
    (compilation), stopping early (after at least two) once ``budget_s`` is spent."""
    if warmup:
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < repeats and (len(times) < 2 or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def schedule() -> tuple[np.ndarray, np.ndarray]:
    """Light (lux) on a 1-h grid for the 8-h eastward trip, and the home day it repeats."""
    home = light_day(equinox_elevation(1.0), 1.0, outdoor=())  # indoor levels: numerics only
    return trip(home, 1.0, 8.0, 2, 4, depart_h=10.0, flight_h=11.0).light, home


def run(quick: bool) -> list[dict]:
    dts = (0.2, 0.1, 0.05) if quick else DTS
    rtols = (1e-4, 1e-7) if quick else RTOLS
    repeats = 3 if quick else 10
    rows = []
    with peers.numba_threads(1):  # one trajectory per call
        for model in MODELS:
            rows += _circadian(model, dts, rtols, repeats, quick)
        rows += _sleep(dts, rtols, repeats)
    return rows


def _row(model, method, impl, setting, value, error, med, best, evals=None) -> dict:
    return {"model": model, "method": method, "impl": impl, "setting": setting,
            "value": value, "error": float(error), "median_s": med, "min_s": best,
            "rhs_evals": evals}


def _circadian(model: str, dts, rtols, repeats: int, quick: bool) -> list[dict]:
    light, home = schedule()
    t_s = np.arange(light.size + 1.0)
    y0 = equilibrate(np.repeat(home, 10), 0.1, model)
    ref, _ = peers.solve_ivp_piecewise(model, light, 1.0, y0, t_s, "DOP853", REF_RTOL,
                                       REF_RTOL)
    check, _ = peers.solve_ivp_piecewise(model, light, 1.0, y0, t_s, "DOP853", 1e-12, 1e-12)
    rows = [_row(model, "reference", "DOP853 1e-13 vs 1e-12", "rtol", 1e-12,
                 np.max(np.abs(check - ref)), np.nan, np.nan)]
    err = lambda y: np.max(np.abs(np.asarray(y) - ref))  # noqa: E731
    for dt in dts:
        k = round(1.0 / dt)
        fine = np.repeat(light, k)
        for impl, platform in [("numba", None)] + [(f"jax ({p})", p)
                                                   for p in peers.jax_platforms()]:
            backend = "numba" if platform is None else "jax"
            call = lambda b=backend, x=fine, d=dt: simulate(x, d, model, state0=y0,  # noqa: E731
                                                            backend=b)
            with peers.on_platform(platform or "cpu"):
                med, best = timed(call, repeats)
                y = call()[::k]
            rows.append(_row(model, "RK4", impl, "dt", dt, err(y), med, best,
                             4 * fine.size))
    for method in METHODS:
        for rtol in rtols:
            call = lambda m=method, r=rtol: peers.solve_ivp_piecewise(  # noqa: E731
                model, light, 1.0, y0, t_s, m, r, r)
            med, best = timed(call, repeats)
            y, nfev = call()
            rows.append(_row(model, method, "scipy", "rtol", rtol, err(y), med, best, nfev))
    rows += _diffrax(model, light, t_s, y0, err, rtols, repeats, quick)
    rows += _peer(model, light, y0, err, (0.1,) if quick else dts, repeats, quick)
    return rows


def _diffrax(model, light, t_s, y0, err, rtols, repeats, quick) -> list[dict]:
    why = peers.missing("diffrax")
    if why:
        return [_row(model, "Tsit5/Dopri5", f"diffrax: {why}", "", np.nan, np.nan, np.nan,
                     np.nan)]
    if quick and model != "forger99":
        return []
    import jax.numpy as jnp

    from physiology.kernels import x64

    rows = []
    for solver in DIFFRAX[:1] if quick else DIFFRAX:
        for platform in peers.jax_platforms():
            with x64(), peers.on_platform(platform):
                f = peers.diffrax_solver(model, light, 1.0, t_s, solver)
                y0j = jnp.asarray(y0)
                for rtol in rtols:
                    y, steps, ok = f(y0j, rtol, rtol)
                    if not bool(ok):  # a failed solve has no time worth reporting
                        rows.append(_row(model, solver, f"diffrax ({platform})", "rtol",
                                         rtol, np.nan, np.nan, np.nan, 6 * int(steps)))
                        continue
                    call = lambda r=rtol, f=f, y=y0j: f(y, r, r)[0].block_until_ready()  # noqa: E731
                    med, best = timed(call, repeats)
                    rows.append(_row(model, solver, f"diffrax ({platform})", "rtol", rtol,
                                     err(y), med, best, 6 * int(steps)))
    return rows


def _peer(model, light, y0, err, dts, repeats, quick) -> list[dict]:
    why = peers.missing("circadian")
    if why:
        return [_row(model, "RK4", f"circadian: {why}", "", np.nan, np.nan, np.nan, np.nan)]
    if quick and model != "forger99":
        return []
    rows = []
    for dt in dts:
        k = round(1.0 / dt)
        fine = np.repeat(light, k)
        call = lambda x=fine, d=dt: peers.circadian_peer(model, x, d, y0)  # noqa: E731
        med, best = timed(call, repeats)
        rows.append(_row(model, "RK4", "circadian (PyPI)", "dt", dt, err(call()[::k]), med,
                         best, 4 * fine.size))
    return rows


def _sleep(dts, rtols, repeats) -> list[dict]:
    t_s = np.arange(SLEEP_HOURS + 1.0)
    ref = sleep_hybrid.exact(SLEEP_HOURS, t_s)
    check, _ = sleep_hybrid.solve_ivp_events(SLEEP_HOURS, t_s, "DOP853", 1e-12, 1e-12)
    rows = [_row("two_process", "reference", "exact vs DOP853 1e-12 (events)", "rtol", 1e-12,
                 np.max(np.abs(check - ref)), np.nan, np.nan)]
    for dt in dts:
        k, n = round(1.0 / dt), round(SLEEP_HOURS / dt)
        body_hour = (np.arange(n) * dt) % 24.0
        for impl, platform in [("numba", None)] + [(f"jax ({p})", p)
                                                   for p in peers.jax_platforms()]:
            backend = "numba" if platform is None else "jax"
            call = lambda b=backend, d=dt, h=body_hour: two_process(  # noqa: E731
                h, d, 1.0, s0=sleep_hybrid.S0, asleep0=0.0, backend=b)
            with peers.on_platform(platform or "cpu"):
                med, best = timed(call, repeats)
                s = np.r_[sleep_hybrid.S0, call().s[k - 1::k]]
            rows.append(_row("two_process", "exact steps, switch on grid", impl, "dt", dt,
                             np.max(np.abs(s - ref)), med, best, n))
    for method in METHODS:
        for rtol in rtols:
            call = lambda m=method, r=rtol: sleep_hybrid.solve_ivp_events(  # noqa: E731
                SLEEP_HOURS, t_s, m, r, r)
            med, best = timed(call, repeats)
            s, nfev = call()
            rows.append(_row("two_process", f"{method} + events", "scipy", "rtol", rtol,
                             np.max(np.abs(s - ref)), med, best, nfev))
    return rows


def fitted_order(rows: list[dict], model: str, impl: str = "numba",
                 max_dt: float = 0.2) -> float:
    """Slope of log(error) against log(dt) over the fixed-step rows with dt <= max_dt."""
    pts = [(r["value"], r["error"]) for r in rows if r["model"] == model
           and r["impl"] == impl and r["setting"] == "dt" and r["value"] <= max_dt + 1e-12]
    dt, e = np.log(np.array(pts)).T
    return float(np.polyfit(dt, e, 1)[0])


def table(rows: list[dict]) -> str:
    out = [peers.jax_note(), peers.load_note(), "",
           "Error: max abs over hourly samples and state variables against the reference "
           "(module docstring of `benchmarks/work_precision.py`); time: minimum of repeats "
           "after warm-up, ms. Cells: error / ms; 'failed': the solver gave up (diffrax: its step "
           "limit reached).", ""]
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model]
        ref = next(r for r in mine if r["method"] == "reference")
        order = fitted_order(rows, model)
        out.append(f"**{model}** (reference {ref['impl']}: {ref['error']:.1e}; fitted order "
                   f"of the fixed-step error, dt <= 0.2 h: {order:.2f})\n")
        for setting, unit in (("dt", "dt (h)"), ("rtol", "rtol = atol")):
            timed_rows = [r for r in mine if r["setting"] == setting and r["method"]
                          != "reference"]
            values = sorted({r["value"] for r in timed_rows}, reverse=True)
            if not values:
                continue
            out.append(f"| method | {unit}: " + " | ".join(f"{v:g}" for v in values) + " |")
            out.append("|---|" + "---|" * len(values))
            for key in dict.fromkeys((r["method"], r["impl"]) for r in timed_rows):
                cells = {r["value"]: f"{r['error']:.1e} / {r['min_s'] * 1e3:.3g}"
                         if np.isfinite(r["error"]) else "failed"
                         for r in timed_rows if (r["method"], r["impl"]) == key}
                out.append(f"| {key[0]}, {key[1]} | "
                           + " | ".join(cells.get(v, "") for v in values) + " |")
            out.append("")
        skipped = [r for r in mine if not r["setting"]]
        out += [f"Not run: {r['impl']}." for r in skipped]
        out.append("")
    return "\n".join(out).rstrip()


def write_outputs(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    keys = ["model", "method", "impl", "setting", "value", "error", "median_s", "min_s",
            "rhs_evals"]
    with (out / "work_precision.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(keys)
        writer.writerows([("" if r[k] is None else r[k]) for k in keys] for r in rows)
    models = list(dict.fromkeys(r["model"] for r in rows))
    cols = 2 if len(models) > 1 else 1
    fig, axes = plt.subplots(-(-len(models) // cols), cols, figsize=(6.5 * cols, 4.8 * (
        -(-len(models) // cols))), squeeze=False)
    for ax in axes.flat[len(models):]:
        ax.set_visible(False)
    for ax, model in zip(axes.flat, models, strict=False):
        mine = [r for r in rows if r["model"] == model and r["setting"]
                and r["method"] != "reference"]
        for key in dict.fromkeys((r["method"], r["impl"]) for r in mine):
            # joined in the order of the setting (coarse to fine), as in the SciML plots
            pts = sorted(((r["value"], r["min_s"], r["error"]) for r in mine
                          if (r["method"], r["impl"]) == key and np.isfinite(r["error"])),
                         reverse=True)
            _, t, e = np.array(pts).T
            style = "o-" if key[0] in ("RK4", "exact steps, switch on grid") else "s--"
            ax.loglog(t, np.maximum(e, 1e-16), style, ms=3, label=f"{key[0]}, {key[1]}")
        ax.set_title(model)
        ax.set_xlabel("wall time (s), min of repeats")
        ax.set_ylabel("max abs error vs reference")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out / "work_precision.png", dpi=110)
    plt.close(fig)
