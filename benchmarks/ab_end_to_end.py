"""The standard sweep end to end on two checkouts, alternating: does a change slow it?

Each sample is a fresh process running ``python -m twin.apps.run sweep=standard
runner=local output.plots=false`` (Numba, in process) with ``PYTHONPATH`` set to one
checkout and its own warm kernel cache (one warm-up run each first); the checkouts
alternate, so the machine's drift hits both alike. Reported: every wall time and the
median of each, and their ratio. ``--phase plan`` times only the plan of the standard
sweep (``plan_from_config``, 100 draws, in the child process of
:mod:`benchmarks.plan_memory`) instead of the whole run; ``--plots`` runs with twin-run's
default ``output.plots=true`` (the figures too). Not a section of
:mod:`benchmarks.run` (it needs a second checkout)::

    git worktree add /tmp/before <commit>
    python -m benchmarks.ab_end_to_end /tmp/before . --pairs 3 [--phase plan | --plots]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = ("sweep=standard", "runner=local", "output.plots=false")


def once(tree: Path, cache: Path, phase: str = "run", plots: bool = False) -> float:
    """Wall time (s) of one end-to-end run on ``tree`` (with the figures if ``plots``),
    or of its plan phase alone."""
    out = tempfile.mkdtemp(prefix="ab-e2e-")
    env = dict(os.environ, PYTHONPATH=str(tree), TWIN_KERNEL_CACHE=str(cache))
    if phase == "plan":
        from benchmarks.plan_memory import _CHILD

        r = subprocess.run([sys.executable, "-c", _CHILD, "100"], cwd=tree, env=env,
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"{tree}: planning failed:\n{r.stderr[-2000:]}")
        return float(json.loads(r.stdout.strip().splitlines()[-1])["plan_s"])
    t0 = time.perf_counter()
    args = [a for a in ARGS if not (plots and a.startswith("output.plots"))]
    r = subprocess.run([sys.executable, "-m", "twin.apps.run", *args, f"hydra.run.dir={out}"],
                       cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode:
        raise RuntimeError(f"{tree}: twin-run failed:\n{r.stderr[-2000:]}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path, help="the reference checkout")
    parser.add_argument("after", type=Path, help="the changed checkout")
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs of runs")
    parser.add_argument("--phase", choices=("run", "plan"), default="run",
                        help="time the whole run (default) or the plan phase only")
    parser.add_argument("--plots", action="store_true",
                        help="the whole run with its figures (twin-run's default)")
    args = parser.parse_args(argv)
    if args.plots and args.phase == "plan":
        parser.error("--plots times the whole run; it does not go with --phase plan")
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    caches = {k: Path(tempfile.mkdtemp(prefix=f"ab-cache-{k}-")) for k in trees}
    for k, tree in trees.items():
        once(tree, caches[k], args.phase, args.plots)  # warm-up: fills the kernel cache
    walls = {k: [] for k in trees}
    for _ in range(args.pairs):
        for k, tree in trees.items():
            walls[k].append(once(tree, caches[k], args.phase, args.plots))
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(json.dumps({"phase": args.phase, "plots": args.plots, "wall_s": walls, "median_s": med,
                      "ratio_after_before": med["after"] / med["before"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
