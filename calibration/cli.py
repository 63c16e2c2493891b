"""``twin-calibrate``: the Hydra app that writes a squad calibration file and PNG reports.

Usage::

    TWIN_PSEUDONYM_KEY=... twin-calibrate inputs.athletes=athletes.csv \\
        inputs.daily=daily.csv inputs.tests=tests.csv inputs.bests=bests.parquet

Writes ``squad_calibration.nc`` and ``report_<athlete>.png`` into ``output_dir`` (default:
Hydra's run directory). Schema: :class:`CalibrateConfig`; defaults in
``conf/calibrate.yaml``. Every input is validated before anything is written.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from calibration.pipeline import calibrate_squad, read_inputs, write_outputs
from calibration.schema import DataPolicy

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


@dataclass
class InputsConfig:
    athletes: str | None = None
    daily: str | None = None
    tests: str | None = None
    bests: str | None = None
    travel: str | None = None


@dataclass
class DataConfig:
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


ConfigStore.instance().store(name="calibrate_schema", node=CalibrateConfig)


def run_calibration(cfg, out_dir) -> Path:
    """Validate inputs, calibrate the squad, write outputs; return the squad file path."""
    tables = read_inputs(OmegaConf.to_container(cfg.inputs))
    history = (f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} twin-calibrate "
               f"model={cfg.fit.model} convention={cfg.fit.convention} "
               f"n_draws={cfg.fit.n_draws} seed={cfg.fit.seed}")
    ds, results = calibrate_squad(
        tables, cfg.governance_dir, model=cfg.fit.model, convention=cfg.fit.convention,
        fixed={k: v for k, v in OmegaConf.to_container(cfg.fit.fixed).items()
               if v is not None}, n_draws=cfg.fit.n_draws,
        seed=cfg.fit.seed, performance_test=cfg.fit.performance_test,
        policy=DataPolicy(**OmegaConf.to_container(cfg.data)),
        out_of_sample=cfg.fit.out_of_sample, profiles=cfg.fit.profiles,
        pd_model=cfg.fit.power_duration_model, history=history)
    path = write_outputs(ds, results, out_dir, squad_name=cfg.squad_file,
                         reports=cfg.reports)
    for r in results:
        oos = f", next-test RMSE {r.oos.rmse:.3g}" if r.oos is not None else ""
        print(f"{r.public_id}: SSE {r.fit.sse:.4g}, sigma {r.fit.sigma:.3g}{oos}; "
              f"{len(r.fit.diagnostics.flags)} flag(s)" +
              "".join(f"\n  - {n}" for n in (*r.notes, *r.fit.diagnostics.flags)))
    print(f"wrote {path}")
    return path


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="calibrate")
def _main(cfg) -> None:
    out = cfg.output_dir or HydraConfig.get().runtime.output_dir
    try:
        run_calibration(cfg, out)
    except ValueError as exc:  # bad input: one clear line, no traceback
        print(f"twin-calibrate: {exc}", file=sys.stderr)
        sys.exit(2)


def main() -> None:
    _main()
