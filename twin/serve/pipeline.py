"""What happens to an athlete's data, as pure functions (no HTTP, no database).

1. :func:`athlete_series`: the stored records as daily arrays from the season's start to
   the latest day (a day without a record: load 0, no observation).
2. :func:`assimilate`: :func:`calibration.kalman_filter` over the whole series
   (the filtered state "today"); :func:`kalman_arguments` are its exact arguments, so the
   state equals ``calibration.kalman_filter`` on the same data (tested to 1e-9). The
   readiness score is an observation of fatigue through the filter's ``readiness=``
   (``base - slope * (fatigue / habitual - 1)``, ``assimilation.readiness_*``).
3. :func:`forecast`: the twin's own forecast of the coming window from that state:
   :func:`twin.prescribe.window_state` puts the filtered fitness and fatigue into the
   athlete's day-kernel state at the window's start, and :func:`twin.prescribe.assess`
   runs the twin (the athlete's parameter draws; the injury probability is the day
   kernel's hazard) over the scenario's plan for the window.
4. :func:`evaluate_rules`: the alert rules (risk over budget, readiness drop, sleep
   debt), each firing on the day it becomes true.
5. :func:`propose_plan`: :func:`twin.prescribe.optimise` for the coming window from the
   filtered state, within the risk budget.

Reference for the filter: Kalman (1960), in :mod:`calibration.kalman`.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

from calibration import kalman_filter
from twin import prescribe


class Series(NamedTuple):
    """An athlete's days from ``start``: load (AU), performance test, readiness (0-10),
    sleep (h, the night ending that day), NaN where missing."""

    start: dt.date
    load: np.ndarray
    performance: np.ndarray
    readiness: np.ndarray
    sleep_h: np.ndarray

    def date(self, t: int) -> dt.date:
        return self.start + dt.timedelta(days=int(t))


class Fired(NamedTuple):
    rule: str
    value: float
    threshold: float


class ForecastResult(NamedTuple):
    start_day: int  # season day of the window's first day
    days: int
    risk: np.ndarray  # (draws,) P(injury in the window)
    performance: np.ndarray  # (draws,) mean key-match performance, % habitual


def athlete_series(records, start: dt.date, performance_test: str | None = None) -> Series:
    """Daily arrays from ``start`` to the latest record (records: objects with ``date``,
    ``load``, ``readiness``, ``test_kind``, ``test_value`` and ``values`` holding
    ``sleep_onset``/``sleep_offset`` in hours); loads of several sources on a day add."""
    records = [r for r in records if r.date >= start]
    n = 0 if not records else (max(r.date for r in records) - start).days + 1
    load, perf, ready, sleep = np.zeros(n), *(np.full(n, np.nan) for _ in range(3))
    for r in records:
        t = (r.date - start).days
        load[t] += r.load
        if r.readiness is not None:
            ready[t] = r.readiness
        if performance_test and r.test_kind == performance_test:
            perf[t] = r.test_value
        on, off = (r.values or {}).get("sleep_onset"), (r.values or {}).get("sleep_offset")
        if on is not None and off is not None:
            sleep[t] = (off - on) % 24.0
    return Series(start, load, perf, ready, sleep)


def kalman_arguments(series: Series, model, acfg) -> tuple[tuple, dict]:
    """``(args, kwargs)`` of :func:`calibration.kalman_filter` for the series."""
    habitual = max(model.mean0[1], 1e-9)
    slope = float(acfg.readiness_slope)
    readiness = (series.readiness, np.array([0.0, -slope / habitual]),
                 float(acfg.readiness_base) + slope, float(acfg.readiness_sd))
    kwargs = dict(obs_sd=float(acfg.obs_sd), process_sd=tuple(map(float, acfg.process_sd)),
                  convention=model.convention, mean0=model.mean0,
                  cov0=np.diag(np.asarray(acfg.prior_sd, dtype=float) ** 2),
                  readiness=readiness)
    return (series.load, series.performance, model.params), kwargs


def assimilate(series: Series, model, acfg):
    """The filtered state through the series' last day (:class:`calibration.Filtered`)."""
    args, kwargs = kalman_arguments(series, model, acfg)
    return kalman_filter(*args, **kwargs)


