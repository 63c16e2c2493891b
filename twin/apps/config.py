"""The apps' config schemas, registered in Hydra's ConfigStore, and :func:`compose`.

- ``twin_schema`` (:class:`TwinConfig`), the root of ``conf/config.yaml`` (``twin-run``,
  ``twin-plan``, ``twin-scenario``), composed with one option from each group:
  ``athletes``, ``scenario``, ``sweep`` (schemas in :mod:`scenarios.schema`), ``runner``
  and ``backend``; also of ``conf/sensitivity.yaml`` (``twin-sensitivity``: the standard
  sweep and a sensitivity design);
- ``calibrate_schema`` (:class:`CalibrateConfig`), the root of ``conf/calibrate.yaml``
  (``twin-calibrate``).

Keys and types are checked by OmegaConf when the YAML files and command-line overrides are
merged; values by :func:`scenarios.build_squad` and friends. :func:`compose` gives the
same config as the apps, for notebooks, tests and benchmarks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from hydra import compose as _hydra_compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import MISSING, DictConfig, OmegaConf

from physiology.injury import HazardParams, RiskFactorParams
from scenarios import ConfigError
from scenarios.schema import ScenarioConf, SquadConf, SweepConf
from twin.model.day_kernel import KERNELS

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"

#: Hydra's ``version_base`` of every app and of :func:`compose`.
VERSION_BASE = "1.3"


class RunnerKind(Enum):
    auto = "auto"  # the faster of the two for this machine (twin.runners.local.choose_runner)
    local = "local"  # in-process, for notebooks and tests
    ray = "ray"  # Ray tasks (a local instance when no address is given)


class BackendName(Enum):
    numba = "numba"
    jax = "jax"


#: The fitness-fatigue models the twin couples (``twin.model.day_kernel.KERNELS``, whose
#: names are those of :data:`physiology.fitness_fatigue.MODELS`).
FitnessFatigueModel = Enum("FitnessFatigueModel", {name: name for name in KERNELS})


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


_HazardConf = HazardParams.config_schema()
_RiskFactorConf = RiskFactorParams.config_schema()


@dataclass
class ModelConf:
    fitness_fatigue: FitnessFatigueModel = FitnessFatigueModel.banister
    circadian: Circadian = Circadian.hannay19
    # The injury hazard's rates and options (physiology.injury.HazardParams), e.g.
    # model.hazard.beta_acwr=1.386 switches the disputed ACWR term on (docs/model.md).
    hazard: _HazardConf = field(default_factory=_HazardConf)
    # An athlete's own rate ratios (physiology.injury.RiskFactorParams): previous injury
    # (Hägglund et al. 2006) and age (off), for squads that give them.
    risk_factors: _RiskFactorConf = field(default_factory=_RiskFactorConf)


@dataclass
class OutputConf:
    format: StoreFormat = StoreFormat.zarr
    keep_draws: bool = False
    quantiles: list[float] = field(default_factory=lambda: [0.05, 0.5, 0.95])
    plots: bool = True


@dataclass
class PointConf:
    """A scenario point of the figures: a value per sweep axis (null: the default);
    ``scenario``: a sample point's index (lhs and sobol sweeps)."""

    training_volume: float | None = None
    match_load: float | None = None
    fixture_density: float | None = None
    itinerary: str | None = None
    recovery: str | None = None
    scenario: int | None = None


