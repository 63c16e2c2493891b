r"""A club's injury hazard from its own injury and exposure logs: a Poisson fit with priors.

The hazard of :mod:`physiology.injury` (features off) is log-linear with log-hour offsets,
the piecewise-exponential survival model as a Poisson regression (Holford 1980; Laird &
Olivier 1981). Each row i is an athlete-day-context (training or match) with exposure
:math:`h_i > 0` hours and :math:`y_i` injuries (:func:`injury_design`):

.. math::

    y_i \sim \mathrm{Poisson}(\mu_i), \qquad
    \log\mu_i = \log h_i + \log\lambda_{c_i} + C_i \log R_C + S_i \log R_R

with :math:`\lambda_T, \lambda_M` the rates per hour of training and match play,
:math:`C_i = 1` for a match :math:`\le r_C` days after the athlete's previous day of
match play, and :math:`S_i = 1` within :math:`s_R` days of the athlete's last return to
play (the return is the injury date plus its days lost; the return day itself has
:math:`s = 0`). :math:`r_C` and :math:`s_R` are the prior record's (``congestion_days``,
``return_days``), not fitted. Exposure logged while an athlete is out is kept (the log
says they trained) with the covariates of the last return before that day.

Prior (assumptions: the record's literature values are the centre, and a club's rates
may differ from the UEFA average by a factor of about :math:`e^{\pm 1}` at 95 %, its rate
ratios by about :math:`e^{\pm 0.6}`): independent normals on the log-parameters
:math:`\theta = (\log\lambda_T, \log\lambda_M, \log R_C, \log R_R)`,
:math:`\theta_j \sim N(\log\theta^0_j, s_j^2)` with :data:`PRIOR_LOG_SD` (0.5, 0.5, 0.3,
0.3). Writing :math:`\theta = \theta^0 + \delta`, the prior centre goes into the offset
(:math:`\log h_i + x_i^\top\theta^0`) and the posterior mode is statsmodels' ridge fit of
:math:`\delta`, whose objective :math:`-\ell(\delta)/n + \sum_j \alpha_j \delta_j^2/2`
(``GLM.fit_regularized(method="elastic_net", L1_wt=0)``, which statsmodels >= 0.14 hands
to ``GLM._fit_ridge``, BFGS from :math:`\delta = 0`; :math:`n` is ``model.nobs``) is the
negative log posterior over :math:`n` when :math:`\alpha_j = 1/(n s_j^2)`. The
posterior is approximated by a normal at the mode (Laplace; Tierney & Kadane 1986),
covariance :math:`\Sigma = (-\nabla^2\ell(\hat\delta) + \mathrm{diag}(s_j^{-2}))^{-1}`;
intervals and draws are taken on the log scale. Without a prior (``prior_log_sd=None``)
it is the maximum-likelihood ``GLM.fit()`` (IRLS) with its covariance, and a parameter
the log cannot inform (no exposure in its category, or in a rate ratio's reference) is
held at the prior record's value. The likelihood depends on the rows only through the
hours and injuries summed over each covariate pattern (at most six), so the fit runs on
those sums: the same estimates and Hessian as on every row, in milliseconds.

Evaluation on held-out seasons and the calibration plot: :mod:`calibration.injury_check`.

References:
    Holford TR (1980). The analysis of rates and of survivorship using log-linear models.
    Biometrics 36:299-305.
    Laird N, Olivier D (1981). Covariance analysis of censored survival data using
    log-linear analysis techniques. J Am Stat Assoc 76:231-240.
    Tierney L, Kadane JB (1986). Accurate approximations for posterior moments and
    marginal densities. J Am Stat Assoc 81:82-86.
    Fuller CW et al. (2006). Consensus statement on injury definitions and data collection
    procedures in studies of football (soccer) injuries. Br J Sports Med 40:193-201.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import ndtri

from calibration.schema import FIRST_DATE, INJURY_CONTEXTS, MAX_DAYS_LOST, DataError
from physiology.injury import HazardParams

#: The fitted fields of :class:`HazardParams`, in the order of the design's columns.
FITTED = ("rate_training", "rate_match", "rr_congestion", "rr_return")
#: Prior SD of each log-parameter (assumptions, module docstring).
PRIOR_LOG_SD = {"rate_training": 0.5, "rate_match": 0.5, "rr_congestion": 0.3,
                "rr_return": 0.3}


def _days(values) -> np.ndarray:
    """Dates (datetime64, or ISO strings) as whole days since 1970-01-01 (int64)."""
    s = pd.Series(values).reset_index(drop=True)
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s.astype(object))
    return s.to_numpy("datetime64[D]").astype(np.int64)


def _date(day) -> str:
    return str(np.datetime64(int(day), "D"))


def _fail(file, frame: pd.DataFrame, bad, column: str, message) -> None:
    """DataError at the first row of ``frame`` where ``bad`` holds (row = index + 1)."""
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(file, int(frame.index[i]) + 1, column, message(i))


def _check_cells(file, frame: pd.DataFrame, table: str) -> None:
    """The schema's cell checks for frames not read by :func:`calibration.read_table`."""
    need = {"exposure": ("athlete_id", "date", "training_min", "match_min"),
            "injuries": ("athlete_id", "date", "injury_type", "days_lost", "context")}[table]
    for name in need:
        if name not in frame.columns:
            raise DataError(file, None, name, f"missing required column of {table!r}")
    if table == "exposure":
        for name in ("training_min", "match_min"):
            x = pd.to_numeric(frame[name], errors="coerce").to_numpy(float)
            _fail(file, frame, ~(np.isfinite(x) & (x >= 0)), name,
                  lambda i, x=x: f"{x[i]!r}: expected minutes >= 0")
        total = frame["training_min"].to_numpy(float) + frame["match_min"].to_numpy(float)
        _fail(file, frame, total > 24 * 60, "match_min",
              lambda i: f"{total[i]:g} min of exposure in one day: more than 24 h")
    else:
        ctx = frame["context"].astype(str).to_numpy()
        _fail(file, frame, ~np.isin(ctx, INJURY_CONTEXTS), "context",
              lambda i: f"{ctx[i]!r}: expected one of {INJURY_CONTEXTS}")
        d = pd.to_numeric(frame["days_lost"], errors="coerce").to_numpy(float)
        _fail(file, frame, ~(np.isfinite(d) & (d >= 1) & (d == np.round(d))
                             & (d <= MAX_DAYS_LOST)), "days_lost",
              lambda i: f"{str(frame['days_lost'].iloc[i])!r}: expected whole days in "
                        f"[1, {MAX_DAYS_LOST}]")
    day = pd.to_datetime(pd.Series(frame["date"]).astype(object), errors="coerce")
    first, today = pd.Timestamp(FIRST_DATE), pd.Timestamp(dt.date.today())
    bad = (day.isna() | (day < first) | (day > today)).to_numpy()
    _fail(file, frame, bad, "date",
          lambda i: f"{frame['date'].iloc[i]!r}: expected a date from {FIRST_DATE} to "
                    f"today ({today.date()})")


