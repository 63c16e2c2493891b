"""The club injury fit (:mod:`calibration.injury`): recovery of a known hazard, coverage of
its intervals, calibration on held-out seasons, the closed forms it reduces to, bad logs,
and ``twin-calibrate`` with an injury log.

Injury logs are simulated by the twin's own kernels: :data:`SEASON`, below, couples the
hazard step (:data:`physiology.injury.HAZARD_KERNEL`) and the event step
(:data:`physiology.injury.EVENTS_KERNEL`) as the twin's day kernel does, so the hazard of a
day sees the days since the athlete's last match played and last return to play from the
event state, and an athlete who is out has no exposure. Days out are drawn by
:func:`physiology.injury.time_loss_days` (the default muscle/other lognormal mix) from the
counter-based :func:`physiology.injury.uniforms`.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from calibration import read_squad_calibration
from calibration.injury import (
    FITTED,
    PRIOR_LOG_SD,
    fit_injury_model,
    injury_design,
)
from calibration.injury_check import (
    calibration_plot,
    evaluate_injury_model,
)
from calibration.schema import DataError, read_table
from physiology.injury import (
    DEFAULT_TYPES,
    EVENTS_KERNEL,
    FRESH,
    HAZARD_KERNEL,
    LONG_AGO,
    HazardParams,
    time_loss_days,
    uniforms,
)
from physiology.kernels import Kernel, helper, ops, run

# --- the simulator: the hazard and event kernels, coupled as in the twin's day kernel ---

_hazard_step = helper(HAZARD_KERNEL.step)
_events_step = helper(EVENTS_KERNEL.step)
HazardInputs = HAZARD_KERNEL.Inputs
EventInputs = EVENTS_KERNEL.Inputs


class SeasonParams(NamedTuple):
    hazard: HAZARD_KERNEL.Params
    events: EVENTS_KERNEL.Params


class SeasonState(NamedTuple):
    events: EVENTS_KERNEL.State
    since_match: float  # d since the last day of match play


class SeasonInputs(NamedTuple):
    training_h: float  # planned training (h)
    match_h: float  # planned match play (h)
    draw: float  # the day's uniform for the injury event
    duration: float  # days out an injury on that day would cause
    type: float  # and its type index


class SeasonOutputs(NamedTuple):
    training_h: float  # exposure done: 0 while out
    match_h: float
    injured: float


def _prepare(p, s0):
    return p, s0


def _step(s, u, c):
    free = ops.where(s.events.days_out < 0.5, 1.0, 0.0)
    training_h = free * u.training_h
    match_h = free * u.match_h
    _, hz = _hazard_step((), HazardInputs(training_h, match_h, s.since_match + 1.0,
                                          s.events.since_return, 0.0, 0.0, 0.0, 0.0, 0.0),
                         c.hazard)
    ev_s, ev = _events_step(s.events, EventInputs(hz.probability, u.draw, u.duration,
                                                  u.type), c.events)
    # A day with match minutes logged is a match played (the design's definition), also
    # when the athlete was injured in it.
    since_match = ops.where(match_h > 0.0, 0.0, s.since_match + 1.0)
    return SeasonState(ev_s, since_match), SeasonOutputs(training_h, match_h, ev.injured)


SEASON = Kernel(name="injury_fit_season", prepare=_prepare, step=_step, Params=SeasonParams,
                State=SeasonState, Inputs=SeasonInputs, Outputs=SeasonOutputs)

SEASON_DAYS = 364  # 52 weeks: 42 in season, then 10 off
IN_SEASON_WEEKS = 42
START = np.datetime64("2021-07-05")  # a Monday


def microcycle(n_series: int, n_seasons: int, rng: np.random.Generator):
    """Planned hours ``(S, D)`` of training and match play.

    Each in-season week: training Monday to Friday (45-90 min, uniform whole minutes), a
    Saturday match, Sunday off; in 30 % of weeks a Wednesday match replaces training, so
    that match and Saturday's are 4 and 3 days after the previous match (congested,
    r_C = 4 d). An athlete plays a match with probability 0.75, the full 90 min in 60 % of
    them and 15-89 min otherwise. Off-season weeks have no exposure.
    """
    n_weeks = n_seasons * SEASON_DAYS // 7
    training = np.zeros((n_series, n_weeks, 7))
    match = np.zeros((n_series, n_weeks, 7))
    in_season = (np.arange(n_weeks) % (SEASON_DAYS // 7)) < IN_SEASON_WEEKS
    midweek = in_season & (rng.random(n_weeks) < 0.3)
    training[:, in_season, :5] = rng.integers(45, 91, (n_series, in_season.sum(), 5))
    training[:, midweek, 2] = 0.0
    for day, weeks in ((5, in_season), (2, midweek)):
        shape = (n_series, int(weeks.sum()))
        minutes = np.where(rng.random(shape) < 0.6, 90, rng.integers(15, 90, shape))
        match[:, weeks, day] = np.where(rng.random(shape) < 0.75, minutes, 0)
    return training.reshape(n_series, -1) / 60.0, match.reshape(n_series, -1) / 60.0


def simulate(truth: dict[str, np.ndarray], n_athletes: int, n_seasons: int, seed: int):
    """Simulated logs of ``len(truth[...])`` squads under their true hazards.

    Returns ``(exposure, injuries)``: lists of per-squad frames in the layout of the
    ``exposure`` and ``injuries`` tables (athletes ``p00``, ``p01``, ...).
    """
    n_squads = len(truth["rate_training"])
    n = n_squads * n_athletes
    rng = np.random.default_rng(seed)
    training_h, match_h = microcycle(n, n_seasons, rng)
    n_days = training_h.shape[1]
    ids = np.arange(n)
    kind, days = time_loss_days(uniforms(seed, ids, n_days, channel=1),
                                uniforms(seed, ids, n_days, channel=2))
    record = {f: getattr(HazardParams(), f) for f in HazardParams.names()}
    record.update({f: np.repeat(v, n_athletes) for f, v in truth.items()})
    params = SeasonParams(HAZARD_KERNEL.Params(**record), EVENTS_KERNEL.Params(14.0))
    out, _ = run(SEASON, SeasonInputs(training_h, match_h, uniforms(seed, ids, n_days),
                                      days, kind.astype(float)),
                 params, SeasonState(FRESH, LONG_AGO))
    squad, athlete = np.divmod(ids, n_athletes)
    names = np.array([f"p{a:02d}" for a in range(n_athletes)], dtype=object)
    dates = START + np.arange(n_days)
    s, t = np.nonzero((out.training_h + out.match_h) > 0)
    exposure = pd.DataFrame({"squad": squad[s], "athlete_id": names[athlete[s]],
                             "date": dates[t], "training_min": out.training_h[s, t] * 60,
                             "match_min": out.match_h[s, t] * 60})
    s, t = np.nonzero(out.injured > 0.5)
    injuries = pd.DataFrame({"squad": squad[s], "athlete_id": names[athlete[s]],
                             "date": dates[t],
                             "injury_type": [DEFAULT_TYPES[k].name for k in kind[s, t]],
                             "days_lost": days[s, t].astype(int),
                             "context": np.where(out.match_h[s, t] > 0, "match", "training")})
    split = [{k: g.drop(columns="squad").reset_index(drop=True)
              for k, g in frame.groupby("squad")} for frame in (exposure, injuries)]
    empty = injuries.drop(columns="squad").iloc[:0]
    return ([split[0][k] for k in range(n_squads)],
            [split[1].get(k, empty) for k in range(n_squads)])


def prior_truths(n: int, seed: int) -> dict[str, np.ndarray]:
    """True hazards drawn from the fit's prior (log-normal about the record's values)."""
    rng = np.random.default_rng(seed)
    prior = HazardParams()
    return {f: getattr(prior, f) * np.exp(PRIOR_LOG_SD[f] * rng.standard_normal(n))
            for f in FITTED}


def _log_estimate(fit) -> np.ndarray:
    return np.log([fit.estimate[f] for f in FITTED])


# --- recovery, coverage, held-out calibration ---


def test_recovers_a_known_hazard():
    """A large squad (150 athletes, 2 seasons, about 950 injuries) under a hazard away from
    the prior: every maximum-likelihood estimate within 3 standard errors of the truth
    (a two-sided 0.27 % test per parameter on this fixed seed), and the prior's pull on
    the Bayesian fit is smaller than one standard error."""
    truth = {"rate_training": np.array([5.0e-3]), "rate_match": np.array([32e-3]),
             "rr_congestion": np.array([1.4]), "rr_return": np.array([1.8])}
    (exposure,), (injuries,) = simulate(truth, 150, 2, seed=5)
    mle = fit_injury_model(exposure, injuries, prior_log_sd=None)
    se = np.sqrt(np.diag(mle.log_cov))
    z = (_log_estimate(mle) - np.log([truth[f][0] for f in FITTED])) / se
    assert np.all(np.abs(z) < 3.0), dict(zip(FITTED, z, strict=True))
    assert sum(mle.injuries.values()) > 600 and mle.notes == ()
    bayes = fit_injury_model(exposure, injuries)
    assert np.all(np.abs(_log_estimate(bayes) - _log_estimate(mle)) < se)
    assert bayes.params().rr_return == bayes.estimate["rr_return"]
    assert bayes.params().congestion_days == HazardParams().congestion_days


def test_intervals_cover_truths_drawn_from_the_prior():
    """Coverage of the 90 % intervals over 200 squads (25 athletes x 2 seasons each, about
    110 injuries) whose true hazards are drawn from the fit's own prior: for a Bayesian
    interval the truth then falls inside with probability 0.90 where the normal
    approximation holds. With 200 squads the fraction has a binomial SD of
    sqrt(0.9 x 0.1 / 200) = 0.021, so 0.85-0.95 is +-2.4 SD (a 1.7 % chance per parameter
    of failing with exact intervals; the seed is fixed). Measured: 0.91, 0.895, 0.915 and
    0.89 for rate_training, rate_match, rr_congestion, rr_return."""
    n = 200
    truth = prior_truths(n, seed=1)
    exposure, injuries = simulate(truth, 25, 2, seed=3)
    inside = np.zeros((n, len(FITTED)), bool)
    for k in range(n):
        fit = fit_injury_model(exposure[k], injuries[k], n_draws=1)
        inside[k] = [fit.interval[f][0] <= truth[f][k] <= fit.interval[f][1] for f in FITTED]
    coverage = dict(zip(FITTED, inside.mean(axis=0), strict=True))
    print(f"90 % interval coverage over {n} squads: {coverage}")
    assert all(0.85 <= c <= 0.95 for c in coverage.values()), coverage


def test_calibrated_on_a_held_out_season():
    """Fit on seasons 1-2, score season 3 of 20 squads (truths from the prior): the
    inverse-variance pooled calibration slope within 0.8-1.2 (its SE here is about 0.03;
    measured 1.01), observed/expected pooled within 0.9-1.1 (Poisson SD of about 1100
    injuries 3 %, plus the fits' error; measured 1.03), the mean CITL intercept within
    +-0.1, and AUC well above chance (measured 0.76, the same as the true hazard's)."""
    n = 20
    truth = prior_truths(n, seed=7)
    exposure, injuries = simulate(truth, 25, 3, seed=11)
    split = START + 2 * SEASON_DAYS
    evals = []
    for k in range(n):
        fit = fit_injury_model(exposure[k], injuries[k], end=split - 1, n_draws=1)
        evals.append(evaluate_injury_model(fit, exposure[k], injuries[k], start=split))
    weight = np.array([1 / e.calibration_slope_se**2 for e in evals])
    slope = np.sum(weight * [e.calibration_slope for e in evals]) / weight.sum()
    ratio = sum(e.injuries for e in evals) / sum(e.expected for e in evals)
    assert 0.8 <= slope <= 1.2, slope
    assert 0.9 <= ratio <= 1.1, ratio
    assert abs(np.mean([e.citl_intercept for e in evals])) < 0.1
    assert np.mean([e.auc for e in evals]) > 0.65
    e = evals[0]
    # Closed forms: the intercept of y ~ 1 + offset(log H) is log(O/E); the deciles
    # partition the days and their injuries.
    assert e.citl_intercept == pytest.approx(np.log(e.observed_expected), abs=1e-6)
    assert e.deciles["days"].sum() == e.days and e.deciles["injuries"].sum() == e.injuries
    assert np.all(np.diff(e.deciles["predicted"]) >= 0)
    assert 0 < e.brier < 0.05


def test_calibration_plot_is_a_png(tmp_path):
    truth = prior_truths(1, seed=2)
    (exposure,), (injuries,) = simulate(truth, 10, 1, seed=2)
    fit = fit_injury_model(exposure, injuries, n_draws=5)
    path = calibration_plot(tmp_path / "cal.png", evaluate_injury_model(fit, exposure,
                                                                         injuries))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- references: statsmodels' own GLM, closed forms ---


def test_a_vague_prior_gives_the_glm_fit_on_every_row():
    """With prior SD 1e3 the posterior mode and covariance are the unpenalised GLM's:
    statsmodels' IRLS on every athlete-day-context row of the design (not the pattern
    sums the fit uses), to 1e-5 relative (BFGS's tolerance on the ridge path)."""
    truth = prior_truths(1, seed=4)
    (exposure,), (injuries,) = simulate(truth, 25, 2, seed=4)
    vague = fit_injury_model(exposure, injuries, prior_log_sd=dict.fromkeys(FITTED, 1e3))
    design = injury_design(exposure, injuries)
    match = (design["context"] == "match").to_numpy(float)
    x = np.column_stack([1 - match, match, design["congested"], design["returning"]])
    glm = sm.GLM(design["injuries"].to_numpy(float), x, family=sm.families.Poisson(),
                 offset=np.log(design["hours"].to_numpy())).fit()
    np.testing.assert_allclose(_log_estimate(vague), glm.params, rtol=0, atol=1e-5)
    np.testing.assert_allclose(vague.log_cov, glm.cov_params(), rtol=1e-4)
    mle = fit_injury_model(exposure, injuries, prior_log_sd=None)
    np.testing.assert_allclose(_log_estimate(mle), glm.params, rtol=0, atol=1e-8)
    assert mle.injuries["training"] + mle.injuries["match"] == design["injuries"].sum()
    assert mle.hours["match"] == pytest.approx(design["hours"][match > 0].sum())


def _training_only_log(n_injuries: int = 7):
    """Three athletes, 100 days of 75 min training each; injuries spread over them."""
    dates = (START + np.arange(100)).astype(str)
    exposure = pd.DataFrame({"athlete_id": np.repeat(["a", "b", "c"], 100),
                             "date": np.tile(dates, 3), "training_min": 75.0,
                             "match_min": 0.0})
    injuries = pd.DataFrame({"athlete_id": ["a", "b", "c", "a", "b", "c", "a"][:n_injuries],
                             "date": dates[[3, 10, 20, 50, 60, 70, 90][:n_injuries]],
                             "injury_type": "muscle", "days_lost": 5,
                             "context": "training"})
    return exposure, injuries


def test_single_context_without_covariates_is_the_closed_form():
    """One context and no covariate (training only; return_days 0, so no day is in a
    return window): the MLE is injuries / hours with variance 1/injuries on the log scale,
    the other fields keep the prior's values; with the prior, the mode solves the score
    equation y - H lambda_0 e^d = d / s^2 and its variance is 1 / (H lambda + 1/s^2)."""
    from scipy.optimize import brentq

    exposure, injuries = _training_only_log()
    prior = HazardParams(return_days=0.0)
    mle = fit_injury_model(exposure, injuries, prior=prior, prior_log_sd=None)
    hours = 3 * 100 * 75 / 60
    assert mle.estimate["rate_training"] == pytest.approx(7 / hours, rel=1e-10)
    assert mle.log_cov[0, 0] == pytest.approx(1 / 7, rel=1e-8)
    assert mle.hours == {"training": hours, "match": 0.0}
    for f in FITTED[1:]:
        assert mle.estimate[f] == pytest.approx(getattr(prior, f)) and mle.log_cov[1:].max() == 0
    assert len(mle.notes) == 3 and "rate_match: no match exposure" in mle.notes[0]
    bayes = fit_injury_model(exposure, injuries, prior=prior)
    s, mu0 = PRIOR_LOG_SD["rate_training"], hours * prior.rate_training
    d = brentq(lambda d: 7 - mu0 * np.exp(d) - d / s**2, -5, 5, xtol=1e-14)
    assert np.log(bayes.estimate["rate_training"] / prior.rate_training) == pytest.approx(
        d, abs=1e-6)
    assert bayes.log_cov[0, 0] == pytest.approx(1 / (mu0 * np.exp(d) + 1 / s**2), rel=1e-5)
    assert bayes.log_cov[1, 1] == pytest.approx(PRIOR_LOG_SD["rate_match"] ** 2)
    assert bayes.draws["rate_match"].shape == (200,)


def test_covariates_follow_the_kernel_conventions():
    """Congested: a match at most congestion_days after the previous day of match play;
    returning: the return day (injury date + days lost) and the days after it, up to
    return_days - 1 days later."""
    dates = START + np.arange(12)
    exposure = pd.DataFrame({"athlete_id": "a", "date": dates,
                             "training_min": [60, 0, 60, 0, 60, 60, 60, 0, 0, 60, 60, 60],
                             "match_min": [0, 90, 0, 90, 0, 0, 0, 90, 90, 0, 0, 0]})
    injuries = pd.DataFrame({"athlete_id": ["a"], "date": [dates[4]], "injury_type": "other",
                             "days_lost": [2], "context": ["training"]})
    design = injury_design(exposure, injuries, hazard=HazardParams(congestion_days=3.0,
                                                                   return_days=3.0))
    match = design[design["context"] == "match"]
    # Matches on days 1, 3, 7, 8: gaps -, 2, 4, 1.
    assert match["congested"].tolist() == [0, 1, 0, 1]
    # Return on day 6: days 6, 7, 8 are in the window, day 9 is not.
    days = ((design["date"] - START).dt.days).to_numpy()
    assert design["returning"][days >= 6].tolist() == [1, 1, 1, 0, 0, 0]
    assert design["returning"][days < 6].sum() == 0
    assert design["injuries"].sum() == 1 and design["injuries"][days == 4].tolist() == [1]


# --- bad logs ---


def _write(folder, exposure, injuries):
    paths = {"exposure": folder / "exposure.csv", "injuries": folder / "injuries.csv"}
    exposure.to_csv(paths["exposure"], index=False)
    injuries.to_csv(paths["injuries"], index=False)
    return paths


def _read(paths):
    tables = {}
    for table, path in paths.items():
        tables[table] = read_table(path, table)
        tables[table].attrs["file"] = str(path)
    return tables


def _set(frame, row, column, value):
    frame = frame.astype(object)
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(("table", "edit", "row", "column", "says"), [
    ("injuries", lambda f: _set(f, 2, "athlete_id", "z"), 3, "athlete_id",
     "athlete 'z' has no rows in the exposure log"),
    ("injuries", lambda f: _set(f, 1, "date", "2021-05-01"), 2, "date",
     "2021-05-01: outside athlete 'b''s exposure log 2021-07-05..2021-10-12"),
    ("injuries", lambda f: _set(f, 0, "days_lost", -3), 1, "days_lost",
     "-3: expected a value >= 1.0"),
    ("injuries", lambda f: _set(f, 0, "days_lost", 2.5), 1, "days_lost",
     "'2.5': expected a whole number"),
    ("injuries", lambda f: pd.concat([f, f.iloc[[4]]], ignore_index=True), 8, "injury_type",
     "second 'muscle' injury of athlete 'b' on 2021-09-03 (a duplicate row)"),
    ("injuries", lambda f: _set(f, 3, "context", "match"), 4, "context",
     "a match injury of athlete 'a' on 2021-08-24, but the exposure log"),
    ("injuries", lambda f: _set(f, 3, "context", "warm-up"), 4, "context",
     "'warm-up': expected one of ('training', 'match')"),
    ("exposure", lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True), 301, "date",
     "second exposure row for athlete 'a' on 2021-07-12"),
    ("exposure", lambda f: _set(f, 5, "training_min", -10), 6, "training_min",
     "-10.0: expected a value >= 0.0"),
])
def test_bad_logs_name_file_row_and_column(tmp_path, table, edit, row, column, says):
    exposure, injuries = _training_only_log()
    frames = {"exposure": exposure, "injuries": injuries}
    frames[table] = edit(frames[table])
    paths = _write(tmp_path, frames["exposure"], frames["injuries"])
    with pytest.raises(DataError) as err:
        tables = _read(paths)
        fit_injury_model(tables["exposure"], tables["injuries"])
    assert (err.value.file, err.value.row, err.value.column) == (str(paths[table]), row,
                                                                  column)
    message = str(err.value)
    assert message.startswith(f"file {str(paths[table])!r}, row {row} (CSV line {row + 1}), "
                              f"column {column!r}: ") and "\n" not in message
    assert says in message, message


def test_bad_frames_and_unknown_athletes_are_data_errors():
    exposure, injuries = _training_only_log()
    bad = injuries.assign(days_lost=[5, 5, 0, 5, 5, 5, 5])
    with pytest.raises(DataError, match=r"file 'injuries', row 3 .*column 'days_lost'"):
        injury_design(exposure, bad)
    with pytest.raises(DataError, match=r"file 'exposure', row 101 .*column 'athlete_id': "
                                        r"athlete 'b' is not in the athletes table"):
        injury_design(exposure, injuries, athletes=["a", "c"])
    with pytest.raises(ValueError, match="rate_training: no injury in training exposure"):
        fit_injury_model(exposure, injuries.iloc[:0], prior_log_sd=None)
    with pytest.raises(ValueError, match="optional features"):
        fit_injury_model(exposure, injuries, prior=HazardParams(beta_sleep=0.5))


# --- twin-calibrate with an injury log ---

RAW_IDS = ("rider0-secret-id", "rider1-secret-id")


def _squad_logs(folder):
    """The two-athlete squad of tests.test_calibration_data with two seasons of simulated
    injury and exposure logs under its raw ids."""
    from tests.test_calibration_data import write_squad_inputs

    paths = write_squad_inputs(folder, n_athletes=2)
    truth = {f: np.array([getattr(HazardParams(), f)]) for f in FITTED}
    (exposure,), (injuries,) = simulate(truth, 2, 2, seed=8)
    rename = {"p00": RAW_IDS[0], "p01": RAW_IDS[1]}
    for frame in (exposure, injuries):
        frame["athlete_id"] = frame["athlete_id"].map(rename)
    paths.update(_write(folder, exposure, injuries))
    return paths, exposure, injuries


def _main(monkeypatch, tmp_path, paths, *extra):
    from twin.apps.calibrate import main

    out = tmp_path / "out"
    argv = [f"inputs.{k}={v}" for k, v in paths.items()]
    argv += [f"output_dir={out}", "fit.n_draws=20", "fit.profiles=false",
             "fit.out_of_sample=false", "fit.fixed.tau1=35.821", "fit.fixed.tau2=21.34",
             f"hydra.run.dir={tmp_path / 'run'}", *extra]
    monkeypatch.setattr(sys, "argv", ["twin-calibrate", *argv])
    main()
    return out


def test_twin_calibrate_writes_the_squads_hazard(tmp_path, monkeypatch, capsys):
    from tests.test_calibration_data import KEY

    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", KEY)
    paths, exposure, injuries = _squad_logs(tmp_path)
    out = _main(monkeypatch, tmp_path, paths)
    printed = capsys.readouterr().out
    ds = read_squad_calibration(out / "squad_calibration.nc")
    names = [f"hazard.{f}" for f in FITTED]
    assert {p for p in ds.parameter.values if p.startswith("hazard.")} == set(names)
    value = ds["value"].sel(parameter=names).values  # (athlete, draw, parameter)
    assert np.all(np.isfinite(value)) and np.array_equal(value[0], value[1])  # squad-level
    tables = {"exposure": exposure, "injuries": injuries}
    whole = fit_injury_model(tables["exposure"], tables["injuries"])
    np.testing.assert_allclose(ds["point"].sel(parameter=names).values[0],
                               [whole.estimate[f] for f in FITTED], rtol=1e-6)
    assert dict(zip(ds.parameter.values, ds.units.values, strict=True))[
        "hazard.rate_match"] == "1/h"
    assert "held out from 2022-07-01" in ds.attrs["hazard_calibration"]
    assert "hazard (squad" in printed and "held out from 2022-07-01: AUC" in printed
    assert (out / "injury_calibration.png").read_bytes()[:4] == b"\x89PNG"
    assert all(a.startswith("anon-") for a in ds.athlete.values)
    for f in out.iterdir():
        for secret in (*RAW_IDS, KEY):
            assert secret.encode() not in f.read_bytes(), (f.name, secret)


def test_twin_calibrate_without_an_exposure_log_names_it(tmp_path, monkeypatch, capsys):
    from tests.test_calibration_data import KEY

    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", KEY)
    paths, _, _ = _squad_logs(tmp_path)
    del paths["exposure"]
    with pytest.raises(SystemExit) as stop:
        _main(monkeypatch, tmp_path, paths)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("twin-calibrate: inputs.exposure: a file is required with "
                          "inputs.injuries") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_exposure_derived_from_daily_minutes_and_no_log_no_hazard(tmp_path):
    """The daily table's training_min and match_min stand in for an exposure log (the same
    fit); a squad without an injury log gets no hazard.* parameter at all."""
    from calibration import calibrate_injuries

    truth = {f: np.array([getattr(HazardParams(), f)]) for f in FITTED}
    (exposure,), (injuries,) = simulate(truth, 6, 1, seed=9)
    athletes = pd.DataFrame({"athlete_id": sorted(exposure["athlete_id"].unique()),
                             "jurisdiction": "EU"})
    daily = exposure.assign(load=1.0, load_kind="session-RPE")
    logged = calibrate_injuries({"athletes": athletes, "daily": daily, "injuries": injuries,
                                 "exposure": exposure}, n_draws=10)
    derived = calibrate_injuries({"athletes": athletes, "daily": daily,
                                  "injuries": injuries}, n_draws=10)
    assert derived.fit.estimate == logged.fit.estimate and derived.held_out_from is None
    assert calibrate_injuries({"athletes": athletes, "daily": daily}) is None
    with pytest.raises(ValueError, match=r"inputs\.exposure: a file is required"):
        calibrate_injuries({"athletes": athletes, "injuries": injuries,
                            "daily": daily.assign(training_min=None, match_min=None)})
