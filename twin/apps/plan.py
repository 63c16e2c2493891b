"""``twin-plan``: each athlete's training loads for the coming weeks, optimised.

A Hydra app on the same config as ``twin-run`` (``athletes=``, ``scenario=``, ...), with
the ``plan`` group of settings (:class:`twin.apps.config.PlanConf`): the window, load bounds,
risk budget, ACWR band, key matches and taper. The scenario is taken as planned (training
volume and match load 1, its own trips; the sweep is ignored). Without
``plan.risk_budget``, each athlete's budget is the risk of the scenario's own training:
the plan may not be riskier than the template. With ``plan.only_alerts=true`` and a
budget, only the athletes whose template risk exceeds it are re-planned (the alert of the
data-assimilation workflow: a filtered state that projects too much risk).

The athletes are planned on the runner of ``twin-run`` (``runner=``: in process, or as
Ray tasks, one per athlete, each worker compiling the JAX functions once; ``auto`` stays
in process up to 4 cores, where Ray's start and a compile per worker cost more than they
gain: ``benchmarks/RESULTS.md``); the plans are the same either way.

While it plans a squad of more than three athletes a progress bar (one step per athlete,
on stderr, as ``twin-run``'s per chunk) shows how far it is. An athlete whose request no
plan can meet does not stop the others: every selected athlete is tried, the plans that
can be made are written, and each athlete without one is named (public id) with the
constraint that rules a plan out, in the printed text and ``plan_report.txt`` ("not
planned: ..."). That is a success (exit status 0) when at least one plan was made: the
run has answered every athlete's question, a plan or the reason there is none (for
example a starter whose matches alone carry most of the risk budget, which no training
plan can change: the answer is to rotate him, a staff decision), and the plans made are
what the staff act on this week. When no plan at all could be made the run fails, exit
status 2, with one line naming every athlete and its constraint.

Writes into Hydra's run directory ``plan.csv`` (athlete, date, training_load_au, the
template's load; a ``scenario.load_plan`` for ``twin-run``), ``planned_scenario.yaml``
(the scenario with that load plan), ``plan.png``, ``plan_report.txt`` (performance and
risk across the parameter draws, which constraints bind) and ``report.html`` (the same as
a self-contained page, :func:`twin.report.plan_report`), and prints the replay command.

    twin-plan athletes=mini_squad plan.days=42 plan.risk_budget=0.25
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf, open_dict
from tqdm import tqdm

from scenarios import AXES, ConfigError, build_squad, parse_date, parse_number
from twin import prescribe
from twin.apps.from_config import plan_from_config
from twin.apps.hydra_app import hydra_app
from twin.prescribe.load_plan import write_load_plan
from twin.report import plan_report
from twin.store.governance import public_ids

#: Plausible upper bounds of a plan request: a day's session-RPE load (CR-10 x a 16-hour
#: day would be 9 600 AU) and the parameter draws the expectation runs over (each draw is
#: a JAX series of the window; the default is 16).
MAX_DAY_LOAD_AU = 10_000.0
MAX_PLAN_DRAWS = 1000


def request_from(cfg, season) -> prescribe.PlanRequest:
    p = cfg.plan
    start = 0 if p.start is None else int((parse_date("plan.start", p.start)
                                           - season.start).astype(int))
    keys = tuple(int((parse_date(f"plan.key_matches[{i}]", k) - season.start).astype(int))
                 for i, k in enumerate(p.key_matches))
    days = int(parse_number("plan.days", p.days, 1, season.days))
    return prescribe.PlanRequest(
        start=start, days=days, load_min=float(p.load_min),
        load_max=parse_number("plan.load_max", p.load_max, 0.0, MAX_DAY_LOAD_AU,
                              expected=f"expected a day's load in [0, {MAX_DAY_LOAD_AU:g}] AU "
                                       "(CR-10 x minutes)"),
        risk_budget=1.0 if p.risk_budget is None else float(p.risk_budget),
        acwr_band=(float(p.acwr_band[0]), float(p.acwr_band[1])), key_matches=keys,
        taper_days=int(parse_number("plan.taper_days", p.taper_days, 0, days,
                                    expected=f"expected days in [0, plan.days = {days}]")),
        taper_fraction=parse_number("plan.taper_fraction", p.taper_fraction, 0.0, 1.0,
                                    expected="expected a fraction of plan.load_max in [0, 1]"),
        draws=int(parse_number("plan.draws", p.draws, 1, MAX_PLAN_DRAWS,
                               expected=f"expected parameter draws in [1, {MAX_PLAN_DRAWS}]")))


def plan_squad(cfg, out_dir: Path, *, progress: bool = True) -> str:
    """Optimise every selected athlete; write the outputs; return the printed text.

    Raises:
        prescribe.InfeasiblePlan: no plan could be made for any selected athlete; the
            message names each (public id) with its constraint. (Some planned: the
            others are named in the text returned and in ``plan_report.txt``.)
    """
    cfg = cfg.copy()
    with open_dict(cfg):
        for axis in AXES:  # the season as planned: no axis swept
            cfg.sweep.axes[axis] = None
        cfg.scenario.load_plan = None
    ids = public_ids(build_squad(cfg.athletes))  # checked before any planning
    for aid in cfg.plan.athletes:
        if aid not in ids:
            raise ConfigError(f"plan.athletes: {aid!r} is not in the squad")
    plan = plan_from_config(cfg)
    base = request_from(cfg, plan.season)
    wanted = list(cfg.plan.athletes) or list(plan.public_ids)
    tasks = [AthleteTask(plan.public_ids.index(aid), base, cfg.plan.risk_budget is None,
                         bool(cfg.plan.only_alerts)) for aid in wanted]
    lines, results, alerts, infeasible = [], [], [], {}
    with tqdm(total=len(wanted), unit="athlete", desc="plan",
              disable=not progress or len(wanted) <= 3) as bar:
        outcomes = {}
        for aid, outcome in _plan_athletes(plan, tasks, cfg.runner):
            outcomes[aid] = outcome
            bar.set_postfix_str(aid)  # a public id
            bar.update()
    for aid in wanted:  # in the order asked, whatever order the tasks finished in
        out = outcomes[aid]
        if "risk" not in out:
            continue
        risk, budget = out["risk"], out["budget"]
        if "skip" in out:
            lines.append(f"{aid}: template risk {risk:.3f} within the budget "
                         f"{budget:.3f}; no change")
            continue
        if risk > budget:
            alerts.append(aid)
        if "infeasible" in out:  # the others are still planned
            infeasible[aid] = out["infeasible"]
            lines.append(f"{aid}: template risk {risk:.3f}; not planned: {out['infeasible']}")
        else:
            results.append(out["result"])
    paths = _write(results, plan, cfg, out_dir)
    for r in results:
        mp, tp = r.match_performance
        lines.append(
            f"{r.athlete}: key-match performance {np.mean(mp):.2f} % (5-95 % over draws "
            f"{np.quantile(mp, 0.05):.2f}-{np.quantile(mp, 0.95):.2f}) vs template "
            f"{np.mean(tp):.2f} %; risk {r.risk.mean():.3f} vs {r.template_risk.mean():.3f};"
            f" binding: {_binding_text(r.binding)}")
    if alerts:
        lines.append(f"alerts (template risk above budget): {', '.join(alerts)}")
    replay = (f"twin-run scenario={cfg.scenario.name} scenario.load_plan={paths['csv']} "
              f"athletes={HydraConfig.get().runtime.choices.get('athletes', 'demo_squad')}"
              if HydraConfig.initialized() else f"scenario.load_plan={paths['csv']}")
    if infeasible:
        lines.append(f"not planned: {_infeasible_text(infeasible)}")
    report = "\n".join(lines)
    _atomic_text(out_dir / "plan_report.txt", report + "\n")
    if infeasible and not results:
        raise prescribe.InfeasiblePlan(_infeasible_text(infeasible))
    paths["html"] = plan_report(out_dir, plan, results, lines)
    tail = [f"not planned: {_infeasible_text(infeasible)}"] if infeasible else []
    return "\n".join([report, "", *(f"{k}: {v}" for k, v in paths.items()),
                      f"replay: {replay}", *tail])


@dataclass(frozen=True)
class AthleteTask:
    """One athlete's planning: the athlete's index, the request, whether the budget is the
    template's own risk, and whether only an athlete over budget is planned."""

    athlete: int
    request: prescribe.PlanRequest
    own_budget: bool
    only_alerts: bool


