"""``twin-compare RUN_A RUN_B ...``: how season outcomes change between runs, with their
Monte-Carlo uncertainty (:mod:`twin.compare`).

Each argument is a run directory of ``twin-run`` (holding ``cube.zarr`` or ``cube.nc``), a
store itself, or a multirun directory (``multirun/<date>/<time>``: its jobs, in job
order). The first run is the baseline. Prints the squad's difference per outcome and
scenario point (``+-`` one standard error, paired over the runs' common draws where the
stores hold them; ``*`` where the difference is clear of Monte-Carlo noise) and writes
into ``--out`` (default ``outputs/compare/<date>/<time>``) ``compare.csv`` (every
athlete), ``compare.png``, ``compare.txt`` and ``report.html`` (the comparison as a
self-contained page). Runs that cannot be compared fairly (other seeds, other draws, other
squads, nothing shared) are refused in one line naming why, exit status 2; so is a path
that holds no finished run.

    twin-compare outputs/2026-12-01/10-00-00 outputs/2026-12-01/10-05-00
    twin-compare multirun/2026-12-01/10-00-00
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

STORES = ("cube.zarr", "cube.nc")


def runs_of(path: Path) -> list[Path]:
    """The stores an argument names (module docstring); raises ``FileNotFoundError``."""
    if path.name in STORES or path.suffix in (".zarr", ".nc"):
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such store")
        return [path]
    for name in STORES:
        if (path / name).exists():
            return [path / name]
    jobs = sorted((p for p in path.iterdir() if p.is_dir() and p.name.isdigit()),
                  key=lambda p: int(p.name)) if path.is_dir() else []
    found = [p / n for p in jobs for n in STORES if (p / n).exists()]
    if not found:
        raise FileNotFoundError(f"{path}: holds no finished run (expected a run directory "
                                "with cube.zarr or cube.nc, or a multirun directory of jobs)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="twin-compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run, store or multirun directories")
    parser.add_argument("--out", type=Path, default=None, help="where to write the outputs")
    args = parser.parse_args(argv)
    from twin import compare as cmp
    from twin.store import open_cube

    try:
        stores = [s for p in args.runs for s in runs_of(p)]
        trees = [open_cube(s) for s in stores]
        names = [_short(s) for s in stores]
        result = cmp.compare(trees, names)
    except (FileNotFoundError, RuntimeError, cmp.UnfairComparison) as exc:
        print(f"twin-compare: {exc}", file=sys.stderr)
        return 2
    out = args.out or Path("outputs") / "compare" / dt.datetime.now().strftime(
        "%Y-%m-%d/%H-%M-%S")
    out.mkdir(parents=True, exist_ok=True)
    text = cmp.table(result)
    (out / "compare.txt").write_text(text + "\n")
    cmp.to_csv(result, out / "compare.csv")
    from twin import plots

    plots.save(cmp.figure(result), out / "compare.png")
    from twin.report import compare_report

    page = compare_report(out, result)
    print(text)
    print(f"\ncsv: {out / 'compare.csv'}\nplot: {out / 'compare.png'}\nreport: {page}")
    return 0


def _short(store: Path) -> str:
    """A run's name: its directory relative to where the outputs usually live."""
    run = store.parent
    parts = run.parts
    for root in ("outputs", "multirun"):
        if root in parts:
            return "/".join(parts[parts.index(root) + 1:]) or run.name
    return run.name


if __name__ == "__main__":
    sys.exit(main())
