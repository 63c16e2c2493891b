"""The engine's Python-loop baseline as its own section (:func:`benchmarks.engine.python_loop`).

Kept apart from the ``engine`` section, which runs the standard sweep end to end in fresh
processes, so that each can be rerun and recorded alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.engine import loop_text, python_loop


def run(quick: bool) -> list[dict]:
    return [python_loop(quick)]


def table(rows: list[dict]) -> str:
    r = rows[0]
    return (f"{loop_text(r)}\n\nPlan (inputs for both; not in either time): "
            f"{r['plan_s']:.1f} s. Loop: {r['loop_s']:.2f} s for "
            f"{r['loop_athlete_days']:,} athlete-days; engine chunk: {r['chunk_s']:.3f} s.")


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine_baseline.json").write_text(json.dumps(rows, indent=1))
