"""A squad's calibration from its files: validate everything, fit, then write atomically.

:func:`calibrate_squad` reads and validates every input table first (so a bad file stops
the run before anything is written), applies each athlete's governance policy, fits:

- ``banister`` (or ``busso``): :func:`calibration.fit_banister` on the daily load and the
  configured performance test, with profile-likelihood intervals and draws;
- ``power_duration``: CP and W' from the bests (parametric bootstrap), else the body-mass
  prior;
- ``circadian``: DLMO from measured DLMO tests or MSFsc, intrinsic period from its prior;
- ``tissue``: population priors;
- ``hazard``: with an injury log, the squad's rates and rate ratios
  (:func:`calibrate_injuries`, :func:`calibration.injury.fit_injury_model`), the same
  draws for every athlete (the fit is squad-level); without one, no ``hazard.*``
  parameter, so the twin keeps the record's literature values,

and returns the squad dataset (:mod:`calibration.squad`), per-athlete results and the
injury calibration. :func:`write_outputs` writes the squad file and PNG reports (with an
injury log, ``injury_calibration.png``) into a temporary directory and moves them into
place only when all succeeded.

The injury fit's check (:func:`calibrate_injuries`): seasons start on ``season_start``
(``MM-DD``, default 1 July, the European football season); when the exposure log spans
more than one (and the last has at least 10 athlete-days of exposure), the last is held
out: the hazard fitted on the seasons before it is scored on it
(:func:`calibration.injury_check.evaluate_injury_model`; covariates from the whole log),
otherwise the fit is scored in sample. The squad file carries the fit on the whole log.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from calibration._diagnostics import stream
from calibration.athlete_data import daily_series
from calibration.circadian import fit_circadian
from calibration.evaluation import expanding_window
from calibration.fitness_fatigue import FitResult, fit, profile_likelihood
from calibration.governance import load_policies, policy_for
from calibration.injury import (
    FITTED,
    InjuryFit,
    fit_injury_model,
)
from calibration.injury_check import (
    InjuryEvaluation,
    calibration_plot,
    evaluate_injury_model,
)
from calibration.power_duration import fit_power_duration
from calibration.priors import power_duration_prior, record_prior
from calibration.schema import DataError, DataPolicy, read_table
from calibration.sleep_need import fit_sleep_need
from calibration.squad import squad_dataset, write_squad_calibration
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
    """Read and validate every table named in ``paths`` (None: absent): each cell
    (:func:`calibration.schema.read_table`), then across tables: the athletes and tests
    tables hold rows, each athlete is listed once, and every other table's athletes are
    in the athletes table.

    Raises:
        DataError: naming the file, row and column. ValueError: a required file missing.
    """
    tables = {}
    for table in ("athletes", "daily", "tests", "bests", "travel", "injuries", "exposure"):
        p = paths.get(table)
        if p:
            tables[table] = read_table(p, table)
            tables[table].attrs["file"] = str(p)
        elif table in ("athletes", "daily", "tests"):
            raise ValueError(f"inputs.{table}: a file is required")
    for table in ("athletes", "tests"):
        if not len(tables[table]):
            raise DataError(paths[table], None, None, f"no data rows; expected at least one "
                            f"row per athlete in the {table} table")
    aids = tables["athletes"]["athlete_id"]
    twice = aids.duplicated().to_numpy()
    if twice.any():
        i = int(np.argmax(twice))
        first = int(np.argmax((aids == aids.iloc[i]).to_numpy())) + 1
        raise DataError(paths["athletes"], i + 1, "athlete_id",
                        f"the athlete of row {first} listed twice")
    ids = set(aids)
    for table, frame in tables.items():
        if table == "athletes":
            continue
        unknown = ~frame["athlete_id"].isin(ids).to_numpy()
        if unknown.any():
            raise DataError(paths[table], int(np.argmax(unknown)) + 1, "athlete_id",
                            f"an athlete not in the athletes table {paths['athletes']!r}")
    if "exposure" in tables and "injuries" not in tables:
        raise ValueError("inputs.injuries: a file is required with inputs.exposure (a log "
                         "without injuries is a file with the header only)")
    return tables


@dataclass(frozen=True)
class InjuryCalibration:
    """The squad's injury fit (on the whole log) and its check: ``evaluation`` on the
    season from ``held_out_from`` (ISO date) of a fit to the seasons before it, or in
    sample (``held_out_from`` None)."""

    fit: InjuryFit
    evaluation: InjuryEvaluation
    held_out_from: str | None

    def summary(self) -> str:
        """One line per the app's output: estimates, intervals and the check."""
        f, e = self.fit, self.evaluation
        parts = [f"{n} {f.estimate[n]:.4g} [{f.interval[n][0]:.3g}, {f.interval[n][1]:.3g}]"
                 for n in FITTED]
        where = (f"held out from {self.held_out_from}" if self.held_out_from
                 else "in sample")
        return (f"hazard (squad, {f.injuries['training']} training and "
                f"{f.injuries['match']} match injuries in {f.hours['training']:.0f} h and "
                f"{f.hours['match']:.0f} h): " + ", ".join(parts)
                + f"; {where}: AUC {e.auc:.3f}, calibration slope "
                f"{e.calibration_slope:.2f}, observed/expected {e.observed_expected:.2f}")


