"""Circadian benchmark: a season at 0.1 h per trajectory and as a batch of 1 000.

DESIGN.md "Kernel" workload: 365 days at dt = 0.1 h (87 600 RK4 steps) for each model,
one trajectory and a batch of 1 000 (each with its own intrinsic period), both backends,
through :func:`physiology.circadian.simulate` with ``state0`` given (no equilibration in
the timing). Beside them, on the same model and light: a plain Python-loop RK4 (what
the peer Python packages do, per step) and ``scipy.integrate.solve_ivp`` (RK45 at
rtol 1e-8, restarted at every change of light), timed on a shorter span and reported per
step or per simulated day; where the ``bench`` extra is installed, the ``circadian``
package's own RK4 on one trajectory, timed on 20 days and scaled the same way. Accuracy
beside speed: the error of our RK4 at 0.1 h after
two days, against DOP853 at rtol = atol = 1e-12. The compiled loop is also timed alone
(preallocated output, 200 trajectories, 1 and all threads) in both layouts of the Numba
loop, one trajectory after another and trajectories as SIMD lanes
(:mod:`physiology.kernels.lanes`), timed alternately: the per-core kernel speed without
the API's validation and output transposition.
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path

import numpy as np

from benchmarks.common import time_call
from benchmarks.peers import solve_ivp_piecewise
from physiology.circadian import MODELS, simulate
from physiology.kernels import python_version

DT = 0.1
DAY = np.r_[np.full(70, 0.0), np.full(160, 300.0), np.full(10, 50.0)]


def _python_rk4_step_s(model: str, steps: int) -> float:
    """Seconds per step of a plain Python RK4 loop over the model's own right-hand side."""
    spec = MODELS[model]
    kernel = spec.kernel
    state, inputs = kernel.State._make, kernel.Inputs  # named tuples from values
    drive, rhs = python_version(kernel.drive), python_version(kernel.rhs)
    c, s = kernel.prepare(kernel.Params(*spec.params().values(), DT), state(spec.start))
    light = np.tile(DAY, math.ceil(steps / DAY.size))[:steps]
    t0 = time.perf_counter()
    for lux in light:
        d, k, dt = drive(inputs(float(lux)), c)
        k1 = rhs(s, d, k)
        k2 = rhs(state(a + 0.5 * dt * b for a, b in zip(s, k1, strict=True)), d, k)
        k3 = rhs(state(a + 0.5 * dt * b for a, b in zip(s, k2, strict=True)), d, k)
        k4 = rhs(state(a + dt * b for a, b in zip(s, k3, strict=True)), d, k)
        s = state(a + dt / 6 * (p + 2 * q + 2 * r + w)
                  for a, p, q, r, w in zip(s, k1, k2, k3, k4, strict=True))
    return (time.perf_counter() - t0) / steps


def _solve_ivp(model: str, days: int, rtol: float,
               method: str = "RK45") -> tuple[float, np.ndarray]:
    """Wall time and final state of solve_ivp over ``days`` of the home day, restarted at
    each light change (the light is piecewise constant; :mod:`benchmarks.peers`)."""
    light = np.tile(DAY, days)
    t0 = time.perf_counter()
    y, _ = solve_ivp_piecewise(model, light, DT, MODELS[model].start,
                               [0.0, light.size * DT], method, rtol, rtol)
    return time.perf_counter() - t0, y[-1]


def run(quick: bool) -> list[dict]:
    days = 10 if quick else 365
    batch = 20 if quick else 1000
    repeats = 2 if quick else 3
    rows = []
    for model, spec in MODELS.items():
        steps = days * DAY.size
        start = np.array(spec.start)
        _, exact = _solve_ivp(model, 2, 1e-12, "DOP853")
        rk4_error = float(np.max(np.abs(simulate(np.tile(DAY, 2), DT, model, state0=start)[-1]
                                        - exact)))
        for n in (1, batch):
            light = np.tile(DAY, days) if n == 1 else np.broadcast_to(np.tile(DAY, days),
                                                                      (n, steps))
            params = spec.params() if n == 1 else _spread_period(spec, n)
            for backend in ("numba", "jax"):
                med, _ = time_call(lambda b=backend, x=light, p=params, m=model, s0=start:
                                   simulate(x, DT, m, p, s0, backend=b), repeats)
                rows.append({"model": model, "what": f"simulate ({backend})", "batch": n,
                             "steps": steps, "median_s": med,
                             "ns_per_step": med / (n * steps) * 1e9,
                             "rk4_error_dt0.1": rk4_error})
        rows.extend(_loop_rows(model, 20 if quick else 200, days, repeats))
        per_step = _python_rk4_step_s(model, 2000 if quick else 20_000)
        rows.append({"model": model, "what": "Python-loop RK4", "batch": 1, "steps": steps,
                     "median_s": per_step * steps, "ns_per_step": per_step * 1e9})
        peer = _peer_row(model, steps, 2 if quick else 20)
        if peer:
            rows.append(peer)
        wall, _ = _solve_ivp(model, 2 if quick else 10, 1e-8)
        per_day = wall / (2 if quick else 10)
        rows.append({"model": model, "what": "solve_ivp RK45 rtol 1e-8", "batch": 1,
                     "steps": steps, "median_s": per_day * days,
                     "ns_per_step": per_day / DAY.size * 1e9})
    return rows


