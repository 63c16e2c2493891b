"""Plan optimisation through the twin: a known optimum, exact constraints, replay."""

import csv

import numpy as np
import pytest

from scenarios import ConfigError
from tests.test_twin import TINY, tiny_cfg
from twin import compose, prescribe
from twin.apps import plan as plan_cli
from twin.apps.from_config import plan_from_config
from twin.prescribe.load_plan import read_load_plan

AS_PLANNED = ["sweep.axes.training_volume=null", "sweep.axes.itinerary=null"]


@pytest.fixture(scope="module")
def tiny_plan():
    return plan_from_config(tiny_cfg(*AS_PLANNED))


def test_banister_taper_is_the_analytic_optimum():
    """One key match on day 56 after 8 weeks of free training, no risk or ACWR limit:
    the optimum is full load while the impulse response at the match is positive and
    rest for the last t_n days (Fitz-Clarke et al. 1991)."""
    p = plan_from_config(tiny_cfg(*AS_PLANNED, "scenario.fixtures.per_week=0",
                             "+scenario.matches=[{date: '2026-09-26', venue: london}]"))
    req = prescribe.PlanRequest(start=0, days=57, load_min=0, load_max=600, risk_budget=1.0,
                                acwr_band=(0.0, 1e9), draws=1)
    r = prescribe.optimise(p, 0, req)
    k1, k2, tau1, tau2 = (p.param_draws[n][0, 0] for n in ("k1", "k2", "tau1", "tau2"))
    s = 56 - np.arange(56)  # days before the match
    g = k1 * np.exp(-s / tau1) - k2 * np.exp(-s / tau2)
    clear = np.abs(g) > 0.02 * np.abs(g).max()  # days whose sign the solver must resolve
    want = np.where(g > 0, 600.0, 0.0)
    # 1e-6 of the bound: SLSQP ends on the vertex up to its tolerance.
    np.testing.assert_allclose(r.load[:56][clear], want[clear], atol=6e-4)
    t_n = tau1 * tau2 / (tau1 - tau2) * np.log(k2 / k1)
    rest = 56 - np.flatnonzero(r.load[:56] > 300)[-1] - 1  # days of rest before the match
    assert abs(rest - t_n) <= 1.0, (rest, t_n)  # whole days around the analytic t_n


def test_constraints_hold_exactly(tiny_plan):
    risk, _ = prescribe.assess(tiny_plan, 0, prescribe.PlanRequest(start=14, days=42))
    req = prescribe.PlanRequest(start=14, days=42, load_min=50, load_max=700,
                                risk_budget=float(risk.mean()), acwr_band=(0.7, 1.4),
                                taper_days=2, taper_fraction=0.3, draws=8)
    r = prescribe.optimise(tiny_plan, 0, req)
    train = ~r.match & (r.template >= 0)
    assert r.risk.mean() <= req.risk_budget
    assert np.all((r.acwr >= 0.7) & (r.acwr <= 1.4))
    assert np.all(r.load[r.match] == 0)
    on = r.load[train & ~r.match]
    assert np.all((on <= 700) & (on >= min(50, 0.3 * 700)))
    for k in np.flatnonzero(r.key):
        assert np.all(r.load[max(k - 2, 0):k] <= 0.3 * 700)
    mp, tp = r.match_performance
    assert mp.mean() >= tp.mean()  # the template is feasible, so never worse


@pytest.mark.parametrize("kwargs, message", [
    ({"risk_budget": 1e-4}, "plan.risk_budget = 0.0001: cannot be met"),
    ({"acwr_band": (1.45, 1.5)}, "plan.acwr_band = [1.45, 1.5]: cannot be met on"),
    ({"load_min": 500, "load_max": 100}, "plan.load_min = 500"),
    ({"key_matches": (20,)}, "plan.key_matches: day 20 is not a match day"),
])
def test_infeasible_requests_name_the_constraint(tiny_plan, kwargs, message):
    with pytest.raises(prescribe.InfeasiblePlan, match=message.replace("[", r"\[")):
        prescribe.optimise(tiny_plan, 0, prescribe.PlanRequest(start=14, days=42, draws=4,
                                                               **kwargs))


