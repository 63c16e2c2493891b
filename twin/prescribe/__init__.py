"""From prediction to prescription: optimised training loads per athlete
(:mod:`twin.prescribe.optimise`) and per-athlete load plans written to and read from their CSV
(:mod:`twin.prescribe.load_plan`) and replayed by the engine
(:func:`apply_load_plan`)."""

from twin.engine.load_plan import apply_load_plan
from twin.prescribe.load_plan import read_load_plan, write_load_plan
from twin.prescribe.optimise import (
    InfeasiblePlan,
    PlanRequest,
    PlanResult,
    assess,
    optimise,
    replay_outcomes,
    window_state,
    with_filtered_state,
)

__all__ = [
    "InfeasiblePlan",
    "PlanRequest",
    "PlanResult",
    "apply_load_plan",
    "assess",
    "optimise",
    "read_load_plan",
    "replay_outcomes",
    "window_state",
    "with_filtered_state",
    "write_load_plan",
]
