"""Running a sweep into a store: in process (:mod:`twin.runners.local`, with
:func:`run_sweep`, the config-driven driver every app and notebook calls) or as Ray tasks
(:mod:`twin.runners.ray_runner`); :mod:`twin.runners.chaos` injects faults for tests."""

from twin.runners.local import RunResult, run_sweep

__all__ = ["RunResult", "run_sweep"]
