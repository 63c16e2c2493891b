"""Individual athletes (issue 21): the demo squad's risks differ as its inputs say, and
twin-plan names every athlete it cannot plan."""

import csv

import numpy as np
import pytest

from physiology.injury import HazardParams, RiskFactorParams, athlete_rate_ratio
from tests.test_twin import TINY
from twin import compose, prescribe
from twin.apps import plan as plan_cli
from twin.apps.from_config import plan_from_config

AS_PLANNED = ["sweep.axes.training_volume=null", "sweep.axes.itinerary=null"]
#: The demo squad on a short season: 4 weeks of planning from the first fixture.
DEMO = ["runner=local", "draws=4", "scenario.days=100", "scenario.rest_days=[]", *AS_PLANNED,
        "plan.start=2026-08-15", "plan.days=28", "plan.draws=4"]
HR = 2.7  # Hägglund, Waldén & Ekstrand 2006: previous-season injury, any injury


def test_the_rate_ratio_is_hagglunds_hazard_ratio_about_the_average():
    r = athlete_rate_ratio([1, 0, np.nan], [np.nan] * 3)
    assert r[0] / r[1] == pytest.approx(HR, rel=1e-12)  # between the two groups: H
    assert r[2] == 1.0  # history not known: the average, exactly
    q = RiskFactorParams().previous_injury_share
    assert q * r[0] + (1 - q) * r[1] == pytest.approx(1.0, rel=1e-12)  # the average kept
    assert np.all(athlete_rate_ratio([np.nan] * 2, [19, 34]) == 1.0)  # age off by default
    on = RiskFactorParams(rr_age_per_year=1.1)  # Arnason et al. 2004, OR 1.1 per year
    np.testing.assert_allclose(athlete_rate_ratio([np.nan] * 2, [27, 25], on),
                               [1.1, 1 / 1.1], rtol=1e-12)


@pytest.fixture(scope="module")
def demo():
    cfg = compose(*DEMO)
    return cfg, plan_from_config(cfg)


def test_demo_squad_risks_differ_as_minutes_and_history_say(demo):
    """Window risks of the demo squad (no sampled injuries, every option off): they span a
    wide range, and in the closed form of the hazard, the cumulative hazard
    R (lambda_T h_T + lambda_M s h_M) with R the athlete's rate ratio and s its minutes
    share (weekly fixtures: no congestion), to 1e-9."""
    cfg, p = demo
    req = plan_cli.request_from(cfg, p.season)
    ids = list(p.public_ids)
    risk = np.stack([prescribe.assess(p, a, req)[0] for a in range(len(ids))])  # (A, N)
    mean = risk.mean(axis=1)
    assert mean.max() / mean.min() > 3.0, mean  # measured 4.4
    w = slice(req.start, req.start + req.days)
    hazard = HazardParams()
    # The planner's exposure model: training minutes follow the load at the season's
    # minutes per AU of training (twin.prescribe.optimise)
    d = p.days
    train_au = d.load[0, :, 0] - d.match_minutes[0] * d.match_intensity[0] \
        * p.season.match_load_per_min
    h_t = train_au[w].sum() * d.training_min[0].sum() / train_au.sum() / 60.0
    h_m = p.days.match_minutes[0, w].sum() / 60.0
    assert h_m > 0 and h_t > 0
    squad = p.squad
    want = p.rate_ratio * (hazard.rate_training * h_t
                           + hazard.rate_match * squad.minutes_share * h_m)
    np.testing.assert_allclose(-np.log1p(-risk), np.broadcast_to(want[:, None], risk.shape),
                               rtol=1e-9)
    # A starter injured last season (p09: 0.9 of each match) against a fringe player
    # who was not (p21: 0.05): more than the hazard ratio alone.
    a, b = ids.index("p09"), ids.index("p21")
    assert mean[a] > HR * mean[b]
    # The same minutes (0.85 of each match), injured last season or not: H, to 1e-9.
    a, b = ids.index("p02"), ids.index("p11")
    assert squad.minutes_share[a] == squad.minutes_share[b]
    np.testing.assert_allclose(np.log1p(-risk[a]) / np.log1p(-risk[b]), HR, rtol=1e-9)
    # A substitute's match: his share of the minutes, the load and running with them.
    s = ids.index("p21")
    on = p.days.match[0]
    np.testing.assert_allclose(p.matches.minutes[s, 0, on], 0.05 * p.days.match_minutes[0, on])
    np.testing.assert_allclose(p.matches.load[s, 0, on], 0.05 * p.days.load[0, on, 0])


def test_twin_plan_names_every_athlete_it_cannot_plan_and_writes_the_rest(tmp_path):
    """Two of the mini squad made starters injured last season, one a substitute who was
    not; the budget is the substitute's own template risk, which the starters' matches
    alone exceed."""
    cfg = compose(*TINY, *AS_PLANNED, "plan.days=28", "plan.start=2026-08-15",
                  "plan.draws=4", "athletes.athletes.0.previous_injury=true",
                  "athletes.athletes.1.previous_injury=true",
                  "athletes.athletes.2.previous_injury=false",
                  "athletes.athletes.2.minutes_share=0.2")
    p = plan_from_config(cfg)
    budget = float(prescribe.assess(p, 2, plan_cli.request_from(cfg, p.season))[0].mean())
    cfg.plan.risk_budget = budget
    text = plan_cli.plan_squad(cfg, tmp_path, progress=False)  # a partial squad succeeds
    # the same constraint for both: named together, in one line
    assert "not planned: no plan meets the request for 2 athletes (m01, m02): m01, m02: " \
        f"plan.risk_budget = {budget}: cannot be met" in text
    assert "not planned: no plan meets" in (tmp_path / "plan_report.txt").read_text()
    with (tmp_path / "plan.csv").open() as fh:
        assert {row["athlete"] for row in csv.DictReader(fh)} == {"m03"}
    cfg.plan.athletes = ["m01", "m02"]  # nobody can be planned: an error naming both
    with pytest.raises(prescribe.InfeasiblePlan,
                       match=r"^no plan meets the request for 2 athletes \(m01, m02\): m01, m02: "
                             r"plan\.risk_budget"):
        plan_cli.plan_squad(cfg, tmp_path, progress=False)
