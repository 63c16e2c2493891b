"""Throughput: batched Forger99 trajectories per second against batch size.

Each trajectory: 10 days of the home day (light from
:func:`physiology.circadian.light_day`, London on 20 March, indoors only: 0 lux in bed
23:00-07:00, 150 lux while the sun is up, 50 lux after sunset) at
dt = 0.1 h (2 400 steps), states kept at every 0.1 h, default parameters, and its own
initial state (the entrained home-day state at a time of day spread over the batch, so no
two neighbours are alike; the peer package batches over initial states only, so the
parameters are shared). Batch sizes 1, 10, 100, 1 000 and 10 000 (``--quick``: to 100):

- ours: :func:`physiology.circadian.simulate`, Numba (all threads) and JAX (``vmap``-free:
  the batch is array lanes under ``lax.scan``), RK4 at 0.1 h;
- diffrax Tsit5, ``vmap`` over the batch, PID controller at rtol = atol = 1e-7 with the
  light changes as ``jump_ts`` (:mod:`benchmarks.peers`);
- the ``circadian`` package (PyPI), its RK4 at 0.1 h, batched by NumPy over initial states;
- ``solve_ivp`` RK45 at rtol = atol = 1e-7 in a Python loop over trajectories, restarted at
  every change of light: timed at batch 1 and 10 (``--quick``: 1) and extrapolated
  linearly beyond (each trajectory costs the same; marked in the table).

Time: minimum of up to 10 repeats (at least 2, fewer once 3 s are spent) after a warm-up
(JAX compiles per batch shape in it; the NumPy and SciPy peers, with nothing to compile,
count their first call).
Beside speed, the accuracy of each at its setting on trajectory 0 against DOP853 at
rtol = atol = 1e-13 (max abs state error over the 0.1 h samples; the circadian package's
RK4 is the same scheme as ours, with the same error).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from benchmarks import peers
from benchmarks.common import equinox_elevation
from benchmarks.work_precision import timed
from physiology.circadian import equilibrate, light_day, simulate

MODEL = "forger99"
DT = 0.1
DAYS = 10
RTOL = 1e-7
SIZES = (1, 10, 100, 1000, 10_000)


def _problem(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Light (10 days at 0.1 h), sample times, and ``n`` initial states ``(n, 3)``."""
    day = light_day(equinox_elevation(DT), DT, outdoor=())  # indoor levels
    y0 = equilibrate(day, DT, MODEL)
    cycle = simulate(day, DT, MODEL, state0=y0)[:-1]  # the entrained day, 240 states
    starts = cycle[(np.arange(n) * 97) % cycle.shape[0]]
    return np.tile(day, DAYS), np.arange(DAYS * day.size + 1) * DT, starts


def run(quick: bool) -> list[dict]:
    sizes = tuple(s for s in SIZES if s <= 100) if quick else SIZES
    repeats = 3 if quick else 10
    light, t_s, _ = _problem(1)
    steps = light.size
    rows = []
    for n in sizes:
        _, _, y0 = _problem(n)
        batch_light = np.broadcast_to(light, (n, steps))
        impls = [("RK4, numba", None)] + [(f"RK4, jax ({p})", p) for p in peers.jax_platforms()]
        for impl, platform in impls:
            backend = "numba" if platform is None else "jax"
            with peers.on_platform(platform or "cpu"):
                med, best = timed(lambda b=backend, x=batch_light, s=y0: simulate(
                    x, DT, MODEL, state0=s, backend=b), repeats, budget_s=3.0)
            rows.append(_row(impl, n, steps, med, best))
        rows += _diffrax(light, t_s, y0, n, steps, repeats)
        rows += _peer(light, y0, n, steps, repeats)
    rows += _solve_ivp(light, t_s, sizes, steps, 1 if quick else 10, repeats)
    rows += _accuracy(light, t_s)
    return rows


def _row(impl: str, n: int, steps: int, med: float, best: float, note: str = "") -> dict:
    return {"impl": impl, "batch": n, "steps": steps, "median_s": med, "min_s": best,
            "trajectories_per_s": n / best, "note": note}


def _diffrax(light, t_s, y0, n, steps, repeats) -> list[dict]:
    if peers.missing("diffrax"):
        return []
    import jax.numpy as jnp

    from physiology.kernels import x64

    rows = []
    for platform in peers.jax_platforms():
        with x64(), peers.on_platform(platform):
            f = peers.diffrax_solver(MODEL, light, DT, t_s, "Tsit5")
            y = jnp.asarray(y0)
            med, best = timed(lambda f=f, y=y: f(y, RTOL, RTOL)[0].block_until_ready(),
                              repeats, budget_s=3.0)
        rows.append(_row(f"Tsit5 rtol {RTOL:g}, diffrax vmap ({platform})", n, steps, med,
                         best))
    return rows