def injury_design(exposure: pd.DataFrame, injuries: pd.DataFrame, *,
                  hazard: HazardParams | None = None,
                  athletes: Iterable[str] | None = None) -> pd.DataFrame:
    """Validate the two logs and build the fit's rows (module docstring).

    Args:
        exposure: the ``exposure`` table (:func:`calibration.read_table`, or a frame with
            its columns); ``.attrs["file"]`` names it in errors, and a row is reported as
            its index + 1 (a frame's default index gives the 1-based data row).
        injuries: the ``injuries`` table, likewise.
        hazard: the record whose ``congestion_days`` and ``return_days`` define the
            covariates (default :class:`HazardParams`).
        athletes: the raw ids of the athletes table, when there is one: an athlete in
            either log but not in it is an error.

    Returns:
        One row per athlete, day and context with exposure > 0: ``athlete_id``, ``date``
        (datetime64[D]), ``context``, ``hours``, ``injuries`` (count), ``congested`` and
        ``returning`` (0 or 1), sorted by athlete, date and context.

    Raises:
        DataError: naming file, row and column: a bad cell; two exposure rows for one
            athlete and date; an athlete in a log but not in ``athletes``; an injury of an
            athlete with no exposure rows, dated outside the athlete's exposure log, on a
            day without exposure in its context, or listed twice (athlete, date, type).
    """
    hazard = hazard or HazardParams()
    efile, ifile = exposure.attrs.get("file", "exposure"), injuries.attrs.get("file",
                                                                             "injuries")
    _check_cells(efile, exposure, "exposure")
    _check_cells(ifile, injuries, "injuries")
    ex = pd.DataFrame({"athlete_id": exposure["athlete_id"].astype(str).to_numpy(str),
                       "day": _days(exposure["date"]),
                       "training": exposure["training_min"].to_numpy(float),
                       "match": exposure["match_min"].to_numpy(float)}, index=exposure.index)
    inj = pd.DataFrame({"athlete_id": injuries["athlete_id"].astype(str).to_numpy(str),
                        "day": _days(injuries["date"]),
                        "type": injuries["injury_type"].astype(str).to_numpy(),
                        "lost": injuries["days_lost"].to_numpy(float).astype(np.int64),
                        "context": injuries["context"].astype(str).to_numpy()},
                       index=injuries.index)
    if athletes is not None:
        known = np.array(sorted(set(map(str, athletes))), dtype=object)
        for file, frame in ((efile, ex), (ifile, inj)):
            ids = frame["athlete_id"].to_numpy()
            _fail(file, frame, ~np.isin(ids, known), "athlete_id",
                  lambda i, ids=ids: f"athlete {ids[i]!r} is not in the athletes table")
    dup = ex.duplicated(["athlete_id", "day"]).to_numpy()
    _fail(efile, ex, dup, "date", lambda i: f"second exposure row for athlete "
          f"{ex['athlete_id'].iloc[i]!r} on {_date(ex['day'].iloc[i])}")
    span = ex.groupby("athlete_id")["day"].agg(["min", "max"])
    ids = inj["athlete_id"].to_numpy()
    _fail(ifile, inj, ~np.isin(ids, span.index.to_numpy()), "athlete_id",
          lambda i: f"athlete {ids[i]!r} has no rows in the exposure log {efile!r}")
    first = span["min"].reindex(ids).to_numpy()
    last = span["max"].reindex(ids).to_numpy()
    day = inj["day"].to_numpy()
    _fail(ifile, inj, (day < first) | (day > last), "date",
          lambda i: f"{_date(day[i])}: outside athlete {ids[i]!r}'s exposure log "
                    f"{_date(first[i])}..{_date(last[i])} in {efile!r}")
    dup = inj.duplicated(["athlete_id", "day", "type"]).to_numpy()
    _fail(ifile, inj, dup, "injury_type", lambda i: f"second {inj['type'].iloc[i]!r} "
          f"injury of athlete {ids[i]!r} on {_date(day[i])} (a duplicate row)")
    minutes = inj[["athlete_id", "day"]].merge(ex, on=["athlete_id", "day"], how="left")
    ctx = inj["context"].to_numpy()
    own = np.where(ctx == "match", minutes["match"].to_numpy(), minutes["training"].to_numpy())
    _fail(ifile, inj, ~(own > 0), "context",
          lambda i: f"a {ctx[i]} injury of athlete {ids[i]!r} on {_date(day[i])}, but the "
                    f"exposure log {efile!r} has no {ctx[i]} minutes that day (an injury "
                    "counts against its exposure: correct either log)")

    ex = ex.sort_values(["athlete_id", "day"], kind="stable").reset_index(drop=True)
    # Previous day of match play, strictly before each row (-inf: none).
    played = pd.Series(np.where(ex["match"] > 0, ex["day"], -np.inf))
    prev = played.groupby(ex["athlete_id"]).cummax().groupby(ex["athlete_id"]).shift(1)
    recovery = ex["day"].to_numpy() - prev.fillna(-np.inf).to_numpy()
    congested = (ex["match"].to_numpy() > 0) & (recovery <= hazard.congestion_days)
    # Last return to play on or before each row (injury day + days lost).
    back = pd.DataFrame({"athlete_id": inj["athlete_id"].to_numpy(str),
                         "back": (inj["day"] + inj["lost"]).to_numpy(np.int64)})
    rows = ex[["athlete_id", "day"]].assign(row=np.arange(len(ex)))
    joined = pd.merge_asof(rows.sort_values("day", kind="stable"),
                           back.sort_values("back", kind="stable"), left_on="day",
                           right_on="back", by="athlete_id", direction="backward")
    since = np.empty(len(ex))
    since[joined["row"].to_numpy()] = (joined["day"] - joined["back"]).to_numpy(float)
    returning = since < hazard.return_days  # NaN (never out) compares False
    counts = inj.groupby(["athlete_id", "day", "context"]).size()
    parts = []
    for context, minutes_col, cong in (("training", "training", np.zeros(len(ex), bool)),
                                       ("match", "match", congested)):
        keep = ex[minutes_col].to_numpy() > 0
        key = pd.MultiIndex.from_arrays([ex["athlete_id"][keep], ex["day"][keep],
                                         np.full(keep.sum(), context)])
        parts.append(pd.DataFrame({
            "athlete_id": ex["athlete_id"][keep].to_numpy(),
            "date": ex["day"][keep].to_numpy().astype("datetime64[D]"),
            "context": context, "hours": ex[minutes_col][keep].to_numpy() / 60.0,
            "injuries": counts.reindex(key, fill_value=0).to_numpy(np.int64),
            "congested": cong[keep].astype(np.int64),
            "returning": returning[keep].astype(np.int64)}))
    design = pd.concat(parts, ignore_index=True)
    return design.sort_values(["athlete_id", "date", "context"], kind="stable",
                              ignore_index=True)