def forecast(plan, model, day: int, fitness: float, fatigue: float, rule,
             draws: int) -> ForecastResult | None:
    """The twin's forecast of the ``rule.window_days`` after season day ``day`` from the
    filtered state after it; None when no window with a match is left in the season."""
    start = day + 1
    days = min(int(rule.window_days), plan.season.days - start)
    if days < 1:
        return None
    req = prescribe.PlanRequest(start=start, days=days, draws=draws)
    try:
        state = prescribe.window_state(plan, model.index, req, fitness=fitness,
                                       fatigue=fatigue)
        risk, perf = prescribe.assess(plan, model.index, req, state=state)
    except prescribe.InfeasiblePlan:  # no match left in the window
        return None
    return ForecastResult(start, days, np.asarray(risk), np.asarray(perf))


def sleep_debt(series: Series, t: int, need_h: float, days: int) -> float:
    """Sleep below need over the ``days`` nights up to day t (h; nights without a record
    count as nothing lost)."""
    s = series.sleep_h[max(0, t - days + 1):t + 1]
    return float(np.nansum(need_h - s)) if np.isfinite(s).any() else 0.0


def readiness_drop(series: Series, t: int, days: int) -> float:
    """How far day t's readiness is below the mean of the ``days`` days before it (at
    least 3 of them scored); 0 without a score."""
    if t < 0 or t >= len(series.readiness) or not np.isfinite(series.readiness[t]):
        return 0.0
    base = series.readiness[max(0, t - days):t]
    if np.isfinite(base).sum() < 3:
        return 0.0
    return float(np.nanmean(base) - series.readiness[t])


def evaluate_rules(series: Series, t: int, risk_now: float | None, risk_before: float | None,
                   alerts_cfg, need_h: float) -> list[Fired]:
    """The rules that fire on day t: each one true on day t and not on day t - 1."""
    fired = []
    r = alerts_cfg.risk_over_budget
    if r.enabled and risk_now is not None and risk_now > r.budget and not (
            risk_before is not None and risk_before > r.budget):
        fired.append(Fired("risk_over_budget", float(risk_now), float(r.budget)))
    d = alerts_cfg.readiness_drop
    if d.enabled:
        now, before = (readiness_drop(series, k, d.baseline_days) for k in (t, t - 1))
        if now >= d.drop > before:
            fired.append(Fired("readiness_drop", now, float(d.drop)))
    s = alerts_cfg.sleep_debt
    if s.enabled:
        now, before = (sleep_debt(series, k, need_h, s.days) if k >= 0 else 0.0
                       for k in (t, t - 1))
        if now > s.debt_h >= before:
            fired.append(Fired("sleep_debt", now, float(s.debt_h)))
    return fired


def propose_plan(plan, model, day: int, fitness: float, fatigue: float, plan_cfg,
                 budget: float) -> prescribe.PlanResult:
    """The optimised loads of the window after season day ``day`` from the filtered
    state, with the risk within ``budget`` (raises :class:`twin.prescribe.InfeasiblePlan`
    naming the constraint when no plan meets it)."""
    start = day + 1
    req = prescribe.PlanRequest(start=start, days=min(int(plan_cfg.days),
                                                      plan.season.days - start),
                                load_max=float(plan_cfg.load_max), risk_budget=float(budget),
                                acwr_band=tuple(map(float, plan_cfg.acwr_band)),
                                draws=int(plan_cfg.draws))
    state = prescribe.window_state(plan, model.index, req, fitness=fitness, fatigue=fatigue)
    return prescribe.optimise(plan, model.index, req, state=state)


def risk_by_day(plan, model, series: Series, acfg, rule, draws: int) -> np.ndarray:
    """Each day's forecast risk (mean over draws) from the data up to that day, NaN where
    there is no forecast: what the service computes as the records arrive one by one."""
    out = np.full(len(series.load), np.nan)
    for t in range(len(series.load)):
        prefix = Series(series.start, *(a[:t + 1] for a in series[1:]))
        f = assimilate(prefix, model, acfg)
        day = (series.date(t) - plan_start(plan)).days
        fc = forecast(plan, model, day, float(f.mean[0]), float(f.mean[1]), rule, draws)
        if fc is not None:
            out[t] = float(fc.risk.mean())
    return out


def plan_start(plan) -> dt.date:
    return dt.date.fromisoformat(str(np.datetime64(plan.season.start, "D")))