def _peer(light, y0, n, steps, repeats) -> list[dict]:
    if peers.missing("circadian"):
        return []
    # NumPy only, nothing to compile: the first call counts as a timing.
    med, best = timed(lambda: peers.circadian_peer(MODEL, light, DT, y0.T), repeats,
                      budget_s=3.0, warmup=False)
    return [_row("RK4, circadian (PyPI, NumPy batch)", n, steps, med, best)]


def _solve_ivp(light, t_s, sizes, steps, measured: int, repeats) -> list[dict]:
    _, _, y0 = _problem(measured)

    def loop(k: int):
        for j in range(k):
            peers.solve_ivp_piecewise(MODEL, light, DT, y0[j], t_s, "RK45", RTOL, RTOL)

    rows = []
    per = {}
    for k in sorted({1, measured}):
        med, best = timed(lambda k=k: loop(k), repeats, budget_s=3.0, warmup=False)
        per[k] = (med / k, best / k)
    med1, best1 = per[max(per)]
    for n in sizes:
        if n in per:
            rows.append(_row(f"RK45 rtol {RTOL:g}, solve_ivp loop", n, steps, per[n][0] * n,
                             per[n][1] * n))
        else:
            rows.append(_row(f"RK45 rtol {RTOL:g}, solve_ivp loop", n, steps, med1 * n,
                             best1 * n, f"extrapolated from batch {max(per)}"))
    return rows


def _accuracy(light, t_s) -> list[dict]:
    """Max abs state error on trajectory 0 against DOP853 at 1e-13, per method."""
    _, _, y0 = _problem(1)
    ref, _ = peers.solve_ivp_piecewise(MODEL, light, DT, y0[0], t_s, "DOP853", 1e-13, 1e-13)
    errors = {"RK4 dt 0.1 h": simulate(light, DT, MODEL, state0=y0[0])}
    errors[f"RK45 rtol {RTOL:g}"], _ = peers.solve_ivp_piecewise(MODEL, light, DT, y0[0], t_s,
                                                                 "RK45", RTOL, RTOL)
    if not peers.missing("diffrax"):
        import jax.numpy as jnp

        from physiology.kernels import x64

        with x64():
            f = peers.diffrax_solver(MODEL, light, DT, t_s, "Tsit5")
            errors[f"Tsit5 rtol {RTOL:g}"] = np.asarray(f(jnp.asarray(y0[0]), RTOL, RTOL)[0])
    return [{"impl": name, "error": float(np.max(np.abs(y - ref)))}
            for name, y in errors.items()]


def table(rows: list[dict]) -> str:
    timed_rows = [r for r in rows if "batch" in r]
    sizes = sorted({r["batch"] for r in timed_rows})
    lines = [peers.jax_note(), peers.load_note(), "",
             f"Forger99, {DAYS} days at dt {DT} h ({timed_rows[0]['steps']} steps) per "
             "trajectory; trajectories per second (minimum of repeats after warm-up); "
             "* = extrapolated from the measured batch.", "",
             "| method | " + " | ".join(f"batch {n:,}" for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for impl in dict.fromkeys(r["impl"] for r in timed_rows):
        cells = {r["batch"]: f"{r['trajectories_per_s']:.3g}{'*' if r['note'] else ''}"
                 for r in timed_rows if r["impl"] == impl}
        lines.append(f"| {impl} | " + " | ".join(cells.get(n, "") for n in sizes) + " |")
    for name in ("diffrax", "circadian"):
        why = peers.missing(name)
        if why:
            lines.append(f"\nNot run: {why}.")
    acc = [r for r in rows if "error" in r]
    lines.append("\nAccuracy at these settings (trajectory 0, max abs state error against "
                 "DOP853 at rtol = atol = 1e-13): "
                 + ", ".join(f"{r['impl']} {r['error']:.1e}" for r in acc) + ".")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    keys = ["impl", "batch", "steps", "median_s", "min_s", "trajectories_per_s", "note",
            "error"]
    with (out / "throughput.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(keys)
        writer.writerows([r.get(k, "") for k in keys] for r in rows)
    timed_rows = [r for r in rows if "batch" in r]
    fig, ax = plt.subplots(figsize=(7, 4.6))
    for impl in dict.fromkeys(r["impl"] for r in timed_rows):
        pts = [(r["batch"], r["trajectories_per_s"]) for r in timed_rows if r["impl"] == impl]
        n, tps = np.array(pts).T
        ax.loglog(n, tps, "s--" if "solve_ivp" in impl else "o-", ms=4, label=impl)
    ax.set_xlabel("batch size (trajectories)")
    ax.set_ylabel("trajectories per second")
    ax.set_title(f"Forger99, {DAYS} d at {DT} h: throughput (min of repeats)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "throughput.png", dpi=110)
    plt.close(fig)
