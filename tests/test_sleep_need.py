"""Sleep need from wearable sleep records, and the twin's debt owed against it."""

import numpy as np
import pytest

import scenarios as sc
import twin
from calibration import fit_sleep_need, squad_dataset
from twin.engine import planning


def test_sleep_need_is_the_mean_free_day_sleep_with_bootstrap_draws():
    """Work days 23:30-06:30 (7 h), free days 00:00-09:00 (9 h): the need is 9 h, with
    draws that only vary as much as the free days do (none here); fewer than three free
    days fall back to the population prior (8.3 +- 0.9 h, Sargent et al. 2021)."""
    free = np.tile([False] * 5 + [True] * 2, 4)
    onset = np.where(free, 0.0, 23.5)
    offset = np.where(free, 9.0, 6.5)
    fit = fit_sleep_need(onset, offset, free, n_draws=50)
    assert fit.point["need_h"] == pytest.approx(9.0) and fit.free_days == 8
    np.testing.assert_allclose(fit.draws["need_h"], 9.0)
    prior = fit_sleep_need(onset[:7], offset[:7], np.r_[free[:6], False], n_draws=4000,
                           rng=np.random.default_rng(1))
    assert "prior" in prior.source and prior.point["need_h"] == 8.3
    assert prior.draws["need_h"].mean() == pytest.approx(8.3, abs=0.05)
    assert prior.draws["need_h"].std() == pytest.approx(0.9, abs=0.05)


def test_a_calibrated_need_sets_the_debt_the_twin_owes():
    """An athlete whose records say 7 h, less than the 8 h they sleep at home, owes nothing
    on habitual nights, where the default 8.3 h need leaves 14 nights x (8.3 - 8.0) h
    owed; the other athletes are unchanged."""
    cfg = twin.compose("athletes=mini_squad", "scenario.days=20", "scenario.rest_days=[]",
                       "sweep.axes.training_volume=[1.0]", "sweep.axes.itinerary=[home]")
    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    sweep = sc.build_sweep(cfg.sweep, season)
    ds = squad_dataset({squad.ids[0]: {"sleep.need_h": (7.0, np.full(8, 7.0))}}, 8)
    base = planning.plan(squad, season, sweep, draws=2)
    mine = planning.plan(squad, season, sweep, draws=2, calibration=ds)
    assert base.clock.habitual_debt[0] == pytest.approx(14 * (8.3 - 8.0), abs=1e-9)
    assert mine.clock.habitual_debt[0] == 0.0
    np.testing.assert_array_equal(mine.clock.habitual_debt[1:], base.clock.habitual_debt[1:])
    assert np.all(mine.sleep_debt[0] <= base.sleep_debt[0])
