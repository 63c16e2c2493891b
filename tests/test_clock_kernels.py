"""The compiled sub-daily features of the plan: the coupled sleep kernel against the two
public models it couples, the compiled phase-to-hour map against ``np.interp``, and the
shared-prefix integration of itineraries against integrating each from the start."""

from __future__ import annotations

import numpy as np
import pytest

from physiology.circadian import home_clock
from physiology.kernels import run
from physiology.sleep import C_HARMONICS, process_c, two_process, ump
from tests.test_twin import cached_plan
from twin.engine.planning import _itinerary_kickoffs
from twin.model import clock as _clock
from twin.model.sleep_kernel import SLEEP_KERNEL, sleep_params, sleep_state

DT = 0.1


def test_process_c_is_the_five_harmonics():
    """Daan et al.'s skewed sine written out (five sines) against the recurrence: equal
    to rounding (the recurrence is exact in exact arithmetic; 1e-14 allows its rounding
    over four steps)."""
    hours = np.linspace(-30.0, 50.0, 4001)
    w = 2 * np.pi / 24.0 * (hours - 8.6)
    five = sum(a * np.sin((k + 1) * w) for k, a in enumerate(C_HARMONICS))
    np.testing.assert_allclose(process_c(hours), five, rtol=0, atol=1e-14)
    assert process_c(8.6) == 0.0
    rows = np.stack([hours[:3], hours[2000:2003]])  # t0 broadcast per row
    np.testing.assert_array_equal(process_c(rows, [[8.6], [0.0]]),
                                  [process_c(rows[0], 8.6), process_c(rows[1], 0.0)])


