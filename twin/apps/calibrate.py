"""``twin-calibrate``: the Hydra app that writes a squad calibration file and PNG reports.

Usage::

    TWIN_PSEUDONYM_KEY=... twin-calibrate inputs.athletes=athletes.csv \\
        inputs.daily=daily.csv inputs.tests=tests.csv inputs.bests=bests.parquet \\
        inputs.injuries=injuries.csv inputs.exposure=exposure.csv

Writes ``squad_calibration.nc`` and ``report_<athlete>.png`` into ``output_dir`` (default:
Hydra's run directory); with an injury log, the squad's fitted hazard
(``hazard.rate_training``, ``hazard.rate_match``, ``hazard.rr_congestion``,
``hazard.rr_return``) in the squad file and ``injury_calibration.png`` beside it; and
``report.html``, the fitted parameters with the 5-95 % range of their draws and the
figures, as one self-contained page (:func:`twin.report.calibration_report`).
Schema: :class:`twin.apps.config.CalibrateConfig`; defaults in ``conf/calibrate.yaml``.
Every input is validated before anything is written; a bad input is one line on stderr
naming the file, row and column, exit status 2. The work is done by :mod:`calibration`
(:func:`~calibration.read_inputs`, :func:`~calibration.calibrate_squad`,
:func:`~calibration.write_outputs`), which takes plain values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from calibration.pipeline import calibrate_squad, read_inputs, write_outputs
from calibration.schema import DataPolicy
from twin.apps.hydra_app import hydra_app
from twin.report import calibration_report


def run_calibration(cfg: DictConfig, out_dir) -> tuple[Path, str]:
    """Validate the inputs, calibrate the squad, write the outputs into ``out_dir``.

    Returns:
        The squad file's path, and the text the app prints (per athlete the fit, its
        out-of-sample error and its flags; the path written).

    Raises:
        calibration.DataError: a bad input file (names the file, row and column).
        ValueError: a bad setting (names it).
    """
    tables = read_inputs(OmegaConf.to_container(cfg.inputs))
    history = (f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} twin-calibrate "
               f"model={cfg.fit.model} convention={cfg.fit.convention} "
               f"n_draws={cfg.fit.n_draws} seed={cfg.fit.seed}")
    ds, results, injury = calibrate_squad(
        tables, cfg.governance_dir, model=cfg.fit.model, convention=cfg.fit.convention,
        fixed={k: v for k, v in OmegaConf.to_container(cfg.fit.fixed).items()
               if v is not None}, n_draws=cfg.fit.n_draws,
        seed=cfg.fit.seed, performance_test=cfg.fit.performance_test,
        policy=DataPolicy(**OmegaConf.to_container(cfg.data)),
        out_of_sample=cfg.fit.out_of_sample, profiles=cfg.fit.profiles,
        pd_model=cfg.fit.power_duration_model, history=history,
        season_start=cfg.fit.season_start)
    path = write_outputs(ds, results, out_dir, injury=injury, squad_name=cfg.squad_file,
                         reports=cfg.reports)
    lines = []
    for r in results:
        oos = f", next-test RMSE {r.oos.rmse:.3g}" if r.oos is not None else ""
        lines.append(f"{r.public_id}: SSE {r.fit.sse:.4g}, sigma {r.fit.sigma:.3g}{oos}; "
                     f"{len(r.fit.diagnostics.flags)} flag(s)" +
                     "".join(f"\n  - {n}" for n in (*r.notes, *r.fit.diagnostics.flags)))
    if injury is not None:
        lines += [injury.summary(), *(f"  - {n}" for n in injury.fit.notes)]
    html = calibration_report(path.parent, ds, lines)
    lines.append(f"wrote {path}, {html}")
    return path, "\n".join(lines)


def _job(cfg: DictConfig, out_dir: Path) -> str:
    return run_calibration(cfg, cfg.output_dir or out_dir)[1]


# Bad input: one clear line, no traceback (DataError and the settings' errors are
# ValueErrors).
main = hydra_app("twin-calibrate", _job, config_name="calibrate", errors=(ValueError,))

if __name__ == "__main__":
    main()
