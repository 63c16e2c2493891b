"""The twin the service forecasts with: one :class:`twin.engine.Plan` per squad, built
once at startup (``twin-run``'s config of ``twin.athletes`` and ``twin.scenario``, the
scenario as planned: no sweep axis), and per athlete what assimilation needs.

The plan is cached in the run dir (``twin_plan-<key>.pkl``, keyed by the resolved twin
config and the engine's source files; delete at will), so a restarted service is ready
in seconds; the compiled kernels stay warm in the process (Numba's cache on disk, the JAX
functions of :func:`twin.prescribe.assess` compiled once per window size at startup).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf, open_dict

from physiology.fitness_fatigue import BanisterParams
from scenarios import AXES

_SOURCES = ("physiology", "scenarios", "twin/model", "twin/engine", "calibration")


@dataclass(frozen=True)
class AthleteModel:
    """One athlete's assimilation model: the Banister parameters (mean of the twin's
    draws), the convention of the twin's day kernel, the prior state (the habitual steady
    state the season starts from) and the sleep need."""

    index: int
    id: str
    public_id: str
    jurisdiction: str
    params: BanisterParams
    convention: str
    mean0: tuple[float, float]
    need_h: float


def twin_config(cfg):
    """The twin-run config of the service's twin (``cfg.twin``), no sweep axis."""
    from twin.apps.config import compose

    t = cfg.twin
    tcfg = compose("runner=local", f"athletes={t.athletes}", f"scenario={t.scenario}",
                   f"draws={t.draws}", *t.overrides)
    with open_dict(tcfg):
        for axis in AXES:
            tcfg.sweep.axes[axis] = None
        tcfg.scenario.load_plan = None
    return tcfg


def _cache_key(tcfg) -> str:
    h = hashlib.sha256(OmegaConf.to_yaml(tcfg).encode())
    root = Path(__file__).resolve().parents[2]
    for folder in _SOURCES:
        for f in sorted((root / folder).rglob("*.py")):
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_plan(cfg):
    """The twin's plan for ``cfg`` (from the run dir's cache when there)."""
    from twin.apps.from_config import plan_from_config

    tcfg = twin_config(cfg)
    path = Path(cfg.run_dir) / f"twin_plan-{_cache_key(tcfg)}.pkl"
    if path.is_file():
        with path.open("rb") as fh:
            return pickle.load(fh)
    plan = plan_from_config(tcfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(plan, fh)
    tmp.replace(path)
    return plan


def athlete_models(plan) -> list[AthleteModel]:
    """Each athlete's :class:`AthleteModel` from the plan (Banister twins only)."""
    if plan.model != "banister":
        raise ValueError("twin-serve assimilates Banister's (fitness, fatigue); "
                         f"model.fitness_fatigue is {plan.model!r}")
    ff, s = plan.params.ff, plan.state0.ff
    squad = plan.squad
    out = []
    for a in range(len(plan.public_ids)):
        params = BanisterParams(p0=float(ff.p0[a].mean()), k1=float(ff.k1[a].mean()),
                                k2=float(ff.k2[a].mean()), tau1=float(ff.tau1[a].mean()),
                                tau2=float(ff.tau2[a].mean()))
        lag = float(np.mean(ff.lag[a]))
        out.append(AthleteModel(
            index=a, id=str(squad.ids[a]), public_id=str(plan.public_ids[a]),
            jurisdiction=str(squad.jurisdiction[a]), params=params,
            convention="next-day" if lag > 0.5 else "same-day",
            mean0=(float(np.mean(ff.k1[a] * s.g[a])), float(np.mean(ff.k2[a] * s.h[a]))),
            need_h=float(squad.need_h[a])))
    return out
