"""Plan optimisation: one athlete over 8 weeks, the demo squad of 25, and the replay.

The demo season and squad, planning 8 weeks from 1 September (``twin.prescribe``, 16
parameter draws per athlete, each athlete's risk budget 0.98 x the template's): the
time of the first athlete (including JAX compilation), of each later athlete (median),
and of the squad; then both plans replayed through the Monte-Carlo twin (Numba, 100
draws, the same random numbers): mean match performance over the matches played in the
window and the share of draws with an injury in it, template against optimised.
Then ``twin-plan``'s own squad loop (:func:`twin.apps.plan.plan_squad`, each athlete's
budget its template risk) in process and as Ray tasks on a local instance of 2 CPUs
(``runner=ray``), one after the other in this process: wall times, and whether the plans
are identical. ``--quick`` plans 3 athletes over 4 weeks, without the Ray run.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from twin import compose, prescribe
from twin.apps import plan as plan_cli
from twin.apps.from_config import plan_from_config


def run(quick: bool) -> list[dict]:
    n, days = (3, 28) if quick else (25, 56)
    over = ["runner=local", "draws=100", "sweep.axes.training_volume=null",
            "sweep.axes.itinerary=null", "plan.start=2026-09-01", f"plan.days={days}",
            "plan.draws=16"]
    cfg = compose(*over)
    cfg.athletes.athletes = cfg.athletes.athletes[:n]
    base = plan_from_config(cfg)
    req = plan_cli.request_from(cfg, base.season)
    times, results = [], []
    t_squad = time.perf_counter()
    for a in range(n):
        t = time.perf_counter()
        budget = 0.98 * float(prescribe.assess(base, a, req)[0].mean())
        results.append(prescribe.optimise(base, a, prescribe.PlanRequest(
            **{**req.__dict__, "risk_budget": budget})))
        times.append(time.perf_counter() - t)
    squad_s = time.perf_counter() - t_squad
    with tempfile.TemporaryDirectory() as tmp:
        paths = plan_cli._write(results, base, cfg, Path(tmp))
        cfg.scenario.load_plan = str(paths["csv"])
        replay = plan_from_config(cfg)
        perf_opt, risk_opt = prescribe.replay_outcomes(replay, req.start, req.days)
    perf_tmpl, risk_tmpl = prescribe.replay_outcomes(base, req.start, req.days)
    squad = {} if quick else _squad_runners(over, n)
    return [{**squad, "athletes": n, "days": days, "first_s": times[0],
             "next_median_s": statistics.median(times[1:]) if n > 1 else float("nan"),
             "squad_s": squad_s,
             "iterations_median": statistics.median(r.iterations for r in results),
             "binding_risk": sum(r.binding["risk_budget"] for r in results),
             "perf_template": perf_tmpl, "perf_optimised": perf_opt,
             "risk_template": risk_tmpl, "risk_optimised": risk_opt}]


def _squad_runners(over: list[str], n: int) -> dict:
    """``plan_squad`` in process, then as Ray tasks (2 CPUs): wall times, and the plans."""
    import ray

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("local", "ray"):
            cfg = compose(*over, f"runner={kind}")
            cfg.athletes.athletes = cfg.athletes.athletes[:n]
            if kind == "ray":
                cfg.runner.num_cpus = 2
            where = Path(tmp) / kind
            where.mkdir()
            t = time.perf_counter()
            plan_cli.plan_squad(cfg, where, progress=False)
            out[f"plan_squad_{kind}_s"] = time.perf_counter() - t
            out[f"_{kind}_csv"] = (where / "plan.csv").read_text()
        ray.shutdown()
    out["plans_identical"] = out.pop("_local_csv") == out.pop("_ray_csv")
    return out


def table(rows: list[dict]) -> str:
    r = rows[0]
    runners = [] if "plan_squad_ray_s" not in r else [
        "", f"twin-plan's squad loop (plan_squad, the template's risk as budget): in process "
        f"{r['plan_squad_local_s']:.1f} s (its JAX functions already compiled by the run "
        f"above); as Ray tasks on 2 CPUs (runner=ray, a local instance started by the run, "
        f"each worker compiling its own) {r['plan_squad_ray_s']:.1f} s; plans identical: "
        f"{'yes' if r['plans_identical'] else 'NO'}. On 2 cores the process already uses "
        "both (XLA's threads): Ray pays its start and a compile per worker for no more "
        "cores, which is why runner=auto stays in process up to 4 cores."]
    return "\n".join([
        "| athletes x days | first athlete (s, with JAX compile) | each next (s, median) | "
        "squad (s) | SLSQP iterations (median) | risk budget binding |",
        "|---|---|---|---|---|---|",
        f"| {r['athletes']} x {r['days']} | {r['first_s']:.1f} | {r['next_median_s']:.2f} | "
        f"{r['squad_s']:.1f} | {r['iterations_median']:.0f} | {r['binding_risk']} of "
        f"{r['athletes']} |", "",
        f"Replayed through the Monte-Carlo twin (Numba, 100 draws, same random numbers): "
        f"match performance in the window {r['perf_template']:.2f} % (template) -> "
        f"{r['perf_optimised']:.2f} % (optimised); share of draws injured in the window "
        f"{r['risk_template']:.3f} -> {r['risk_optimised']:.3f}.", *runners])


def write_outputs(rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "prescribe.json").write_text(json.dumps(rows, indent=1))