def exposure_from_daily(daily: pd.DataFrame, policy: DataPolicy) -> pd.DataFrame:
    """The exposure log from the daily table's ``training_min`` and ``match_min``
    (an empty cell is no exposure; several rows on a date merged by ``policy.duplicates``:
    ``error`` leaves them to be reported, naming the daily file).

    Raises:
        ValueError: the daily table has neither column (naming ``inputs.exposure``).
    """
    cols = ["training_min", "match_min"]
    if daily[cols].isna().all().all():
        raise ValueError("inputs.exposure: a file is required with inputs.injuries (the "
                         "daily table has no training_min or match_min to derive it from)")
    frame = daily[["athlete_id", "date", *cols]].copy()
    frame[cols] = frame[cols].astype(float).fillna(0.0)
    key = ["athlete_id", "date"]
    if policy.duplicates == "sum":
        frame[cols] = frame.groupby(key)[cols].transform("sum")
    if policy.duplicates != "error":
        frame = frame[~frame.duplicated(key, keep="last" if policy.duplicates == "last"
                                        else "first")]
    frame.attrs["file"] = daily.attrs.get("file", "daily")
    return frame


def _season_start(text: str) -> tuple[int, int]:
    try:
        month, day = (int(v) for v in str(text).split("-"))
        pd.Timestamp(2001, month, day)  # not 02-29: a season starts every year
    except ValueError:
        raise ValueError(f"fit.season_start = {text!r}: expected a month and day MM-DD "
                         "(e.g. 07-01)") from None
    return month, day


def calibrate_injuries(tables: dict, *, n_draws: int = 200, seed: int = 0,
                       season_start: str = "07-01", policy: DataPolicy | None = None
                       ) -> InjuryCalibration | None:
    """The squad's injury fit and its check (module docstring); None without an injury
    log. Athletes of the logs must be in ``tables["athletes"]`` (raw ids; none leaves).

    Raises:
        DataError: bad logs (naming file, row, column). ValueError: a bad setting, or an
            injury log without an exposure log or daily minutes (naming ``inputs.exposure``).
    """
    if "injuries" not in tables:
        return None
    month, day = _season_start(season_start)
    injuries = tables["injuries"]
    exposure = tables.get("exposure")
    if exposure is None:
        exposure = exposure_from_daily(tables["daily"], policy or DataPolicy())
    ids = tables["athletes"]["athlete_id"].astype(str).tolist()
    whole = fit_injury_model(exposure, injuries, athletes=ids, n_draws=n_draws,
                             rng=stream(seed, "hazard"))
    dates = pd.to_datetime(pd.Series(exposure["date"]).astype(object))
    before = (dates.dt.month < month) | ((dates.dt.month == month) & (dates.dt.day < day))
    seasons = dates.dt.year - before.astype(int)
    first = pd.Timestamp(int(seasons.max()), month, day)
    minutes = exposure["training_min"].astype(float) + exposure["match_min"].astype(float)
    # At least 10 athlete-days to score (evaluate_injury_model); fewer: in sample.
    if seasons.nunique() > 1 and int(((dates >= first).to_numpy()
                                      & (minutes > 0).to_numpy()).sum()) >= 10:
        earlier = fit_injury_model(exposure, injuries, athletes=ids, n_draws=1,
                                   end=(first - pd.Timedelta(days=1)).date())
        check = evaluate_injury_model(earlier, exposure, injuries, athletes=ids,
                                      start=first.date())
        return InjuryCalibration(whole, check, str(first.date()))
    return InjuryCalibration(whole, evaluate_injury_model(whole, exposure, injuries,
                                                          athletes=ids), None)


def calibrate_squad(tables: dict, governance_dir, *, model: str = "banister",
                    convention: str = "same-day", fixed=None, n_draws: int = 200,
                    seed: int = 0, performance_test: str = "power_5min",
                    policy: DataPolicy | None = None, out_of_sample: bool = False,
                    profiles: bool = False, pd_model: str = "2p", history: str = "",
                    season_start: str = "07-01",
                    ) -> tuple[xr.Dataset, list[AthleteResult], InjuryCalibration | None]:
    """Calibrate every athlete of ``tables`` (module docstring); the injury logs first,
    so that a bad one stops the run before any athlete is fitted."""
    policy = policy or DataPolicy()
    injury = calibrate_injuries(tables, n_draws=n_draws, seed=seed,
                                season_start=season_start, policy=policy)
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
        if profiles and res.n_tests > len(res.free):  # a profile needs residual dof
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
        need = fit_sleep_need(series.sleep_onset_h, series.sleep_offset_h, series.free_day,
                              n_draws=n_draws, rng=rng)
        est["sleep.need_h"] = (need.point["need_h"], need.draws["need_h"])
        for f, v in record_prior(TissueParams, n_draws, rng).items():
            est[f"tissue.{f}"] = v
        if injury is not None:  # squad-level: the same draws for every athlete
            for f in FITTED:
                est[f"hazard.{f}"] = (injury.fit.estimate[f], injury.fit.draws[f])
        estimates[pid] = est
        policy_of[pid] = pol.name
        results.append(out)
    ds = squad_dataset(estimates, n_draws, policies=policy_of, history=history,
                       title=f"Squad calibration ({model}, {convention} convention)")
    if injury is not None:
        ds.attrs["hazard_calibration"] = injury.summary()
    return ds, results, injury


def write_outputs(ds: xr.Dataset, results: list[AthleteResult], out_dir, *,
                  injury: InjuryCalibration | None = None,
                  squad_name: str = "squad_calibration.nc", reports: bool = True) -> Path:
    """Write the squad file and PNG reports (with ``injury``, ``injury_calibration.png``):
    all into a temporary directory, then moved into ``out_dir`` (nothing lands there
    unless everything was written)."""
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
            if injury is not None:
                where = (f"season from {injury.held_out_from}, held out"
                         if injury.held_out_from else "in sample")
                calibration_plot(tmp / "injury_calibration.png", injury.evaluation,
                                 title=f"Injury hazard, {where}: observed vs predicted")
        for f in sorted(tmp.iterdir()):
            f.replace(out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir / squad_name
