"""The standard sweep's sensitivity run, in process and on the Ray runner (issue 18).

``python -m benchmarks.sensitivity`` runs ``twin-sensitivity``'s default design (the demo
squad x the standard sweep x 365 days; a Saltelli design of base 64 over the 20 factors,
so 64 x 22 = 1 408 parameter sets, each 1 draw; the reference run besides) once with
``runner=local`` and once with ``runner=ray`` (a local instance with 2 CPUs), each timed
end to end in this one process (plans, chunks, indices), and checks that the two give
the same indices. Goal (issue 18): under 15 min on the 2-core machine, both runners.
``--base 4`` for a quick look (not recorded). Writes its section of RESULTS.md, and the
local run's ``sensitivity.nc`` and charts under ``benchmarks/out/sensitivity/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from benchmarks.common import HERE, environment, update_results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=int, default=64)
    ap.add_argument("--record", action=argparse.BooleanOptionalAction, default=None)
    args = ap.parse_args(argv)
    record = args.base >= 64 if args.record is None else args.record
    import twin
    from twin.apps.sensitivity import report, sensitivity

    rows, results = [], {}
    for runner in ("local", "ray"):
        extra = ["runner.num_cpus=2"] if runner == "ray" else []
        cfg = twin.compose(f"runner={runner}", *extra, f"sensitivity.base_samples={args.base}",
                           config_name="sensitivity")
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        ds = sensitivity(cfg)
        wall = time.perf_counter() - t0
        load1 = os.getloadavg()[0]
        results[runner] = ds
        sets = ds.sizes["run"] + 1  # and the reference
        days = sets * ds.attrs["draws_per_set"] * 25 * ds.sizes["point"] * 365
        rows.append(f"| {runner} | {ds.sizes['run']:,} (+1 reference) | "
                    f"{ds.attrs['draws_per_set']} | {days:,} | {wall:.0f} | {wall / 60:.1f} | "
                    f"{days / wall:.3g} | {load0:.1f} / {load1:.1f} |")
        print(rows[-1], flush=True)
    a, b = results["local"], results["ray"]
    diffs = {k: float(np.nanmax(np.abs(a[k].values - b[k].values)))
             for k in ("ST", "S1", "ST_decision", "S1_decision", "outcome_values")}
    same = all(v == 0.0 for v in diffs.values())
    text = report(a)
    print(text)
    from twin.apps.sensitivity import write

    out = HERE / "out" / "sensitivity"  # the local run's dataset and charts (not committed)
    for p in write(a, twin.compose(f"sensitivity.base_samples={args.base}",
                                   config_name="sensitivity"), out,
                   "python -m benchmarks.sensitivity"):
        print("wrote", p)
    print("local vs Ray, max abs difference:", diffs)
    section = "\n".join([
        "## Sensitivity: the standard sweep's Sobol design, local and Ray", "",
        "Command: `python -m benchmarks.sensitivity` (one process: `twin-sensitivity`'s "
        "default config run with `runner=local`, then `runner=ray runner.num_cpus=2`, a "
        "local Ray instance; wall time of `twin.apps.sensitivity.sensitivity(cfg)` each: "
        "the two plans (one per fitness-fatigue model, clock part and warm-up included), "
        "every chunk, the indices and bootstrap; the Ray row includes Ray's start). "
        f"Machine and versions: {environment()}.", "",
        "| runner | parameter sets | draws per set | athlete-days | wall (s) | wall (min) | "
        "athlete-days/s | load average at start / end (1 min) |",
        "|---|---|---|---|---|---|---|---|", *rows, "",
        f"Goal under 15 min on both runners: "
        f"{'met' if all(float(r.split('|')[6]) < 15 for r in rows) else 'missed'}. "
        "Local and Ray give " + ("the same indices, bit for bit" if same else
                                 f"indices differing by at most {diffs}") +
        " (S1, ST and the decision indices, and every set's outcomes: a chunk is a pure "
        "function of (plan, block)).", "",
        "Findings (the local run's robustness lines):", "", "```", text, "```"])
    if record:
        update_results("sensitivity", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