def _window(design: pd.DataFrame, start, end) -> pd.DataFrame:
    dates = design["date"].to_numpy("datetime64[D]")
    keep = np.ones(len(design), bool)
    if start is not None:
        keep &= dates >= np.datetime64(start, "D")
    if end is not None:
        keep &= dates <= np.datetime64(end, "D")
    return design[keep]


def _exog(frame: pd.DataFrame) -> np.ndarray:
    match = (frame["context"].to_numpy() == "match").astype(float)
    return np.column_stack([1.0 - match, match, frame["congested"].to_numpy(float),
                            frame["returning"].to_numpy(float)])


@dataclass(frozen=True)
class InjuryFit:
    """A squad's fitted hazard (:func:`fit_injury_model`); rates in 1/h, ratios in 1.

    ``estimate``: posterior mode (the MLE without a prior) of each :data:`FITTED` field;
    ``interval``: its central ``level`` interval; ``log_cov``: covariance of the
    log-parameters (:data:`FITTED` order); ``draws``: ``n_draws`` values of each field
    from the normal approximation on the log scale; ``injuries`` and ``hours``: totals by
    context; ``notes``: what the data could not inform.
    """

    estimate: dict[str, float]
    interval: dict[str, tuple[float, float]]
    log_cov: np.ndarray = dataclasses.field(repr=False)
    draws: dict[str, np.ndarray] = dataclasses.field(repr=False)
    injuries: dict[str, int]
    hours: dict[str, float]
    prior: HazardParams
    prior_log_sd: dict[str, float] | None
    level: float = 0.9
    notes: tuple[str, ...] = ()

    def params(self) -> HazardParams:
        """The prior record with the fitted fields replaced by their estimates."""
        return dataclasses.replace(self.prior, **self.estimate)