def _peer_row(model: str, steps: int, days: int) -> dict | None:
    """One trajectory through the ``circadian`` package's RK4 (the Arcascope package, its
    own NumPy loop; same model, parameters and light), timed on ``days`` and scaled to
    the season per step; None where the package is not installed (the ``bench`` extra)."""
    from benchmarks.peers import circadian_peer, missing

    if missing("circadian"):
        return None
    light = np.tile(DAY, days)
    y0 = np.array(MODELS[model].start)
    circadian_peer(model, light[:DAY.size], DT, y0)  # imports and first-call costs
    t0 = time.perf_counter()
    circadian_peer(model, light, DT, y0)
    per_step = (time.perf_counter() - t0) / light.size
    return {"model": model, "what": "circadian package RK4 (PyPI)", "batch": 1,
            "steps": steps, "median_s": per_step * steps, "ns_per_step": per_step * 1e9}


def _loop_rows(model: str, batch: int, days: int, repeats: int) -> list[dict]:
    """The compiled batch loop alone, into preallocated arrays, on 1 and all threads, in
    each layout (:mod:`physiology.kernels.lanes`): one trajectory after another, and
    trajectories as SIMD lanes; the two timed alternately, each trajectory with its own
    period."""
    import numba

    from physiology.kernels.numba_backend import _driver, stacked_rows

    spec = MODELS[model]
    steps = days * DAY.size
    u, index = stacked_rows(np.ascontiguousarray(np.broadcast_to(np.tile(DAY, days),
                                                                 (1, batch, steps))))
    p = np.tile([*spec.params().values(), DT], (batch, 1))
    p[:, 0] += np.linspace(-0.2, 0.2, batch)  # tau or taux, the first field of each
    s0 = np.tile(spec.start, (batch, 1))
    out, s_end = np.empty((3, batch, steps)), np.empty((3, batch))
    rows = []
    before = numba.get_num_threads()
    for threads in (1, before):
        numba.set_num_threads(threads)
        loops = {layout: _driver(spec.kernel, layout) for layout in _LAYOUTS}
        for loop in loops.values():
            loop(u, index, p, s0, out, s_end)  # compile, or load the cached machine code
        times: dict[str, list[float]] = {layout: [] for layout in _LAYOUTS}
        for _ in range(repeats):
            for layout, loop in loops.items():
                t0 = time.perf_counter()
                loop(u, index, p, s0, out, s_end)
                times[layout].append(time.perf_counter() - t0)
        for layout, t in times.items():
            med = float(np.median(t))
            rows.append({"model": model, "batch": batch, "steps": steps, "median_s": med,
                         "what": f"compiled loop only, {_LAYOUTS[layout]} ({threads} "
                                 "thread(s))", "ns_per_step": med / (batch * steps) * 1e9})
    numba.set_num_threads(before)
    return rows


_LAYOUTS = {"trajectory": "per trajectory", "lanes": "SIMD lanes"}


def _spread_period(spec, n: int):
    """A batch of athletes with intrinsic periods spread over +-0.2 h of the default."""
    field = "tau" if "tau" in spec.params.names() else "taux"
    default = spec.params().values()[spec.params.names().index(field)]
    return spec.params(**{field: default + np.linspace(-0.2, 0.2, n)})


def table(rows: list[dict]) -> str:
    lines = ["| model | method | batch x steps | wall (s) | ns per step per trajectory | "
             "speed-up vs Python loop |", "|---|---|---|---|---|---|"]
    loop = {r["model"]: r["ns_per_step"] for r in rows if r["what"] == "Python-loop RK4"}
    for r in rows:
        lines.append(f"| {r['model']} | {r['what']} | {r['batch']} x {r['steps']} | "
                     f"{r['median_s']:.3g} | {r['ns_per_step']:.3g} | "
                     f"{loop[r['model']] / r['ns_per_step']:.3g}x |")
    ours = {r["model"]: r["ns_per_step"] for r in rows
            if r["what"] == "simulate (numba)" and r["batch"] == 1}
    peers = {r["model"]: r["ns_per_step"] for r in rows
             if r["what"].startswith("circadian package")}
    if peers:
        lines.append("\nOne season through the public API (`simulate`, Numba, one trajectory) "
                     "against the `circadian` package in this run: "
                     + ", ".join(f"{m} {peers[m] / ours[m]:.0f}x" for m in peers if m in ours)
                     + ".")
    errors = {r["model"]: r["rk4_error_dt0.1"] for r in rows if "rk4_error_dt0.1" in r}
    lines.append("\nRK4 at dt = 0.1 h after 2 days, max abs state error against DOP853 at "
                 "rtol = atol = 1e-12: " + ", ".join(f"{m} {e:.1e}" for m, e in errors.items())
                 + ". Python-loop and solve_ivp rows are timed on a shorter span and scaled "
                 "to the season (per step, per day).")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = ["model", "what", "batch", "steps", "median_s", "ns_per_step", "rk4_error_dt0.1"]
    with (out / "circadian.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)  # quoted: the method names hold commas
        writer.writerow(keys)
        writer.writerows([r.get(k, "") for k in keys] for r in rows)