@pytest.mark.parametrize("backend", ["numba", "jax"])
def test_sleep_kernel_is_two_process_then_ump(backend):
    """One pass of the coupled kernel gives what the two public functions give one after
    the other: the same sleep, step for step, and the unified model's S to 1e-12
    (the same operations; JAX's reordering aside)."""
    rng = np.random.default_rng(3)
    n_t = 10 * 240
    t = np.arange(n_t) * DT
    hours = np.mod(t[None] + rng.uniform(-6, 6, (3, 1)), 24.0)  # shifted body clocks
    opportunity = (np.mod(t - 22.0, 24.0) < 9.0)[None].repeat(3, 0).astype(float)
    s0, asleep0, us0, ul0 = np.array([0.3, 0.5, 0.7]), np.zeros(3), np.zeros(3), np.ones(3)
    two = two_process(hours, DT, opportunity, s0=s0, asleep0=asleep0, backend=backend)
    perf = ump(hours, two.asleep, DT, s0=us0, l0=ul0, backend=backend)
    out, end = run(SLEEP_KERNEL, (hours, opportunity), sleep_params(DT),
                   sleep_state(s0, asleep0, us0, ul0), backend=backend)
    assert 0.2 < out.asleep.mean() < 0.4  # real nights were slept
    np.testing.assert_array_equal(out.asleep, two.asleep)
    np.testing.assert_allclose(out.homeostat, perf.s, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(end.ump.l, perf.l[:, -1], rtol=1e-12)


def test_hour_of_is_numpys_interp_bit_for_bit():
    light = np.where((np.arange(240) * DT > 7) & (np.arange(240) * DT < 22), 500.0, 0.0)
    home = home_clock(light, DT, "hannay19")
    rng = np.random.default_rng(0)
    phases = np.r_[rng.uniform(-40, 40, 5000), home.phases, np.cumsum(np.full(3000, 0.026))]
    unwrapped = np.unwrap(home.phases)
    grid, hours = np.r_[unwrapped, unwrapped[0] + 2 * np.pi], np.r_[home.hours, 24.0]
    expected = np.interp((phases - unwrapped[0]) % (2 * np.pi) + unwrapped[0], grid,
                         hours) % 24.0
    np.testing.assert_array_equal(home.hour_of(phases), expected)
    np.testing.assert_allclose(home.hour_of(home.phases), home.hours, rtol=0, atol=1e-12)


def test_shared_prefix_gives_the_features_of_integrating_each_itinerary(monkeypatch):
    """The tiny sweep's itineraries share the days before the trip: integrated once, the
    features are bit for bit those of integrating every itinerary from the start."""
    plan = cached_plan()
    args = (plan.season, plan.squad, plan.days.itineraries)
    kwargs = {"kickoffs": _itinerary_kickoffs(plan.days),
              "reference_h": float(plan.season.fixtures["kickoff_h"])}
    clocks = [_clock.compile_clock(plan.season, it, plan.squad.bed_h, plan.squad.wake_h,
                                   kickoff_h=k)
              for it, k in zip(args[2], kwargs["kickoffs"], strict=True)]
    split = _clock.shared_steps(clocks)
    assert 0 < split < clocks[0].t_h.size - 240  # a shared head, then days apart
    shared = _clock.clock_features(*args, **kwargs)
    monkeypatch.setattr(_clock, "shared_steps", lambda clocks: 0)
    each = _clock.clock_features(*args, **kwargs)
    for name in ("ref_body", "slept", "debt", "impairment", "body", "asleep"):
        np.testing.assert_array_equal(getattr(shared, name), getattr(each, name), name)
    assert not np.array_equal(shared.body[:, 0], shared.body[:, -1])  # the trip shows


def test_athletes_sharing_a_sleep_window_are_integrated_once(monkeypatch):
    """A squad of five over the tiny sweep's three windows, the duplicates with sleep
    needs of their own: the clock is integrated for the three windows only, and every
    feature is bit for bit that of integrating each athlete (the debt from each one's
    own need)."""
    from types import SimpleNamespace

    plan = cached_plan()
    pick = np.array([0, 1, 0, 2, 1])
    squad = SimpleNamespace(size=5, bed_h=np.asarray(plan.squad.bed_h)[pick],
                            wake_h=np.asarray(plan.squad.wake_h)[pick],
                            need_h=np.array([8.3, 7.6, 9.2, 8.0, 8.6]))
    assert np.unique(np.c_[squad.bed_h, squad.wake_h], axis=0).shape[0] == 3
    rows, of_athlete = _clock.clock_profiles(squad)
    np.testing.assert_array_equal(rows, [0, 1, 3])
    np.testing.assert_array_equal(of_athlete, [0, 1, 0, 2, 1])
    args = (plan.season, squad, plan.days.itineraries)
    kwargs = {"kickoffs": _itinerary_kickoffs(plan.days),
              "reference_h": float(plan.season.fixtures["kickoff_h"]),
              "sample_at": [np.array([500.0, 1500.5])] * len(plan.days.itineraries)}
    shared = _clock.clock_features(*args, **kwargs)
    monkeypatch.setattr(_clock, "clock_profiles", lambda squad, travel=None, ids=None: (
        np.arange(squad.size), np.arange(squad.size)))
    each = _clock.clock_features(*args, **kwargs)
    assert shared.evaluations == 3 * (len(plan.days.itineraries) + 1)
    assert each.evaluations == 5 * (len(plan.days.itineraries) + 1)
    for name in ("ref_body", "slept", "debt", "habitual_debt", "impairment", "body",
                 "asleep", "in_bed"):
        assert getattr(shared, name).tobytes() == getattr(each, name).tobytes(), name
    for got, want in zip(shared.at_body, each.at_body, strict=True):
        assert got.tobytes() == want.tobytes()
    assert not np.array_equal(shared.debt[0], shared.debt[2])  # same window, own need


def test_a_travel_plan_gives_its_athletes_clocks_of_their_own():
    """With a travel plan, an athlete with actions is a profile of its own; those
    without still share their window's."""
    from types import SimpleNamespace

    squad = SimpleNamespace(size=4, bed_h=np.array([23.0, 23.0, 23.0, 22.5]),
                            wake_h=np.array([7.0, 7.0, 7.0, 6.5]))
    travel = SimpleNamespace(of=lambda athlete: ("nap",) if athlete == "b" else ())
    rows, of_athlete = _clock.clock_profiles(squad, travel, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(rows, [0, 1, 3])
    np.testing.assert_array_equal(of_athlete, [0, 1, 0, 2])


def test_the_plan_keeps_the_body_clock_where_it_is_read_not_the_grid():
    """The plan samples the body clock at every point's kickoffs and drops the 0.1-h
    series: its reference clock is the one read off the full grid, and one athlete's
    grid computed again for a figure agrees with the squad's to the entrainment
    tolerance."""
    plan = cached_plan()
    assert plan.clock.body is None and plan.clock.asleep is None
    args = (plan.season, plan.squad, plan.days.itineraries)
    kwargs = {"kickoffs": _itinerary_kickoffs(plan.days),
              "reference_h": float(plan.season.fixtures["kickoff_h"])}
    full = _clock.clock_features(*args, **kwargs)
    body, misalign = _clock.reference_clock(full, plan.days.kickoff_h, plan.days.itinerary,
                                            plan.days.match)
    np.testing.assert_array_equal(plan.body_clock, body)
    np.testing.assert_array_equal(plan.misalignment, misalign)
    one = plan.clock_grid(2, 3)
    assert one.body.shape == (1, 1, full.body.shape[-1])
    np.testing.assert_allclose(one.body[0, 0], full.body[2, 3], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(one.asleep[0, 0], full.asleep[2, 3])
    with pytest.raises(ValueError, match="kickoff of point 0 was not sampled"):
        _clock.reference_clock(plan.clock, plan.days.kickoff_h + 2.0, plan.days.itinerary,
                               plan.days.match)


@pytest.mark.parametrize("model", ["forger99", "hannay19"])
def test_phase_series_is_the_phase_of_simulate(model):
    from physiology.circadian import equilibrate, phase, phase_series, simulate

    day = np.where((np.arange(240) * DT > 7) & (np.arange(240) * DT < 22), 500.0, 0.0)
    light = np.stack([np.tile(day, 5), np.tile(np.roll(day, 40), 5)])
    state0 = equilibrate(light[:, :240], DT, model)
    states = simulate(light, DT, model, state0=state0)
    ph, end = phase_series(light, DT, model, state0)
    np.testing.assert_array_equal(ph, phase(states[:, :-1], model))
    np.testing.assert_array_equal(end, states[:, -1])