def _features_off(name: str, params: HazardParams) -> HazardParams:
    """``params``, after checking that its optional features are off (the logs carry no
    feature values)."""
    on = [f for f in HazardParams.names() if f.startswith("beta_") and getattr(params, f)]
    if on:
        raise ValueError(f"{name}: the optional features {on} are on; the logs carry no "
                         "feature values, so they must be off (0)")
    return params


def _prior_sd(prior_log_sd) -> dict[str, float] | None:
    if prior_log_sd is None:
        return None
    unknown = set(prior_log_sd) - set(FITTED)
    if unknown:
        raise ValueError(f"prior_log_sd: unknown field(s) {sorted(unknown)}; expected "
                         f"some of {FITTED}")
    sd = {**PRIOR_LOG_SD, **{k: float(v) for k, v in prior_log_sd.items()}}
    for k, v in sd.items():
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"prior_log_sd[{k!r}] = {v!r}: expected an SD > 0")
    return sd


def _identified(x: np.ndarray, y: np.ndarray, mle: bool) -> tuple[np.ndarray, list[str]]:
    """Which parameters the log informs, and notes on those it does not.

    A parameter is uninformed without exposure in its category or, for a rate ratio, in
    its reference category: its estimate is then its prior (with a prior), or its prior
    value held fixed (without one). Without a prior, an informed parameter whose category
    or reference holds no injury has an infinite maximum-likelihood estimate: ValueError.
    """
    categories = [
        (0, x[:, 0] > 0, "training exposure"),
        (1, x[:, 1] > 0, "match exposure"),
        (2, x[:, 2] > 0, "congested match exposure"),
        (2, (x[:, 1] > 0) & (x[:, 2] == 0), "uncongested match exposure"),
        (3, x[:, 3] > 0, "exposure within the return window"),
        (3, x[:, 3] == 0, "exposure outside the return window")]
    active, notes = np.ones(len(FITTED), bool), []
    for j, rows, what in categories:
        if not rows.any() and active[j]:
            active[j] = False
            notes.append(f"{FITTED[j]}: no {what} in the log; "
                         + ("held at its prior value" if mle else "its prior is its posterior"))
    for j, rows, what in categories:
        if mle and active[j] and y[rows].sum() == 0:
            raise ValueError(f"{FITTED[j]}: no injury in {what}, so the maximum-likelihood "
                             "estimate is infinite (give prior_log_sd)")
    return active, notes


