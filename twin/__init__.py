"""The twin: couples the physiology models, runs sweeps, builds outcome cubes.

Its parts, one folder each, in the order the data flows. Each imports only those before it
(``prescribe`` and ``plots`` read the engine and the store), with two exceptions that are
the config-driven ends: :func:`run_sweep` takes a resolved config and reads it through
:mod:`twin.apps.from_config`, and governance reads its policies from ``conf/``. The model,
the engine and the store take plain values.

- :mod:`twin.model`: the twin as a model: the coupled day kernel with its named inputs
  and outputs, the sub-daily clock and sleep features, match W' depletion, athlete
  parameter draws, couplings and priors, and the one variable table
  (:mod:`twin.model.variables`: every kernel input, cube variable and summary outcome);
- :mod:`twin.engine`: :func:`plan` (what every chunk shares) and :func:`run_chunk` (a
  block through the day kernel, reduced over draws; :func:`simulate_block` keeps every
  draw), the reductions and the season summary;
- :mod:`twin.store`: Zarr/netCDF cubes with CF metadata (:func:`open_cube`) and
  governance by jurisdiction;
- :mod:`twin.runners`: :func:`run_sweep`, a resolved config to a cube on disk, in
  process or as Ray tasks;
- :mod:`twin.prescribe`: optimised training loads and per-athlete load plans;
- :mod:`twin.plots`: the figures ``twin-run`` and ``twin-plan`` write;
- :mod:`twin.apps`: the schemas and :func:`compose`, :func:`plan_from_config`, one Hydra
  wrapper and the tools ``twin-run``, ``twin-plan``, ``twin-scenario``,
  ``twin-calibrate``; ``python -m twin.apps.docs`` writes ``docs/model.md``.
"""

from twin.apps.config import compose
from twin.apps.from_config import plan_from_config
from twin.engine import Plan, plan, run_chunk, simulate_block
from twin.model import DAILY, INPUTS, SUMMARY, AthletePriors, CouplingParams, Variable
from twin.runners import RunResult, run_sweep
from twin.store import open_cube

__all__ = [
    "DAILY",
    "INPUTS",
    "SUMMARY",
    "AthletePriors",
    "CouplingParams",
    "Plan",
    "RunResult",
    "Variable",
    "compose",
    "open_cube",
    "plan",
    "plan_from_config",
    "run_chunk",
    "run_sweep",
    "simulate_block",
]
