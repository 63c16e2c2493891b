"""``twin-run``, for now: the training-load and fitness-fatigue models on an example athlete.

Until the twin's scenario sweep lands, the main job runs the models of
:mod:`physiology.load` and :mod:`physiology.fitness_fatigue` on the real cyclist of
Clarke & Skiba (2013, Fig. 8) shipped in :mod:`calibration.data`, and writes into Hydra's run
directory (``outputs/<date>/<time>/``):

- ``pmc.png``: daily load, CTL, ATL, TSB and ACWR;
- ``banister.png``: the Banister response with its fitness and fatigue, and the tests;
- ``daily.csv``: every daily series, with units in the header;

and prints a short table of the nine tests against the model. Configuration: the
structured schema :class:`DemoConfig` and ``conf/demo.yaml``; override on the command line
(``twin-run backend=jax pmc.decay=1/N``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import hydra
import numpy as np
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from physiology.fitness_fatigue import BanisterParams, banister
from physiology.load import acwr, monotony, pmc, strain
from twin.data import CLARKE_SKIBA_2013_FIT, example_athlete

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


@dataclass
class PMCConfig:
    ctl_days: float = 42.0
    atl_days: float = 7.0
    decay: str = "exp"


@dataclass
class ACWRConfig:
    acute: int = 7
    chronic: int = 28
    method: str = "rolling"
    coupled: bool = True


BanisterConfig = BanisterParams.config_schema()

#: The published Banister fit to the example athlete (Clarke & Skiba 2013, Fig. 8;
#: same-day convention), the demo's default.
PUBLISHED_FIT = CLARKE_SKIBA_2013_FIT


@dataclass
class DemoConfig:
    """Schema and defaults of the demo (``conf/demo.yaml`` overrides them); Hydra
    validates overrides against it."""

    backend: str = "numba"
    pmc: PMCConfig = field(default_factory=PMCConfig)
    acwr: ACWRConfig = field(default_factory=ACWRConfig)
    banister: BanisterConfig = field(default_factory=lambda: BanisterConfig(**PUBLISHED_FIT))
    convention: str = "same-day"


ConfigStore.instance().store(name="demo_schema", node=DemoConfig)


def run_demo(cfg: DemoConfig, out_dir: Path) -> dict[str, np.ndarray]:
    """Compute the metrics, write the figures and CSV into ``out_dir``; return the series."""
    from twin.plots import pmc_chart, response_chart

    d = example_athlete()
    load = d["load_au"]
    try:
        params = BanisterParams(**OmegaConf.to_container(cfg.banister))
    except ValueError as err:
        raise ValueError(f"config key 'banister': {err}") from None
    chart = pmc(load, cfg.pmc.ctl_days, cfg.pmc.atl_days, decay=cfg.pmc.decay,
                backend=cfg.backend)
    ratio = acwr(load, cfg.acwr.acute, cfg.acwr.chronic, cfg.acwr.method, cfg.acwr.coupled,
                 backend=cfg.backend)
    model = banister(load, params, convention=cfg.convention, backend=cfg.backend)
    series = {
        "day": d["day"], "load_au": load, "ctl_au_per_d": chart.ctl, "atl_au_per_d": chart.atl,
        "tsb_au_per_d": chart.tsb, "acwr_1": ratio,
        "monotony_1": monotony(load, backend=cfg.backend),
        "strain_au": strain(load, backend=cfg.backend),
        "performance_w": model.performance, "fitness_w": model.fitness,
        "fatigue_w": model.fatigue, "test_power_w": d["test_power_w"],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    source = "Clarke & Skiba 2013 Fig. 8 cyclist"
    fig = pmc_chart(d["date"], load, chart.ctl, chart.atl, chart.tsb, ratio,
                    title=f"Performance Management Chart — {source} (BikeScore AU)")
    fig.savefig(out_dir / "pmc.png", dpi=110)
    fig = response_chart(d["date"], model.performance, model.fitness, model.fatigue,
                         d["test_power_w"], title=f"Banister model vs 5-min power tests — {source}")
    fig.savefig(out_dir / "banister.png", dpi=110)
    _write_csv(out_dir / "daily.csv", d["date"], series)
    return series


def _write_csv(path: Path, dates: np.ndarray, series: dict[str, np.ndarray]) -> None:
    """Write to a temporary name and move into place, so no half-written file remains."""
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w") as fh:
        fh.write(",".join(["date", *series]) + "\n")
        for i, day in enumerate(dates):
            fh.write(",".join([str(day), *(f"{v[i]:.6g}" for v in series.values())]) + "\n")
    tmp.replace(path)


def test_table(series: dict[str, np.ndarray]) -> str:
    """The tests against the model: day, measured, modelled, residual (W); SSE and R^2."""
    tested = np.isfinite(series["test_power_w"])
    y, m = series["test_power_w"][tested], series["performance_w"][tested]
    lines = [f"{'day':>5} {'test (W)':>10} {'model (W)':>10} {'resid (W)':>10}"]
    for day, a, b in zip(series["day"][tested], y, m, strict=True):
        lines.append(f"{day:>5d} {a:>10.1f} {b:>10.2f} {a - b:>10.2f}")
    sse = float(np.sum((y - m) ** 2))
    r2 = 1 - sse / float(np.sum((y - y.mean()) ** 2))
    lines.append(f"SSE = {sse:.2f} W^2, R^2 = {r2:.4f}")
    return "\n".join(lines)


test_table.__test__ = False  # a report, not a pytest test


@hydra.main(version_base=None, config_path=str(CONF_DIR) if CONF_DIR.is_dir() else None,
            config_name="demo" if CONF_DIR.is_dir() else "demo_schema")
def _main(cfg: DemoConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    series = run_demo(cfg, out_dir)
    print(test_table(series))
    print(f"last day: CTL {series['ctl_au_per_d'][-1]:.1f} AU/d, "
          f"ATL {series['atl_au_per_d'][-1]:.1f} AU/d, TSB {series['tsb_au_per_d'][-1]:.1f} AU/d; "
          f"peak ACWR {np.nanmax(series['acwr_1']):.2f}, "
          f"peak monotony {np.nanmax(series['monotony_1']):.2f}")
    print(f"wrote pmc.png, banister.png, daily.csv to {out_dir}")


def main() -> None:
    """Console entry point ``twin-run``."""
    _main()
