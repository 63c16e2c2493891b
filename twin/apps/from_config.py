"""The apps layer's bridge: a resolved ``twin-run`` config to the engine's plain values.

Reads and checks what a config names (the squad, season and sweep through
:mod:`scenarios`' builders; the calibration file, the load-plan and travel-plan CSVs
from disk) and calls :func:`twin.engine.plan`. Every error names the config key, file,
row or field.
"""

from __future__ import annotations

import scenarios as sc
from physiology.injury import HazardParams, RiskFactorParams
from twin.engine import Plan, check_quantiles, plan
from twin.prescribe.load_plan import read_load_plan
from twin.store.governance import public_ids
from twin.travel.plan_file import read_travel_plan


def plan_from_config(cfg, **engine_args) -> Plan:
    """:func:`twin.engine.plan` for a resolved config (``conf/config.yaml``'s schema);
    ``engine_args`` replace what the config gives (``model``, ``draws``, ``hazard``) or
    add to it (``coupling``, ``priors``, ``draw_ids``: :mod:`twin.sensitivity`)."""
    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    sweep = sc.build_sweep(cfg.sweep, season)
    draws = int(sc.parse_number("draws", cfg.draws, 1, 100_000))
    seed = int(sc.parse_number("seed", cfg.seed, 0, 2**63 - 1))
    quantiles = check_quantiles(cfg.output.quantiles, "output.quantiles")
    ids = public_ids(squad)
    calibration = None
    if squad.parameters != "defaults":
        from calibration import read_squad_calibration

        try:
            calibration = read_squad_calibration(squad.parameters)
        except (OSError, ValueError) as exc:  # missing, unreadable, not a squad file
            raise sc.ConfigError(f"athletes.parameters = {squad.parameters!r}: {exc}") from None
        held = [str(a) for a in calibration["athlete"].values]
        if not set(held) & set(ids):
            raise sc.ConfigError(
                f"athletes.parameters = {squad.parameters!r}: its athletes "
                f"({_some(held)}) are none of the squad's ({_some(ids)}); expected the "
                "calibration of this squad (ids as the cube shows them: another squad's "
                "file, or one made under another pseudonym key?)")
    hazard = hazard_from_config(cfg.model.hazard)
    planned = (read_load_plan(cfg.scenario.load_plan, ids, season.dates)
               if cfg.scenario.load_plan else None)
    travel = (read_travel_plan(cfg.scenario.travel_plan, ids, season)
              if cfg.scenario.travel_plan else None)
    args = dict(draws=draws, seed=seed, model=cfg.model.fitness_fatigue.name,
                circadian=cfg.model.circadian.name, backend=cfg.backend.name.name,
                quantiles=quantiles, keep_draws=bool(cfg.output.keep_draws), public_ids=ids,
                calibration=calibration, load_plan=planned, travel_plan=travel, hazard=hazard,
                risk_factors=record_from_config(RiskFactorParams, cfg.model.risk_factors,
                                                "model.risk_factors"))
    return plan(squad, season, sweep, **{**args, **engine_args})


def hazard_from_config(node) -> HazardParams:
    """The hazard record of ``model.hazard``; ``ConfigError`` naming the key otherwise."""
    return record_from_config(HazardParams, node, "model.hazard")


def record_from_config(cls, node, key: str):
    """A parameter record from its config node, each field within its bounds;
    ``ConfigError`` naming ``<key>.<field>`` otherwise."""
    values = {}
    for name, spec in cls.spec().items():
        values[name] = sc.parse_number(f"{key}.{name}", node[name], spec.bounds[0],
                                       spec.bounds[1])
    return cls(**values)


def _some(ids, n: int = 3) -> str:
    """A few ids for a message (public ids only: governance has already applied)."""
    ids = list(ids)
    return ", ".join(ids[:n]) + (f" and {len(ids) - n} more" if len(ids) > n else "")
