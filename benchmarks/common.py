"""What every benchmark shares: timing, the machine description, and RESULTS.md sections."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


def time_call(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and minimum wall time (s) of ``repeats`` calls after one warm-up call
    (which compiles, or loads cached machine code)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def environment() -> str:
    """Date, CPU, versions and peak memory of this process, in one line."""
    import jax
    import numba

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (f"{dt.date.today().isoformat()}; {cpu}, {os.cpu_count()} cores visible; "
            f"Python {platform.python_version()}, NumPy {np.__version__}, "
            f"Numba {numba.__version__} ({numba.get_num_threads()} threads), "
            f"JAX {jax.__version__} ({jax.default_backend()}); "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def update_results(name: str, section: str) -> None:
    """Replace (or append) the section between ``<!-- name:start -->`` and ``:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


def equinox_elevation(dt_h: float) -> np.ndarray:
    """The sun's elevation (degrees) over one day in London on 20 March 2026, local (UTC)
    midnight onwards, on a grid of ``dt_h``: the benchmarks' daylight."""
    from scenarios import VENUES, solar_elevation

    london = VENUES["london"]
    steps = np.round(np.arange(0.0, 24.0, dt_h) * 3600).astype("timedelta64[s]")
    return solar_elevation(london.lat, london.lon, np.datetime64("2026-03-20T00:00:00") + steps)
