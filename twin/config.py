"""The twin's root config schema, registered in Hydra's ConfigStore as ``twin_schema``.

``conf/config.yaml`` composes it with one option from each group: ``athletes``,
``scenario``, ``sweep`` (schemas in :mod:`scenarios.schema`), ``runner`` and
``backend``. Keys and types are checked by OmegaConf when the YAML files and command-line
overrides are merged; values by :func:`scenarios.build_squad` and friends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from scenarios.schema import ScenarioConf, SquadConf, SweepConf

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


class RunnerKind(Enum):
    local = "local"  # in-process, for notebooks and tests
    ray = "ray"  # Ray tasks (a local instance when no address is given)


class BackendName(Enum):
    numba = "numba"
    jax = "jax"


class FitnessFatigue(Enum):
    banister = "banister"
    busso = "busso"


class Circadian(Enum):
    forger99 = "forger99"
    jewett99 = "jewett99"
    hannay19 = "hannay19"


class StoreFormat(Enum):
    zarr = "zarr"
    netcdf = "netcdf"


@dataclass
class RunnerConf:
    kind: RunnerKind = RunnerKind.local
    address: str | None = None  # Ray: none starts a local instance; "auto", "host:port"
    num_cpus: int | None = None  # Ray local instance size (default: the machine's)
    cpus_per_task: int = 1  # Ray: CPUs (and Numba threads) per chunk task
    max_retries: int = 3  # Ray: retries of a task whose worker died
    chunk_athletes: int = 0  # 0: chosen so a task does at least ~100 ms of work
    chunk_points: int = 0


@dataclass
class BackendConf:
    name: BackendName = BackendName.numba


@dataclass
class ModelConf:
    fitness_fatigue: FitnessFatigue = FitnessFatigue.banister
    circadian: Circadian = Circadian.forger99


@dataclass
class OutputConf:
    format: StoreFormat = StoreFormat.zarr
    keep_draws: bool = False
    quantiles: list[float] = field(default_factory=lambda: [0.05, 0.5, 0.95])
    plots: bool = True


@dataclass
class PlanConf:
    """``twin-plan``: the window, bounds and budgets of the optimised plans."""

    start: str | None = None  # first date of the window (default: the season's start)
    days: int = 56
    load_min: float = 0.0  # AU on a training day
    load_max: float = 900.0
    risk_budget: float | None = None  # P(injury in the window); default: the template's
    acwr_band: list[float] = field(default_factory=lambda: [0.8, 1.5])
    key_matches: list[str] = field(default_factory=list)  # dates; default every match
    taper_days: int = 0
    taper_fraction: float = 1.0
    draws: int = 16  # parameter draws the expectation runs over
    athletes: list[str] = field(default_factory=list)  # ids to plan; default the squad
    only_alerts: bool = False  # plan only athletes whose template risk exceeds the budget


@dataclass
class TwinConfig:
    athletes: SquadConf = MISSING
    scenario: ScenarioConf = MISSING
    sweep: SweepConf = MISSING
    runner: RunnerConf = MISSING
    backend: BackendConf = MISSING
    draws: int = 100  # Monte-Carlo draws (parameter uncertainty x process noise)
    seed: int = 0
    model: ModelConf = field(default_factory=ModelConf)
    output: OutputConf = field(default_factory=OutputConf)
    plan: PlanConf = field(default_factory=PlanConf)


def register() -> None:
    """Register the schemas (idempotent); the app calls it before Hydra composes."""
    cs = ConfigStore.instance()
    cs.store(name="twin_schema", node=TwinConfig)


register()