@dataclass
class PlotsConf:
    """``twin-run``'s figures (with ``output.plots=true``): whom and which scenario point.

    ``athletes``: public ids (as the cube shows them); one season/jetlag/fan figure each
    (``season_<id>.png``, ... when more than one); default the squad's first athlete.
    ``point``: a value per sweep axis, ``plots.point={itinerary: east_6,
    training_volume: 1.2}`` or ``plots.point.itinerary=east_6`` (axes left out: the middle
    of a numeric axis, the first trip away); for a sampled sweep (lhs, sobol),
    ``plots.point.scenario=12`` or axis values (the nearest sample point). ``outcome``:
    the summary outcome of heatmap.png and of the fan's best and worst points."""

    athletes: list[str] = field(default_factory=list)
    point: PointConf = field(default_factory=PointConf)
    outcome: str = "match_performance"


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
class TravelConf:
    """``twin-travel``: the window, what a plan may do, the draws and the objective
    (:mod:`twin.travel`; sources and assumptions in the records' and modules' docstrings)."""

    days_before: int = 4  # local days before the first departure
    days_after: int = 3  # days after the last arrival
    light_box: bool = True  # a light box may be used (else daylight only, sun up)
    max_seek_h: float = 4.0  # bright light a local day at most (h)
    max_avoid_h: float = 8.0  # dark glasses a local day at most (h)
    max_shift_h: float = 1.0  # sleep window moved a day at most (h); Eastman et al. 2005
    max_offset_h: float = 3.0  # sleep window at most this far from habitual (h)
    preflight_shift_h: float = 3.0  # the rule-based protocol's pre-flight shift (h)
    light_box_lux: float = 5000.0
    glasses_transmittance: float = 0.13
    draws: int = 8  # pacemaker draws the plan is optimised over
    tau_sd_h: float = 0.2  # SD of the intrinsic period (h); Duffy et al. 2011
    light_sensitivity_sd: float = 0.5  # SD of ln light sensitivity; assumption
    sleep_weight: float = 1.0  # x the twin's % per h of sleep lost (Craven et al. 2022)
    effort_weight: float = 0.0  # % per h of actions a day; assumption (0: neutral)
    alignment_weight: float = 0.0  # % per h^2 of misalignment at kickoff
    iterations: int = 45  # L-BFGS-B iterations over the three stages
    replay_draws: int = 50  # Monte-Carlo draws of the twin replaying each strategy
    plot_athlete: str | None = None  # public id of travel_plan.png; default the first


@dataclass
class SensitivityConf:
    """``twin-sensitivity``, and ``twin-run``'s robustness lines (:mod:`twin.sensitivity`)."""

    base_samples: int = 0  # Saltelli base N, a power of 2: N (k + 2) sets; twin-run: 0 = off
    draws: int = 2  # Monte-Carlo draws per parameter set (the same draws for every set)
    models: list[str] = field(default_factory=lambda: ["banister", "busso"])  # model factor
    factors: list[str] | None = None  # factor names (twin.sensitivity.FIELDS); null: all
    resamples: int = 100  # bootstrap resamples of the intervals
    conf_level: float = 0.95
    seed: int = 0  # of the design (scrambled Sobol' sequence) and of the bootstrap
    chunk_sets: int = 0  # parameter sets per chunk; 0: about 3e6 athlete-days a chunk


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
    plots: PlotsConf = field(default_factory=PlotsConf)
    plan: PlanConf = field(default_factory=PlanConf)
    travel: TravelConf = field(default_factory=TravelConf)
    sensitivity: SensitivityConf = field(default_factory=SensitivityConf)


@dataclass
class InputsConfig:
    """``twin-calibrate``: the squad's files (CSV or Parquet; schema in
    :mod:`calibration.schema`)."""

    athletes: str | None = None
    daily: str | None = None
    tests: str | None = None
    bests: str | None = None
    travel: str | None = None
    injuries: str | None = None  # injury log: fits the squad's hazard
    exposure: str | None = None  # exposure log (default: the daily table's minutes)


@dataclass
class DataConfig:
    """``twin-calibrate``: the data policy (:class:`calibration.DataPolicy`)."""

    duplicates: str = "error"
    gaps: str = "error"
    duplicate_tests: str = "error"


@dataclass
class FixedConfig:
    """Fields held fixed in the fit (null: fitted); Banister and Busso field names."""

    p0: float | None = None
    k1: float | None = None
    k2: float | None = None
    k3: float | None = None
    tau1: float | None = None
    tau2: float | None = None
    tau3: float | None = None


