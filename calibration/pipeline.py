"""A squad's calibration from its files: validate everything, fit, then write atomically.

:func:`calibrate_squad` reads and validates every input table first (so a bad file stops
the run before anything is written), applies each athlete's governance policy, fits:

- ``banister`` (or ``busso``): :func:`calibration.fit_banister` on the daily load and the
  configured performance test, with Laplace draws;
- ``power_duration``: CP and W' from the bests (parametric bootstrap), else the body-mass
  prior;
- ``circadian``: DLMO from measured DLMO tests or MSFsc, intrinsic period from its prior;
- ``tissue``, ``hazard``: population priors,

and returns the squad dataset (:mod:`calibration.squad`) and per-athlete results.
:func:`write_outputs` writes the squad file and PNG reports into a temporary directory
and moves them into place only when all succeeded.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from calibration._laplace import stream
from calibration.athlete_data import daily_series
from calibration.circadian import fit_circadian
from calibration.evaluation import expanding_window
from calibration.fitness_fatigue import FitResult, fit, profile_likelihood
from calibration.governance import load_policies, policy_for
from calibration.power_duration import fit_power_duration
from calibration.priors import power_duration_prior, record_prior
from calibration.schema import DataError, DataPolicy, read_table
from calibration.squad import squad_dataset, write_squad_calibration
from physiology.injury import HazardParams
from physiology.tissue import TissueParams


@dataclass
class AthleteResult:
    """What a report needs about one athlete (``public_id`` only: never the raw id)."""

    public_id: str
    load: np.ndarray
    performance: np.ndarray
    fit: FitResult | None
    oos: object = None
    profiles: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def read_inputs(paths: dict[str, str | None]) -> dict:
    """Read and validate every table named in ``paths`` (None: absent)."""
    tables = {}
    for table in ("athletes", "daily", "tests", "bests", "travel"):
        p = paths.get(table)
        if p:
            tables[table] = read_table(p, table)
            tables[table].attrs["file"] = str(p)
        elif table in ("athletes", "daily", "tests"):
            raise ValueError(f"inputs.{table}: a file is required")
    return tables


def calibrate_squad(tables: dict, governance_dir, *, model: str = "banister",
                    convention: str = "same-day", fixed=None, n_draws: int = 200,
                    seed: int = 0, performance_test: str = "power_5min",
                    policy: DataPolicy | None = None, out_of_sample: bool = False,
                    profiles: bool = False, pd_model: str = "2p", history: str = "",
                    ) -> tuple[xr.Dataset, list[AthleteResult]]:
    """Calibrate every athlete of ``tables`` (module docstring)."""
    policy = policy or DataPolicy()
    policies = load_policies(governance_dir)
    athletes = tables["athletes"]
    afile = athletes.attrs.get("file", "athletes")
    seen = set()
    estimates, policy_of, results = {}, {}, []
    keys: dict[str, bytes] = {}
    for row, rec in enumerate(athletes.to_dict("records"), start=1):
        raw = rec["athlete_id"]
        if raw in seen:
            raise DataError(afile, row, "athlete_id", f"athlete {raw!r} listed twice")
        seen.add(raw)
        pol = policy_for(rec["jurisdiction"], policies,
                         where=f"file {afile!r}, row {row}, column 'jurisdiction': ")
        if pol.pseudonymise and pol.name not in keys:
            keys[pol.name] = pol.key()
        pid = pol.public_id(raw, keys.get(pol.name))
        rng = stream(seed, f"priors:{pid}")
        series = daily_series(tables["daily"], tables["tests"], raw,
                              performance_test=performance_test, policy=policy,
                              file=tables["daily"].attrs.get("file", "daily"),
                              tests_file=tables["tests"].attrs.get("file", "tests"))
        est: dict[str, tuple[float, np.ndarray]] = {}
        res = fit(model, series.load, series.performance, fixed, convention=convention,
                  n_draws=n_draws, seed=seed, key=pid)
        for j, name in enumerate(res.names):
            est[f"{model}.{name}"] = (float(getattr(res.params, name)), res.draws[:, j])
        out = AthleteResult(pid, series.load, series.performance, res, notes=series.notes)
        if out_of_sample:
            out.oos = expanding_window(series.load, series.performance, model=model,
                                       fixed=fixed, convention=convention)
        if profiles:
            out.profiles = {n: profile_likelihood(res, series.load, series.performance, n,
                                                  n_grid=13)
                            for n in res.free if n.startswith("tau")}
        bests = tables.get("bests")
        mine = bests[bests["athlete_id"] == raw] if bests is not None else None
        if mine is not None and len(mine) >= (3 if pd_model == "2p" else 4):
            pd_fit = fit_power_duration(mine["duration_s"], mine["power_w"], model=pd_model,
                                        n_draws=n_draws, rng=rng)
            for f, pt in pd_fit.point.items():
                est[f"power_duration.{f}"] = (pt, pd_fit.draws[f])
        elif rec.get("body_mass_kg") is not None:
            for f, v in power_duration_prior(rec["body_mass_kg"], n_draws, rng).items():
                est[f"power_duration.{f}"] = v
        t = tables["tests"]
        dlmo = t[(t["athlete_id"] == raw) & (t["kind"] == "dlmo")]["value"].to_numpy(float)
        circ = fit_circadian(series.sleep_onset_h, series.sleep_offset_h, series.free_day,
                             dlmo, n_draws=n_draws, rng=rng)
        for f, pt in circ.point.items():
            est[f"circadian.{f}"] = (pt, circ.draws[f])
        for prefix, record in (("tissue", TissueParams), ("hazard", HazardParams)):
            for f, v in record_prior(record, n_draws, rng).items():
                est[f"{prefix}.{f}"] = v
        estimates[pid] = est
        policy_of[pid] = pol.name
        results.append(out)
    ds = squad_dataset(estimates, n_draws, policies=policy_of, history=history,
                       title=f"Squad calibration ({model}, {convention} convention)")
    return ds, results


def write_outputs(ds: xr.Dataset, results: list[AthleteResult], out_dir, *,
                  squad_name: str = "squad_calibration.nc", reports: bool = True) -> Path:
    """Write the squad file and PNG reports: all into a temporary directory, then moved
    into ``out_dir`` (nothing lands there unless everything was written)."""
    from calibration.report import fit_report

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".calibrate-", dir=out_dir))
    try:
        write_squad_calibration(ds, tmp / squad_name)
        if reports:
            for r in results:
                fit_report(tmp / f"report_{r.public_id}.png", r.public_id, r.fit, r.load,
                           r.performance, oos=r.oos, profiles=r.profiles)
        for f in sorted(tmp.iterdir()):
            f.replace(out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir / squad_name