def plan_athlete(plan, task: AthleteTask) -> dict:
    """One athlete's plan (in process, or the body of a Ray task): ``{"risk", "budget"}``
    and ``"result"`` (a :class:`twin.prescribe.PlanResult`), ``"infeasible"`` (why no
    plan) or ``"skip"`` (within the budget, with ``only_alerts``); ``{"error": exc}`` for a
    request no athlete can have (raised by the driver, as in one process)."""
    try:
        risk, _ = prescribe.assess(plan, task.athlete, task.request)
    except (ConfigError, prescribe.InfeasiblePlan) as exc:
        return {"error": exc}
    risk = float(risk.mean())
    budget = risk if task.own_budget else task.request.risk_budget
    out = {"risk": risk, "budget": budget}
    if task.only_alerts and risk <= budget:
        return {**out, "skip": True}
    req = dataclasses.replace(task.request, risk_budget=budget)
    try:
        return {**out, "result": prescribe.optimise(plan, task.athlete, req)}
    except prescribe.InfeasiblePlan as exc:
        return {**out, "infeasible": str(exc)}


class _Athletes:
    """The planning tasks as the Ray executor's layout: a block is a task's index."""

    def __init__(self, plan, tasks):
        self.ids, self.tasks = plan.public_ids, tasks

    def slices(self, block):
        return self.tasks[block]

    def describe(self, block) -> str:
        return f"athlete {self.ids[self.tasks[block].athlete]}"