@dataclass
class FitConfig:
    model: str = "banister"
    convention: str = "same-day"
    fixed: FixedConfig = field(default_factory=FixedConfig)
    n_draws: int = 200
    seed: int = 0
    performance_test: str = "power_5min"
    out_of_sample: bool = True
    profiles: bool = True
    power_duration_model: str = "2p"
    season_start: str = "07-01"  # MM-DD; the injury fit holds out the log's last season


@dataclass
class CalibrateConfig:
    """Schema of ``twin-calibrate`` (``conf/calibrate.yaml``)."""

    inputs: InputsConfig = field(default_factory=InputsConfig)
    data: DataConfig = field(default_factory=DataConfig)
    fit: FitConfig = field(default_factory=FitConfig)
    governance_dir: str = str(CONF_DIR / "governance")
    output_dir: str | None = None
    squad_file: str = "squad_calibration.nc"
    reports: bool = True


def register() -> None:
    """Register the schemas (idempotent); the apps call it before Hydra composes."""
    cs = ConfigStore.instance()
    cs.store(name="twin_schema", node=TwinConfig)
    cs.store(name="calibrate_schema", node=CalibrateConfig)


def compose(*overrides: str, config_name: str = "config") -> DictConfig:
    """The config an app would run with: ``conf/<config_name>.yaml`` composed with
    ``overrides``, as for ``twin-run`` (or ``twin-calibrate``) on the command line.

    For notebooks, tests and benchmarks. The schemas are registered first; Hydra's global
    state is left as it was found, so it can be called any number of times, and from
    inside a running Hydra app.

    Args:
        *overrides: Hydra overrides, each one string: ``"athletes=mini_squad"``,
            ``"draws=8"``, ``"sweep.axes.itinerary=[home,east_6]"``.
        config_name: the primary config in ``conf/``: ``"config"`` (``twin-run``,
            ``twin-plan``, ``twin-scenario``) or ``"calibrate"`` (``twin-calibrate``).

    Returns:
        The composed config with its interpolations resolved, without the ``hydra``
        node; struct mode is on, as in the apps, so a misspelt key is an error.

    Raises:
        TypeError: an override that is not a string (a list passed instead of its items).
        hydra.errors.MissingConfigException: no such config, or no such option of a
            group (``scenario=nonesuch``).
        hydra.errors.ConfigCompositionException: an override names an unknown key or
            gives a value of the wrong type (the message names the key).
        hydra.errors.OverrideParseException: an override that is not valid override
            syntax.
    """
    for o in overrides:
        if not isinstance(o, str):
            raise TypeError(f"compose(): each override is a string such as 'draws=8', "
                            f"got {o!r}; pass a list as compose(*overrides)")
    register()
    # initialize_config_dir refuses to run while Hydra is initialised (inside an app, or
    # after a bare initialize() in a notebook): set that aside and put it back after.
    outer = GlobalHydra.instance().hydra
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base=VERSION_BASE):
            cfg = _hydra_compose(config_name, overrides=list(overrides))
    finally:
        GlobalHydra.instance().hydra = outer
    OmegaConf.resolve(cfg)
    check_known_keys(cfg)
    return cfg


def check_known_keys(cfg: DictConfig, path: str = "") -> None:
    """Refuse keys that no schema declares.

    Struct mode refuses a misspelt key, but Hydra's ``+key=value`` adds one anyway (it is
    how a key absent from the defaults is given); a key its node's schema (a dataclass)
    does not declare would then be carried along and ignored. Nodes typed as plain dicts
    (``scenario.venues``, ``scenario.trips``) take any key.

    Raises:
        ConfigError: naming the key and the keys its node declares.
    """
    kind = OmegaConf.get_type(cfg)
    known = {f.name for f in dataclasses.fields(kind)} if dataclasses.is_dataclass(kind) \
        else None
    for key in cfg:
        where = f"{path}.{key}" if path else str(key)
        if known is not None and key not in known:
            raise ConfigError(f"{where}: not a key of {kind.__name__} (given with '+'?); "
                              f"expected one of {sorted(known)}")
        if OmegaConf.is_missing(cfg, key):
            continue
        node = cfg[key]
        if isinstance(node, DictConfig):
            check_known_keys(node, where)


register()
