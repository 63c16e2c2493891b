"""The travel copilot: the demo squad's plans for the intercontinental tour, timed, scored
and replayed.

``twin-travel``'s computation for the demo squad of 25 on ``scenario=intercontinental_tour``
(London, Tokyo, Seoul, Los Angeles, New York, London; 4 friendlies), the defaults of
``travel.*``, in one process: the time to set the problem up, to make the three
strategies' plans (doing nothing, Eastman & Burgess's protocol, the optimised plan, its
first evaluation including JAX's compilation timed apart), and to score them over the
pacemaker draws; then each strategy replayed through the twin (``scenario.travel_plan``,
the replay's draws, common random numbers): the mean absolute misalignment at kickoff
(over athletes, draws and the 4 kickoffs), sleep, tour match performance and injury risk
per athlete, and how many athletes the optimised plan leaves below a baseline.

Then the effect of the objective's assumption-labelled settings (``effort_weight`` at
0.05 and 0.1 % per h a day instead of its neutral 0; ``light_sensitivity_sd`` at 0) on
the headline figure, each changed alone. ``--quick``: the mini squad, 2 draws, 6 optimiser
evaluations, no replay and no sensitivity rows.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from twin import compose
from twin.apps import travel as app
from twin.travel import score, travel_problem


def _plan(over: list[str]) -> tuple[dict, object]:
    """``plan_travel``'s steps for a config, each timed (Numba's kernels from the disk
    cache; JAX compiles the optimiser's model afresh, within the first evaluation)."""
    from scenarios import build_season, build_squad
    from twin.apps.from_config import record_from_config
    from twin.store.governance import public_ids
    from twin.travel.optimise import optimise
    from twin.travel.rules import nothing_plan, rule_controls, rule_plan
    from twin.travel.schedule import TravelLightParams

    cfg = compose(*over)
    t_cfg = cfg.travel
    times, first = {}, []

    def progress(i, value):
        if i == 1:
            first.append(time.perf_counter())

    t0 = time.perf_counter()
    request = app.request_from(t_cfg)
    light = record_from_config(TravelLightParams,
                               {"light_box_lux": t_cfg.light_box_lux,
                                "glasses_transmittance": t_cfg.glasses_transmittance},
                               "travel")
    squad = build_squad(cfg.athletes)
    season = build_season(cfg.scenario, home=squad.home)
    problem = travel_problem(season, squad, public_ids(squad),
                                 days_before=request.days_before,
                                 days_after=request.days_after, draws=int(t_cfg.draws),
                                 seed=int(cfg.seed), tau_sd_h=float(t_cfg.tau_sd_h),
                                 light_sensitivity_sd=float(t_cfg.light_sensitivity_sd))
    times["problem_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    plans = {"none": nothing_plan(problem, request, light),
             "rule": rule_plan(problem, request, light)}
    times["baselines_s"] = time.perf_counter() - t
    t = time.perf_counter()
    plans["twin"], record = optimise(problem, request, light, app.objective_from(t_cfg),
                                     start=rule_controls(problem, request), progress=progress)
    times["optimise_s"] = time.perf_counter() - t
    times["first_evaluation_s"] = first[0] - t
    times["evaluations"] = len(record["objective"])
    t = time.perf_counter()
    scores = {k: score(problem, v, light) for k, v in plans.items()}
    times["score_s"] = time.perf_counter() - t
    times["squad_s"] = time.perf_counter() - t0
    mis = {k: s.mean_abs_kickoff() for k, s in scores.items()}
    out = {**times, "athletes": len(problem.ids), "draws": int(problem.draws.tau.shape[1]),
           "problems": record["problems"],
           **{f"misalignment_{k}_h": v for k, v in mis.items()},
           **{f"per_kickoff_{k}_h": np.abs(s.kickoff_misalignment).mean(axis=(0, 1)).tolist()
              for k, s in scores.items()}}
    return out, (cfg, app.TravelRun(problem, request, light, plans, scores, record))