def test_the_demo_squads_plan_replayed_beats_the_template(tmp_path):
    """The demo season and five athletes of the demo squad (the whole squad is in
    benchmarks/RESULTS.md, section prescribe): plans over 8 weeks from 1 September with
    each athlete's budget just under the template's risk, replayed through the
    Monte-Carlo twin (Numba), with the same random numbers as the template run."""
    over = ["runner=local", "draws=64", *AS_PLANNED, "plan.start=2026-09-01",
            "plan.days=56", "plan.draws=8"]
    cfg = compose(*over)
    cfg.athletes.athletes = cfg.athletes.athletes[:5]
    base = plan_from_config(cfg)
    req = plan_cli.request_from(cfg, base.season)
    budgets = [0.98 * prescribe.assess(base, a, req)[0].mean() for a in range(5)]
    results = [prescribe.optimise(base, a, prescribe.PlanRequest(
        **{**req.__dict__, "risk_budget": budgets[a]})) for a in range(5)]
    paths = plan_cli._write(results, base, cfg, tmp_path)
    cfg.scenario.load_plan = str(paths["csv"])
    replay = plan_from_config(cfg)
    perf_opt, risk_opt = prescribe.replay_outcomes(replay, req.start, req.days)
    perf_tmpl, risk_tmpl = prescribe.replay_outcomes(base, req.start, req.days)
    assert perf_opt > perf_tmpl
    assert risk_opt <= risk_tmpl


def test_only_alerts_replans_the_athletes_over_budget(tmp_path):
    cfg = compose(*TINY, *AS_PLANNED, "plan.days=28", "plan.start=2026-08-15",
                  "plan.draws=4", "plan.only_alerts=true", "plan.risk_budget=0.9")
    text = plan_cli.plan_squad(cfg, tmp_path)
    assert text.count("within the budget") == 3  # nobody over 0.9: nothing to re-plan
    req = prescribe.PlanRequest(start=14, days=28, draws=4)
    risks = {}
    for option in ("0", "0.405"):  # the fatigue term off (the default), and ln 1.5 on
        cfg.model.hazard.beta_fatigue = float(option)
        p = plan_from_config(cfg)
        before, perf_before = prescribe.assess(p, 0, req)
        fitness = p.params.ff.k1[0] * p.state0.ff.g[0]  # per draw, performance units
        tired = prescribe.with_filtered_state(p, 0, fitness=0.1 * fitness, fatigue=400.0)
        after, perf_after = prescribe.assess(tired, 0, req)
        assert perf_after.mean() < perf_before.mean()  # a fatigued state projects less
        risks[option] = after.mean() - before.mean()
    assert risks["0"] == 0.0  # risk does not depend on fatigue by default (issue 15)
    assert risks["0.405"] > 0.0  # ... and rises with it when the option is on


def test_a_bad_load_plan_names_file_row_and_column(tmp_path, tiny_plan):
    bad = tmp_path / "plan.csv"
    bad.write_text("athlete,date,training_load_au\nm01,2026-08-03,300\nm01,2026-08-04,-5\n")
    with pytest.raises(ConfigError, match=r"plan\.csv, row 3, column training_load_au"):
        read_load_plan(bad, tiny_plan.public_ids, tiny_plan.season.dates)
    bad.write_text("athlete,date,training_load_au\nzz9,2026-08-03,300\n")
    with pytest.raises(ConfigError, match="row 2, column athlete: 'zz9' is not in the squad"):
        read_load_plan(bad, tiny_plan.public_ids, tiny_plan.season.dates)


@pytest.mark.parametrize("athlete", ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "m01"])
def test_plan_csv_cells_are_safe_in_a_spreadsheet_and_read_back(tmp_path, tiny_plan, athlete):
    """An id that a spreadsheet would run as a formula is written with a leading quote
    (OWASP CSV injection) and read back as the id itself."""
    from twin.prescribe.load_plan import safe_cell

    cell = safe_cell(athlete)
    assert not cell.startswith(("=", "+", "-", "@")) and cell.endswith(athlete)
    path = tmp_path / "plan.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["athlete", "date", "training_load_au"],
                                  [cell, "2026-08-03", "300"]])
    got = read_load_plan(path, (athlete,), tiny_plan.season.dates)
    assert got[0, 2] == 300.0 and np.isnan(got[0, 0])
