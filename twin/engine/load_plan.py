"""A per-athlete load plan applied to a sweep's daily inputs (read by
:func:`twin.prescribe.read_load_plan`, applied here by the engine).

On the planned dates the plan replaces the scenario's training load for that athlete
(times the sweep's training-volume multiplier); running volume and training minutes (the
injury exposure) follow the load at the season's metres and minutes per AU of training
(the optimiser's model). Match and rest days keep what the calendar says.
"""

from __future__ import annotations

import numpy as np

from scenarios import LOAD_KINDS


def apply_load_plan(days, season, volume, planned):
    """Per-athlete daily load, running and training minutes ``(A, P, D)``,
    ``(A, P, D, bands)``, ``(A, P, D)``."""
    effort = days.match_minutes * days.match_intensity
    match_load = effort * season.match_load_per_min
    match_run = effort[..., None] * season.match_running_per_min
    srpe = days.load[..., LOAD_KINDS.index("srpe")]
    train_run = days.running_m - match_run
    train_au = max((srpe - match_load).sum(), 1e-12)
    per_au = train_run.sum(axis=(0, 1)) / train_au
    minutes_per_au = days.training_min.sum() / train_au
    train = ~days.match & ~days.rest
    on = np.isfinite(planned)[:, None, :] & train[None]  # (A, P, D)
    load = np.where(on, match_load + np.nan_to_num(planned)[:, None] * volume[:, None],
                    srpe[None])
    new_run = match_run + (load - match_load)[..., None] * per_au
    running = np.where(on[..., None], new_run, days.running_m[None])
    minutes = np.where(on, (load - match_load) * minutes_per_au, days.training_min[None])
    return load, running, minutes
