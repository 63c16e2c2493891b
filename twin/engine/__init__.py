"""The engine: plain values in, a :class:`Plan`, and reduced outcome chunks out.

- :mod:`twin.engine.planning`: :func:`plan` (everything the chunks share: the compiled
  scenario, the clock features, the parameter draws, the habitual steady state);
- :mod:`twin.engine.chunk`: :func:`run_chunk` (one block of athletes x points x all
  draws through the day kernel, reduced over draws), :func:`simulate_block` (every draw);
- :mod:`twin.engine.workspace`: :class:`Workspace` (the kernel's output memory, reused
  from call to call: chunk to chunk, and the habitual warm-up's blocks);
- :mod:`twin.engine.load_plan`: a per-athlete load plan applied to the daily inputs;
- :mod:`twin.engine.reduce`: quantiles, medians and means over draws (compiled);
- :mod:`twin.engine.season_pass`: the summary's per-draw season sums (compiled);
- :mod:`twin.engine.summary`: season outcomes per athlete and point.
"""

from twin.engine.chunk import block_inputs, run_chunk, simulate_block, stream_keys
from twin.engine.planning import (
    RUNNING_INPUTS,
    SRPE,
    WARMUP_DAYS,
    Plan,
    athlete_keys,
    check_quantiles,
    dose_per_metre,
    hazard_params,
    plan,
)
from twin.engine.summary import summarise
from twin.engine.workspace import Workspace

__all__ = [
    "RUNNING_INPUTS",
    "SRPE",
    "WARMUP_DAYS",
    "Plan",
    "Workspace",
    "athlete_keys",
    "block_inputs",
    "check_quantiles",
    "dose_per_metre",
    "hazard_params",
    "plan",
    "run_chunk",
    "simulate_block",
    "stream_keys",
    "summarise",
]
