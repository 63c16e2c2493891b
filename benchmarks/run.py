"""The benchmark suite: run every section, write CSV and PNG, record RESULTS.md.

Usage::

    python -m benchmarks.run                  # full sizes; updates benchmarks/RESULTS.md
    python -m benchmarks.run --quick          # small sizes, a few repeats (run by the tests)
    python -m benchmarks.run --only wbal      # one section

Sections: ``kernels`` (training load and fitness-fatigue, :mod:`benchmarks.kernels`),
``kernel_load`` (a fresh process's import and first call of cached kernels,
:mod:`benchmarks.kernel_load`),
``wbal`` (W' balance, :mod:`benchmarks.wbal`), ``circadian`` (the circadian models
beside a Python loop and solve_ivp, :mod:`benchmarks.circadian`), ``scenarios``
(compiling sweep points into the twin's inputs, :mod:`benchmarks.scenarios`), ``engine``
(the standard sweep end to end, :mod:`benchmarks.engine`), ``engine_baseline`` (a naive
per-series Python loop beside the engine's chunk, :mod:`benchmarks.engine_baseline`),
``plan_memory`` (the driver's peak RSS while planning, by draws,
:mod:`benchmarks.plan_memory`),
``calibration`` (fits, squad, coverage, our fit beside SciPy with finite differences,
:mod:`benchmarks.calibration`), ``prescribe`` (plan optimisation,
:mod:`benchmarks.prescribe`), ``work_precision`` (error against a tight reference
beside wall time for every solver, :mod:`benchmarks.work_precision`) and ``throughput``
(batched trajectories per second, :mod:`benchmarks.throughput`) and ``travel`` (the
travel copilot's plans for the demo squad's tour, :mod:`benchmarks.travel`). Peers (diffrax, the
``circadian`` package) come with ``pip install -e '.[bench]'``; without them their rows
say "not installed". Outputs go to ``--out`` (default ``benchmarks/out``); ``--quick``
never touches RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import (
    calibration,
    circadian,
    engine,
    engine_baseline,
    kernel_load,
    kernels,
    plan_memory,
    prescribe,
    scenarios,
    throughput,
    travel,
    wbal,
    work_precision,
)
from benchmarks.common import HERE, environment, update_results

SECTIONS = {"kernels": ("Kernels", kernels),
            "kernel_load": ("Kernel start-up with a warm cache", kernel_load),
            "wbal": ("W' balance", wbal),
            "circadian": ("Circadian models", circadian),
            "scenarios": ("Scenario compilation", scenarios),
            "engine": ("Engine: the standard sweep end to end", engine),
            "engine_baseline": ("Engine beside a naive per-series Python loop",
                                engine_baseline),
            "plan_memory": ("Planning memory by draws", plan_memory),
            "calibration": ("Calibration", calibration),
            "prescribe": ("Plan optimisation", prescribe),
            "work_precision": ("Work-precision: circadian and sleep solvers",
                               work_precision),
            "throughput": ("Throughput: batched circadian trajectories", throughput),
            "travel": ("Travel copilot: the demo squad on the intercontinental tour", travel)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output directory")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append",
                        help="run only these sections (repeatable)")
    args = parser.parse_args(argv)
    for name in args.only or SECTIONS:
        title, module = SECTIONS[name]
        rows = module.run(args.quick)
        module.write_outputs(rows, args.out)
        section = (f"## {title}\n\nCommand: `python -m benchmarks.run --only {name}`. "
                   f"Machine and versions: {environment()}.\n\n{module.table(rows)}")
        print(section, flush=True)
        if not args.quick:
            update_results(name, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