def _plan_athletes(plan, tasks, runner_cfg):
    """Yield ``(public id, outcome of plan_athlete)``: in process, one athlete after
    another, or as Ray tasks (``runner=ray``, or ``auto`` on more than 4 cores; the same
    runner settings as ``twin-run``), each worker compiling the JAX functions once and
    reusing them for every athlete it plans. The plans are the same either way (tested).
    A request error is raised as soon as it is seen."""
    from twin.runners.local import _in_process, executor

    execute = executor(runner_cfg, chunk=plan_athlete)
    if execute is _in_process:
        found = ((i, plan_athlete(plan, t)) for i, t in enumerate(tasks))
    else:
        found = execute(plan, _Athletes(plan, tasks), range(len(tasks)))
    for i, out in found:
        if "error" in out:
            raise out["error"]
        yield plan.public_ids[tasks[i].athlete], out


def _infeasible_text(infeasible: dict[str, str]) -> str:
    """One line naming every athlete no plan was found for, with its constraint
    (athletes with the same message together)."""
    by_message: dict[str, list[str]] = {}
    for aid, message in infeasible.items():
        by_message.setdefault(message, []).append(aid)
    n = len(infeasible)
    return (f"no plan meets the request for {n} athlete{'s' if n != 1 else ''} "
            f"({', '.join(infeasible)}): "
            + " | ".join(f"{', '.join(ids)}: {m}" for m, ids in by_message.items()))


def _binding_text(b: dict) -> str:
    parts = [k for k in ("risk_budget",) if b[k]]
    parts += [f"{k}={b[k]}" for k in ("acwr_low_days", "acwr_high_days", "days_at_load_max",
                                       "days_at_load_min", "days_at_taper_cap") if b[k]]
    return ", ".join(parts) or "none"


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write(results, plan, cfg, out_dir: Path) -> dict:
    from twin import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "plan.csv"
    tmp = csv_path.with_name("plan.csv.tmp")
    with tmp.open("w", newline="") as fh:
        write_load_plan(fh, ((r.athlete, plan.season.dates[day], r.load[k], r.template[k],
                              r.match[k]) for r in results for k, day in enumerate(r.days)))
    os.replace(tmp, csv_path)
    scenario = OmegaConf.to_container(cfg.scenario, resolve=True, enum_to_str=True)
    scenario["load_plan"] = str(csv_path.resolve())
    _atomic_text(out_dir / "planned_scenario.yaml", OmegaConf.to_yaml(scenario))
    paths = {"csv": csv_path, "scenario": out_dir / "planned_scenario.yaml",
             "report": out_dir / "plan_report.txt"}
    if results:
        paths["plot"] = plots.save(plan_chart(results[0], plan), out_dir / "plan.png")
    return paths


def plan_chart(r, plan):
    """The optimised loads against the template, with performance and risk over draws."""
    import matplotlib.pyplot as plt

    dates = plan.season.dates[r.days]
    fig, (ax, ax_p) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    ax.bar(dates, r.template, width=0.8, color="0.75", label="template training load (AU)")
    ax.step(dates, r.load, where="mid", color="tab:blue", lw=1.8, label="optimised (AU)")
    ax.plot(dates[r.match], np.zeros(r.match.sum()), "v", color="tab:red", label="match")
    ax.set_ylabel("session-RPE (AU)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"athlete {r.athlete}: risk {r.risk.mean():.3f} (template "
                 f"{r.template_risk.mean():.3f}); binding: {_binding_text(r.binding)}",
                 fontsize=9)
    for perf, colour, name in ((r.template_performance, "0.5", "template"),
                               (r.performance, "tab:blue", "optimised")):
        ax_p.fill_between(dates, np.quantile(perf, 0.05, axis=0),
                          np.quantile(perf, 0.95, axis=0), color=colour, alpha=0.2)
        ax_p.plot(dates, perf.mean(axis=0), color=colour, label=f"{name}, mean and 5-95 %")
    ax_p.plot(dates[r.key], r.performance.mean(axis=0)[r.key], "o", color="tab:red",
              label="key matches")
    ax_p.set_ylabel("performance (% habitual)")
    ax_p.legend(loc="lower left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _job(cfg: DictConfig, out_dir: Path) -> str:
    logging.getLogger("jax._src.xla_bridge").setLevel(logging.WARNING)
    return plan_squad(cfg, out_dir)


main = hydra_app("twin-plan", _job, errors=(ConfigError, prescribe.InfeasiblePlan))


if __name__ == "__main__":
    main()
