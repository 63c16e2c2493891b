"""Kernel benchmarks: the training-load and fitness-fatigue models on both backends.

Workloads (DESIGN.md "Kernel"): one season of 365 days, as a single series and as a
batch of 10 000 athletes. Each case is timed through the public API (NumPy in, NumPy
out) after a warm-up call that compiles, as the median (and minimum) of repeated runs
in this one process. Accuracy stands beside speed: the largest Numba-JAX difference,
and for Banister the largest error against the direct O(T^2) summation of its definition.

Run through ``python -m benchmarks.run`` (see there); writes ``kernels.csv`` and
``kernels.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.common import time_call as _time
from physiology import fitness_fatigue as ff
from physiology import load as ld
from tests.oracles import banister_sum

CASES: dict[str, Callable] = {
    "banister": lambda x, b: ff.banister(x, backend=b),
    "busso": lambda x, b: ff.busso(x, backend=b),
    "calvert": lambda x, b: ff.calvert(x, backend=b),
    "perpot": lambda x, b: ff.perpot(x, backend=b),
    "pmc": lambda x, b: ld.pmc(x, backend=b),
    "acwr_rolling": lambda x, b: (ld.acwr(x, backend=b),),
    "acwr_ewma": lambda x, b: (ld.acwr(x, method="ewma", backend=b),),
    "monotony": lambda x, b: (ld.monotony(x, backend=b),),
}


def _max_diff(a, b) -> float:
    return max(float(np.nanmax(np.abs(np.asarray(x) - np.asarray(y)), initial=0.0))
               for x, y in zip(a, b, strict=True))


def _banister_error(load: np.ndarray) -> float:
    """Largest relative error of Banister (Numba) against the direct double sum."""
    p = ff.BanisterParams()
    sub = load[:8]
    ref = np.stack([banister_sum(x, *p.values()) for x in sub])
    got = ff.banister(sub).performance
    return float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))


def _kernel_loop_rows(load: np.ndarray, repeats: int) -> list[dict]:
    """Banister's compiled batch loop alone, into preallocated arrays (no validation,
    no first-touch page faults of fresh output memory): the kernel's own speed."""
    import numba

    from physiology.fitness_fatigue import MODELS
    from physiology.kernels.numba_backend import _driver, stacked_rows

    KERNEL = MODELS["banister"].kernel

    batch, n_days = load.shape
    u, index = stacked_rows(np.ascontiguousarray(load[None]))
    p = np.tile([*ff.BanisterParams().values(), 0.0], (batch, 1))
    s0 = np.zeros((batch, 2))
    out, s_end = np.empty((3, batch, n_days)), np.empty((2, batch))
    loop = _driver(KERNEL)
    rows = []
    for n_threads in (1, numba.get_num_threads()):
        numba.set_num_threads(n_threads)
        med, best = _time(lambda: loop(u, index, p, s0, out, s_end), repeats)
        rows.append({"kernel": "banister (loop only)", "backend": "numba", "batch": batch,
                     "days": n_days, "threads": n_threads, "median_s": med, "min_s": best,
                     "athlete_days_per_s": batch * n_days / med})
    return rows


def run(quick: bool) -> list[dict]:
    import numba

    n_days = 365
    sizes = (1, 200) if quick else (1, 10_000)
    repeats = 3 if quick else 15
    rng = np.random.default_rng(2024)
    rows = []
    for batch in sizes:
        load = rng.uniform(0, 300, (batch, n_days)) * (rng.random((batch, n_days)) > 0.2)
        series = load[0] if batch == 1 else load
        for name, fn in CASES.items():
            outs = {}
            for backend in ("numba", "jax"):
                threads = [numba.get_num_threads()]
                if backend == "numba" and batch > 1:
                    threads = [1, numba.get_num_threads()]
                for n_threads in threads:
                    numba.set_num_threads(n_threads)
                    med, best = _time(lambda f=fn, b=backend, x=series: f(x, b), repeats)
                    outs[backend] = fn(series, backend)
                    rows.append({"kernel": name, "backend": backend, "batch": batch,
                                 "days": n_days, "threads": n_threads if backend == "numba" else "",
                                 "median_s": med, "min_s": best,
                                 "athlete_days_per_s": batch * n_days / med})
                numba.set_num_threads(max(threads))
            diff = _max_diff(outs["numba"], outs["jax"])
            for row in rows:
                if row["kernel"] == name and row["batch"] == batch:
                    row["max_abs_numba_minus_jax"] = diff
        if batch > 1:
            rows.extend(_kernel_loop_rows(load, repeats))
        rows.append({"kernel": "banister_vs_direct_sum", "batch": min(batch, 8),
                     "max_rel_error": _banister_error(load if batch > 1 else load[None, 0])})
    return rows


def _diff_cell(row: dict) -> str:
    diff = row.get("max_abs_numba_minus_jax")
    return "n/a" if diff is None else f"{diff:.1e}"


def table(rows: list[dict]) -> str:
    lines = ["| kernel | backend | threads | batch x days | median (ms) | athlete-days/s | "
             "max abs Numba-JAX |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if "median_s" not in r:
            continue
        lines.append(f"| {r['kernel']} | {r['backend']} | {r['threads']} | "
                     f"{r['batch']} x {r['days']} | {r['median_s'] * 1e3:.3f} | "
                     f"{r['athlete_days_per_s']:.3g} | {_diff_cell(r)} |")
    for r in rows:
        if r["kernel"] == "banister_vs_direct_sum":
            lines.append(f"\nBanister (Numba) vs the direct double sum of its definition, "
                         f"{r['batch']} series: max relative error {r['max_rel_error']:.1e}.")
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    keys = ["kernel", "backend", "threads", "batch", "days", "median_s", "min_s",
            "athlete_days_per_s", "max_abs_numba_minus_jax", "max_rel_error"]
    with (out / "kernels.csv").open("w") as fh:
        fh.write(",".join(keys) + "\n")
        for r in rows:
            fh.write(",".join(str(r.get(k, "")) for k in keys) + "\n")
    timed = [r for r in rows if "median_s" in r and r["batch"] > 1]
    labels = [f"{r['kernel']}\n{r['backend']}{'/' + str(r['threads']) if r['threads'] else ''}"
              for r in timed]
    fig, ax = plt.subplots(figsize=(12, 4.5))
    colours = ["tab:blue" if r["backend"] == "numba" else "tab:orange" for r in timed]
    ax.bar(range(len(timed)), [r["athlete_days_per_s"] for r in timed], color=colours)
    ax.set_yscale("log")
    ax.set_xticks(range(len(timed)), labels, fontsize=7, rotation=90)
    ax.set_ylabel("athlete-days per second")
    ax.set_title(f"Kernels, batch {timed[0]['batch']} x {timed[0]['days']} d "
                 "(blue Numba/threads, orange JAX)")
    fig.tight_layout()
    fig.savefig(out / "kernels.png", dpi=110)