def fit_injury_model(exposure: pd.DataFrame, injuries: pd.DataFrame, *,
                     prior: HazardParams | None = None,
                     prior_log_sd: Mapping[str, float] | None = PRIOR_LOG_SD,
                     n_draws: int = 200, seed: int = 0, level: float = 0.9,
                     athletes: Iterable[str] | None = None, end=None,
                     rng: np.random.Generator | None = None) -> InjuryFit:
    """Fit the squad's hazard rates and rate ratios (module docstring).

    Args:
        exposure, injuries: the two logs (:func:`injury_design`).
        prior: the literature record, centre of the prior; its ``congestion_days`` and
            ``return_days`` define the covariates, and its optional features must be off.
        prior_log_sd: SD of each log-parameter's prior (missing fields: their
            :data:`PRIOR_LOG_SD`); None for no prior (the maximum-likelihood fit).
        n_draws: draws of the normal approximation (>= 1).
        seed: seed of the draws (unless ``rng`` is given).
        level: level of the intervals.
        athletes: raw ids of the athletes table, if any (:func:`injury_design`).
        end: last date (inclusive) whose rows enter the fit (default: all), for a hold-out;
            covariates still come from the whole log.
        rng: a NumPy generator for the draws (overrides ``seed``).

    Raises:
        DataError: bad logs (:func:`injury_design`).
        ValueError: a bad setting; no exposure up to ``end``; without a prior, an
            infinite maximum-likelihood estimate (no injury in a parameter's category or
            its reference, :func:`_identified`).
    """
    prior = _features_off("prior", prior or HazardParams())
    if int(n_draws) < 1 or not 0 < level < 1:
        raise ValueError(f"n_draws={n_draws!r}, level={level!r}: expected >= 1 and (0, 1)")
    sd = _prior_sd(prior_log_sd)
    design = _window(injury_design(exposure, injuries, hazard=prior, athletes=athletes),
                     None, end)
    if design.empty:
        raise ValueError(f"fit_injury_model: no exposure in the log up to end={end!r}")
    cells = design.groupby(["context", "congested", "returning"], as_index=False)[
        ["hours", "injuries"]].sum()
    x = _exog(cells)
    y, hours = cells["injuries"].to_numpy(float), cells["hours"].to_numpy(float)
    theta0 = np.log([getattr(prior, f) for f in FITTED])
    active, notes = _identified(x, y, sd is None)
    offset = np.log(hours) + x @ theta0
    if sd is None:
        # As many pattern sums as parameters leaves IRLS's working regression no residual
        # degree of freedom; its scale (0/0, unused by a Poisson fit) is ignored.
        with np.errstate(divide="ignore", invalid="ignore"):
            res = sm.GLM(y, x[:, active], family=sm.families.Poisson(), offset=offset).fit()
        delta, cov = np.zeros(len(FITTED)), np.zeros((len(FITTED), len(FITTED)))
        delta[active] = res.params
        cov[np.ix_(active, active)] = res.cov_params()
    else:
        model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
        s = np.array([sd[f] for f in FITTED])
        # statsmodels minimises -loglike/n + sum(alpha * delta**2) / 2 (module docstring).
        res = model.fit_regularized(method="elastic_net", L1_wt=0.0,
                                    alpha=1.0 / (model.nobs * s**2))
        delta = np.asarray(res.params)
        cov = np.linalg.inv(-model.hessian(delta, scale=1.0) + np.diag(1.0 / s**2))
    theta = theta0 + delta
    cov = 0.5 * (cov + cov.T)
    se = np.sqrt(np.diag(cov))
    z = float(ndtri(0.5 + level / 2))
    rng = rng if rng is not None else np.random.default_rng(seed)
    root = np.zeros_like(cov)  # a Cholesky factor over the parameters with variance
    free = np.diag(cov) > 0
    root[np.ix_(free, free)] = np.linalg.cholesky(cov[np.ix_(free, free)])
    draws = np.exp(theta + rng.standard_normal((int(n_draws), len(FITTED))) @ root.T)
    match = cells["context"].to_numpy() == "match"
    return InjuryFit(
        estimate={f: float(np.exp(theta[j])) for j, f in enumerate(FITTED)},
        interval={f: (float(np.exp(theta[j] - z * se[j])), float(np.exp(theta[j] + z * se[j])))
                  for j, f in enumerate(FITTED)},
        log_cov=cov, draws={f: draws[:, j] for j, f in enumerate(FITTED)},
        injuries={"training": int(y[~match].sum()), "match": int(y[match].sum())},
        hours={"training": float(hours[~match].sum()), "match": float(hours[match].sum())},
        prior=prior, prior_log_sd=sd, level=float(level), notes=tuple(notes))
