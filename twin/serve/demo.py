"""Synthetic seasons for the demo, the tests and the load benchmark (seeded).

Each athlete's days follow the twin's own scenario: the scenario's training load and the
athlete's share of its matches (as :func:`twin.prescribe.optimise` reads the plan), times
a log-normal day-to-day spread; readiness and sleep are generated from the athlete's
assimilation model (readiness from the Banister fatigue the loads give, through the same
observation model the filter assumes), so the filter sees data of its own kind. An
``overload`` block multiplies one athlete's training loads and shortens their sleep, so
the risk and sleep rules fire.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

from calibration import state_space
from twin.engine import SRPE


class Overload(NamedTuple):
    athlete: int  # index in the squad
    start: int  # season day
    days: int
    factor: float  # training load multiplier
    sleep_loss_h: float = 1.5


def athlete_loads(plan, a: int) -> np.ndarray:
    """The athlete's template day loads (AU): the scenario's training and the athlete's
    share of its matches."""
    d, season = plan.days, plan.season
    scenario = (d.match_minutes * d.match_intensity)[0]
    training = d.load[0, :, SRPE] - scenario * season.match_load_per_min
    return np.maximum(training, 0.0) + plan.match_effort(a)[0] * season.match_load_per_min


def _clock(h: float) -> str:
    m = round(h * 60) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def synthetic_records(plan, models, acfg, days: int, *, seed: int = 0,
                      overload: Overload | None = None, athletes=None) -> list[list[dict]]:
    """Per day, the records of every athlete (JSON bodies for ``POST .../records``, each
    with an ``"athlete"`` key for the URL)."""
    rng = np.random.default_rng(seed)
    start = dt.date.fromisoformat(str(np.datetime64(plan.season.start, "D")))
    days = min(days, plan.season.days)
    chosen = range(len(models)) if athletes is None else athletes
    out = [[] for _ in range(days)]
    for a in chosen:
        m = models[a]
        base = athlete_loads(plan, a)[:days]
        load = base * np.exp(rng.normal(0.0, 0.1, days) - 0.005)
        sleep_loss = np.zeros(days)
        if overload is not None and overload.athlete == a:
            w = slice(overload.start, overload.start + overload.days)
            train = ~plan.days.match[0, :days] & ~plan.days.rest[0, :days]
            load[w] = np.where(train[w], np.maximum(load[w], 300.0) * overload.factor, load[w])
            sleep_loss[w] = overload.sleep_loss_h
        ss = state_space(m.params, m.convention)
        x = np.array(m.mean0)
        habitual = max(m.mean0[1], 1e-9)
        bed = float(plan.squad.bed_h[a])
        for t in range(days):
            x = ss.A @ x + ss.B * load[t]
            ready = (acfg.readiness_base - acfg.readiness_slope * (x[1] / habitual - 1)
                     + rng.normal(0.0, acfg.readiness_sd))
            slept = m.need_h - 0.3 + rng.normal(0.0, 0.4) - sleep_loss[t]
            onset = bed + rng.normal(0.0, 0.25)
            out[t].append({"athlete": m.id, "date": str(start + dt.timedelta(days=t)),
                           "load": round(float(load[t]), 3), "load_kind": "session-RPE",
                           "readiness": round(float(np.clip(ready, 0.0, 10.0)), 2),
                           "sleep_onset": _clock(onset), "sleep_offset": _clock(onset + slept),
                           "training_min": float(plan.days.training_min[0, t]),
                           "match_min": float(plan.match_minutes(a)[0, t])})
    return out
