"""What verifying the chunk hashes costs when a cube is opened, quantiles vs every draw.

For each store (the demo squad on the demo sweep, 100 draws, run in process with the
local runner, plots off): ``output.keep_draws=false`` (quantiles) and ``true`` (every
draw), the wall time of :func:`twin.open_cube` with ``verify=True`` (every chunk read
and hashed, :func:`twin.store.integrity.verify_store`) and ``verify=False`` (metadata
only), alternating, the median of ``--repeats``; the store's size on disk; and the
hashing throughput (size / extra time). Not a section of :mod:`benchmarks.run` (it
writes a store of several hundred MB)::

    python -m benchmarks.store_verify --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ARGS = ("sweep=demo", "draws=100", "runner=local", "output.plots=false")


def _size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def measure(keep_draws: bool, repeats: int) -> dict:
    import twin
    from twin.runners import local as runner

    cfg = twin.compose(*ARGS, f"output.keep_draws={str(keep_draws).lower()}")
    out = Path(tempfile.mkdtemp(prefix="store-verify-"))
    res = runner.run_sweep(cfg, out, progress=False)
    times = {True: [], False: []}
    for _ in range(repeats):
        for verify in (True, False):
            t0 = time.perf_counter()
            twin.open_cube(res.store, verify=verify)
            times[verify].append(time.perf_counter() - t0)
    size = _size_mib(Path(res.store))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    return {"keep_draws": keep_draws, "store_mib": round(size, 1),
            "open_verify_s": round(on, 3), "open_no_verify_s": round(off, 3),
            "hash_mib_per_s": round(size / max(on - off, 1e-9), 1),
            "times_s": {"verify": times[True], "no_verify": times[False]}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [measure(k, args.repeats) for k in (False, True)]
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