def run(quick: bool) -> list[dict]:
    base = ["scenario=intercontinental_tour", "runner=local"]
    if quick:
        base += ["athletes=mini_squad", "travel.draws=2", "travel.iterations=6"]
    row, (cfg, result) = _plan(base)
    rows = [{"case": "defaults", **row}]
    if quick:
        return rows
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        app.travel_squad(cfg, Path(tmp), progress=False, run=result)
        rows[0]["write_and_replay_s"] = time.perf_counter() - t
        replays = {k: app.replay(cfg, Path(tmp) / ("travel_plan.csv" if k == "twin" else
                                                   f"travel_plan_{k}.csv"),
                                 result.problem, int(cfg.travel.replay_draws))
                   for k in app.STRATEGIES}
    for k, r in replays.items():
        rows[0][f"performance_{k}"] = float(r["match_performance"].mean())
        rows[0][f"sleep_{k}_h"] = float(r["sleep_h"].mean())
        rows[0][f"risk_{k}"] = float(r["injury_risk"].mean())
    twin_perf = replays["twin"]["match_performance"]
    rows[0]["athletes_below_a_baseline"] = int(np.sum(
        twin_perf < np.maximum(replays["rule"]["match_performance"],
                               replays["none"]["match_performance"]) - 1e-9))
    rows[0]["performance_gain_min"] = float(np.min(
        twin_perf - np.maximum(replays["rule"]["match_performance"],
                               replays["none"]["match_performance"])))
    for case, extra in (("effort_weight=0.05", ["travel.effort_weight=0.05"]),
                        ("effort_weight=0.1", ["travel.effort_weight=0.1"]),
                        ("light_sensitivity_sd=0", ["travel.light_sensitivity_sd=0"])):
        r, _ = _plan(base + extra)
        rows.append({"case": case, **r})
    return rows


def _change(value: float, baseline: float) -> str:
    r = 100.0 * (1.0 - value / baseline)
    return f"{abs(r):.0f} % {'lower' if r >= 0 else 'higher'}"


def table(rows: list[dict]) -> str:
    r = rows[0]
    lines = [
        "| case | athletes x draws (problems) | squad (s) | of which optimise (s; first "
        "evaluation, with JAX compile) | evaluations | mean abs. misalignment at kickoff: "
        "none / rule / twin (h) | twin vs none | twin vs rule |",
        "|---|---|---|---|---|---|---|---|"]
    for x in rows:
        n, ru, tw = (x[f"misalignment_{k}_h"] for k in ("none", "rule", "twin"))
        lines.append(
            f"| {x['case']} | {x['athletes']} x {x['draws']} ({x['problems']}) | "
            f"{x['squad_s']:.1f} | {x['optimise_s']:.1f} ({x['first_evaluation_s']:.1f}) | "
            f"{x['evaluations']} | {n:.2f} / {ru:.2f} / {tw:.2f} | "
            f"{_change(tw, n)} | {_change(tw, ru)} |")
    if "performance_twin" in r:
        lines += ["", "Replayed through the twin (defaults; "
                  f"{r['write_and_replay_s']:.0f} s to write the outputs and replay the three "
                  "strategies): tour match performance (% of habitual, squad mean) "
                  + " / ".join(f"{r[f'performance_{k}']:.2f}" for k in app.STRATEGIES)
                  + " (none / rule / twin); sleep a night in the window "
                  + " / ".join(f"{r[f'sleep_{k}_h']:.2f}" for k in app.STRATEGIES)
                  + " h; injury risk in the window "
                  + " / ".join(f"{r[f'risk_{k}']:.4f}" for k in app.STRATEGIES)
                  + f". Athletes whose replayed match performance under the twin plan is below "
                  f"either baseline: {r['athletes_below_a_baseline']} of {r['athletes']} "
                  f"(smallest gain over the better baseline {r['performance_gain_min']:+.2f} "
                  "percentage points)."]
    return "\n".join(lines)


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "travel.json").write_text(json.dumps(rows, indent=1))
