"""``twin-travel``: when each athlete should seek light, avoid it and sleep on a tour.

A Hydra app on the same config as ``twin-run`` (``athletes=``, ``scenario=``, with trips:
``scenario=intercontinental_tour``) with the ``travel`` group of settings
(:class:`twin.apps.config.TravelConf`). For every athlete of the squad, over a window
from ``travel.days_before`` days before the first departure to ``travel.days_after``
days after the last arrival, it makes three plans (:mod:`twin.travel`):

- ``none``: doing nothing (habitual sleep on the local clock, no light actions);
- ``rule``: Eastman & Burgess's protocol (:mod:`twin.travel.rules`);
- ``twin``: optimised through the twin's pacemaker over the athlete's parameter draws
  (:mod:`twin.travel.optimise`), started from the protocol's plan;

scores each at the twin's 0.1-h step over the draws (:mod:`twin.travel.evaluate`:
body-clock misalignment at every kickoff), and replays each through the twin
(``scenario.travel_plan``, as ``twin-run`` does, ``travel.replay_draws`` Monte-Carlo
draws, common random numbers) for the sleep the two-process model gives, the tour's
match performance and the injury risk in the window.

Writes into Hydra's run directory ``travel_plan.csv`` (the twin's plan: athlete, local
date-time, action, duration; a ``scenario.travel_plan`` for ``twin-run``), the
baselines' ``travel_plan_rule.csv`` and ``travel_plan_none.csv``, one iCalendar file per
athlete (``travel_plan_<public id>.ics``, events in the local time zone of where the
athlete will be), ``travel_plan.png`` (body clock and actions against local night),
``travel_report.txt`` and ``report.html``, and prints the comparison and the replay
command. Athletes are named only by their public (governed) ids.

    twin-travel scenario=intercontinental_tour athletes=mini_squad
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

from scenarios import AXES, ConfigError, build_season, build_squad, parse_number
from twin.apps.from_config import plan_from_config, record_from_config
from twin.apps.hydra_app import hydra_app
from twin.store.governance import public_ids
from twin.travel.calendar import write_calendars
from twin.travel.controls import TravelRequest
from twin.travel.evaluate import score
from twin.travel.optimise import Objective, optimise
from twin.travel.plan_file import write_travel_plan
from twin.travel.problem import travel_problem
from twin.travel.rules import nothing_plan, rule_controls, rule_plan
from twin.travel.schedule import TravelLightParams

STRATEGIES = ("none", "rule", "twin")
LABELS = {"none": "doing nothing", "rule": "Eastman & Burgess protocol",
          "twin": "twin-optimised"}


def request_from(t) -> TravelRequest:
    """The request of ``travel.*`` (checked; errors name the key)."""
    days_before = int(parse_number("travel.days_before", t.days_before, 0, 30))
    days_after = int(parse_number("travel.days_after", t.days_after, 0, 30))
    values = {k: float(parse_number(f"travel.{k}", t[k], 0.0, 24.0))
              for k in ("max_seek_h", "max_avoid_h", "max_shift_h", "max_offset_h",
                        "preflight_shift_h")}
    return TravelRequest(days_before=days_before, days_after=days_after,
                         light_box=bool(t.light_box), **values).check()


def objective_from(t) -> Objective:
    return Objective(
        sleep_weight=parse_number("travel.sleep_weight", t.sleep_weight, 0.0, 100.0),
        effort_weight=parse_number("travel.effort_weight", t.effort_weight, 0.0, 100.0),
        alignment_weight=parse_number("travel.alignment_weight", t.alignment_weight, 0.0,
                                      100.0),
        iterations=int(parse_number("travel.iterations", t.iterations, 3, 10_000)))


class TravelRun(NamedTuple):
    """What :func:`plan_travel` computed: the problem, the request and light levels, the
    three strategies' plans and scores (:data:`STRATEGIES`), and the optimiser's record."""

    problem: object
    request: TravelRequest
    light: TravelLightParams
    plans: dict
    scores: dict
    record: dict


def plan_travel(cfg, *, progress: bool = True) -> TravelRun:
    """The three strategies' plans for the config's squad and tour, scored over the
    pacemaker draws (module docstring); ``ConfigError`` naming the key for a bad or
    impossible request."""
    t = cfg.travel
    request = request_from(t)
    light = record_from_config(TravelLightParams,
                               {"light_box_lux": t.light_box_lux,
                                "glasses_transmittance": t.glasses_transmittance}, "travel")
    objective = objective_from(t)
    squad = build_squad(cfg.athletes)
    season = build_season(cfg.scenario, home=squad.home)
    ids = public_ids(squad)
    if t.plot_athlete is not None and t.plot_athlete not in ids:
        raise ConfigError(f"travel.plot_athlete = {t.plot_athlete!r}: not in the squad "
                          "(public ids, as the cube shows them)")
    draws = int(parse_number("travel.draws", t.draws, 1, 256))
    problem = travel_problem(
        season, squad, ids, days_before=request.days_before, days_after=request.days_after,
        draws=draws, seed=int(cfg.seed),
        tau_sd_h=parse_number("travel.tau_sd_h", t.tau_sd_h, 0.0, 1.0),
        light_sensitivity_sd=parse_number("travel.light_sensitivity_sd",
                                          t.light_sensitivity_sd, 0.0, 1.0),
        model=cfg.model.circadian.name)
    if problem.kick_steps.size == 0 and not objective.daily_weight:
        raise ConfigError(f"scenario = {season.name!r}: no kickoff in the travel window; "
                          "expected matches during or just after the trips")
    plans = {"none": nothing_plan(problem, request, light),
             "rule": rule_plan(problem, request, light)}
    bar = _progress(objective.iterations, progress)
    plans["twin"], record = optimise(problem, request, light, objective,
                                     start=rule_controls(problem, request), progress=bar)
    if bar is not None:
        bar.close()
    scores = {k: score(problem, p, light) for k, p in plans.items()}
    return TravelRun(problem, request, light, plans, scores, record)


def travel_squad(cfg, out_dir: Path, *, progress: bool = True, run: TravelRun | None = None
                 ) -> str:
    """Plan (or take ``run``), replay and write (module docstring); returns the text."""
    t = cfg.travel
    run = run or plan_travel(cfg, progress=progress)
    problem, plans, scores, record = run.problem, run.plans, run.scores, run.record
    season, ids = problem.season, problem.ids
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"csv": write_travel_plan(out_dir / "travel_plan.csv", plans["twin"],
                                      season.start)}
    for k in ("rule", "none"):
        paths[f"csv_{k}"] = write_travel_plan(out_dir / f"travel_plan_{k}.csv", plans[k],
                                              season.start)
    replays = {k: replay(cfg, paths["csv" if k == "twin" else f"csv_{k}"], problem,
                         int(parse_number("travel.replay_draws", t.replay_draws, 1, 10_000)))
               for k in STRATEGIES}
    calendars = write_calendars(out_dir, plans["twin"], season.start, athletes=ids)
    who = t.plot_athlete or ids[0]
    paths["plot"] = _chart(problem, plans, scores, who, out_dir)
    lines = _lines(problem, scores, replays, record)
    text = "\n".join(lines)
    _atomic_text(out_dir / "travel_report.txt", text + "\n")
    from twin.report.travel import travel_report

    paths["html"] = travel_report(out_dir, problem, plans, scores, replays, lines)
    choice = (HydraConfig.get().runtime.choices if HydraConfig.initialized() else {})
    replay_cmd = (f"twin-run scenario={cfg.scenario.name} scenario.travel_plan={paths['csv']}"
                  f" athletes={choice.get('athletes', 'demo_squad')}")
    return "\n".join([text, "", *(f"{k}: {v}" for k, v in paths.items()),
                      f"calendars: {len(calendars)} in {out_dir}", f"replay: {replay_cmd}"])


def replay(cfg, csv_path: Path, problem, draws: int) -> dict:
    """One strategy through the twin (``scenario.travel_plan``), as planned (no sweep):
    per athlete ``(A,)`` the tour's match performance (%, mean over draws of the mean
    over the window's matches played), the injury risk in the window (probability of at
    least one injury), and the sleep (h a night) and misalignment at kickoff (h, mean
    absolute) of the twin's draw-free clock; each draw's match performance ``(A, N)``."""
    from twin.engine.chunk import simulate_block

    cfg = cfg.copy()
    with open_dict(cfg):
        for axis in AXES:
            cfg.sweep.axes[axis] = None
        cfg.scenario.travel_plan = str(Path(csv_path).resolve())
        cfg.draws = draws
    plan = plan_from_config(cfg)
    out = simulate_block(plan, slice(None), slice(None))
    t0 = problem.clock.t_h[problem.lo]
    t1 = problem.clock.t_h[problem.hi - 1]
    day_start = np.arange(plan.season.days) * 24.0
    in_window = (day_start + 24.0 > t0) & (day_start < t1)
    kick = plan.days.kickoff_h[0]
    tour = np.isfinite(kick) & (kick >= t0) & (kick < t1)
    perf = out.performance[:, 0][..., tour]  # (A, N, K)
    played = out.minutes_played[:, 0][..., tour] > 0
    per_draw = np.where(played, perf, 0.0).sum(-1) / np.maximum(played.sum(-1), 1)
    prob = out.injury_probability[:, 0][..., in_window]
    risk = 1.0 - np.exp(np.log1p(-np.clip(prob, 0.0, 1.0 - 1e-15)).sum(-1))  # (A, N)
    return {"match_performance": per_draw.mean(axis=1), "performance_draws": per_draw,
            "injury_risk": risk.mean(axis=1), "risk_draws": risk,
            "sleep_h": plan.sleep_obtained[:, 0][:, in_window].mean(axis=1),
            "kickoff_misalignment_h": np.abs(plan.misalignment[:, 0][:, tour]).mean(axis=1)}


def _se(x) -> float:
    x = np.asarray(x, float)
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")


def _lines(problem, scores, replays, record) -> list[str]:
    n_a, n_d = problem.draws.tau.shape
    out = [f"twin-travel: {n_a} athletes, {n_d} pacemaker draws each, window "
           f"{_when(problem, problem.lo)} to {_when(problem, problem.hi)} UTC, "
           f"{problem.kick_steps.size} kickoffs; {record['problems']} distinct problems "
           f"optimised (athletes with one habitual sleep window share one), objective "
           f"{record['objective'][0]:.3f} -> {record['objective'][-1]:.3f}"]
    base = {k: s.mean_abs_kickoff() for k, s in scores.items()}
    for k in STRATEGIES:
        s, r = scores[k], replays[k]
        per_kick = np.mean(np.abs(s.kickoff_misalignment), axis=(0, 1))
        gain = "" if k == "none" else (
            f" ({_change(base[k], base['none'])} doing nothing"
            + ("" if k == "rule" else f", {_change(base[k], base['rule'])} the rule") + ")")
        out.append(f"{k:>4} ({LABELS[k]}): mean |misalignment| at kickoff {base[k]:.2f} h"
                   f"{gain}; per kickoff {', '.join(f'{v:.2f}' for v in per_kick)} h; "
                   f"twin replay: sleep {r['sleep_h'].mean():.2f} h a night, tour match "
                   f"performance {r['match_performance'].mean():.2f} % "
                   f"(± {_se(r['performance_draws'].mean(axis=0)):.2f}), injury risk in the "
                   f"window {r['injury_risk'].mean():.4f}")
    worse = [aid for a, aid in enumerate(problem.ids)
             if replays["twin"]["match_performance"][a]
             < max(replays["rule"]["match_performance"][a],
                   replays["none"]["match_performance"][a]) - 1e-9]
    out.append("twin plan's replayed match performance below a baseline for: "
               + (", ".join(worse) if worse else "no athlete"))
    return out


def _change(value: float, baseline: float) -> str:
    """``"42 % lower than"`` (or higher)."""
    r = 100.0 * (1.0 - value / baseline) if baseline else 0.0
    return f"{abs(r):.0f} % {'lower' if r >= 0 else 'higher'} than"


def _when(problem, step: int) -> str:
    instant = problem.season.start.astype("datetime64[m]") + np.timedelta64(
        round(problem.clock.t_h[min(step, problem.clock.t_h.size - 1)] * 60), "m")
    return str(instant).replace("T", " ")


def _chart(problem, plans, scores, athlete: str, out_dir: Path) -> Path:
    from twin import plots
    from twin.travel.chart import ClockSeries, travel_chart

    a = problem.ids.index(athlete)
    lo, hi = problem.lo, problem.hi
    t = problem.clock.t_h[lo:hi]
    series = {k: ClockSeries(t, problem.clock.local_hour[lo:hi], s.body_hour[a, 0],
                             problem.clock.elevation_deg[lo:hi] > 0.0,
                             problem.clock.t_h[problem.kick_steps])
              for k, s in scores.items()}
    legs = [(f"{leg.origin} to {leg.destination}", leg.depart_h, leg.arrive_h)
            for leg in problem.itinerary.legs]
    fig = travel_chart(series, plans, athlete, legs, season_start=problem.season.start)
    return plots.save(fig, out_dir / "travel_plan.png")


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(total=None, unit="evaluation", desc="travel plan")

    def update(i, value):
        bar.set_postfix_str(f"objective {value:.3f}")
        bar.update()

    update.close = bar.close
    return update


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _job(cfg: DictConfig, out_dir: Path) -> str:
    logging.getLogger("jax._src.xla_bridge").setLevel(logging.WARNING)
    return travel_squad(cfg, out_dir)


main = hydra_app("twin-travel", _job, errors=(ConfigError,))


if __name__ == "__main__":
    main()
