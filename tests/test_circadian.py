"""Circadian models: published right-hand side, limit cycle, RK4 order, backends, markers."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from physiology.circadian import (
    MODELS,
    Forger99Params,
    _forger99,
    amplitude,
    cbtmin_times,
    dlmo_times,
    equilibrate,
    home_clock,
    jet_lag,
    misalignment,
    phase,
    simulate,
    trip,
)

DT = 0.1
# A home day on the 0.1 h grid: dark to 07:00, 300 lux to 23:00, 50 lux to midnight.
DAY = np.r_[np.full(70, 0.0), np.full(160, 300.0), np.full(10, 50.0)]


def test_forger99_right_hand_side_reference():
    """DESIGN.md: Serkh & Forger 2014 parameters at (x, xc, n) = (-0.3, -1.13, 0) and
    1 lux give (-0.28846216, 0.1267787, 0.03077935) per hour (to 1e-8, the digits given)."""
    s = _forger99.State(-0.3, -1.13, 0.0)
    c, _ = _forger99.prepare(_forger99.Params(*Forger99Params().values(), DT), s)
    alpha, k, _ = _forger99.drive(_forger99.Inputs(light=1.0), c)
    got = _forger99.rhs(s, alpha, k)
    np.testing.assert_allclose(got, (-0.28846216, 0.1267787, 0.03077935), rtol=0, atol=1e-8)


@pytest.mark.parametrize("model", list(MODELS))
def test_initial_conditions_converge_to_one_limit_cycle(model):
    """Five different starts, 60 days of the same schedule: one entrained state (1e-6)."""
    starts = {"vdp": [(1.0, 0.0, 0.0), (-0.5, 0.8, 0.3), (0.2, -1.4, 0.9), (1.3, 1.0, 0.1),
                      (-1.0, -0.2, 0.5)],
              "phase": [(0.5, 0.0, 0.0), (0.9, 2.0, 0.3), (0.3, -2.5, 0.9), (0.7, 1.0, 0.1),
                        (0.95, -1.0, 0.5)]}[MODELS[model].kind]
    states = simulate(np.tile(DAY, 60), DT, model, state0=np.array(starts))
    final = states[:, -1]
    if MODELS[model].kind == "phase":
        final[:, 1] = np.angle(np.exp(1j * final[:, 1]))
    np.testing.assert_allclose(final, np.broadcast_to(final[0], final.shape), atol=1e-6)
    np.testing.assert_allclose(final[0], equilibrate(DAY, DT, model), atol=1e-6)


@pytest.mark.parametrize("model", list(MODELS))
def test_rk4_is_fourth_order(model):
    """Error at 48 h against scipy DOP853 at rtol = atol = 1e-12 (integrated piece by
    piece over the constant-light hours): halving dt divides it by about 16. The order
    fitted on the finest pair lies within 3.8-4.2 and no pair is below 3.7 (the stiff x^7
    term of Jewett 1999 is still pre-asymptotic at 0.25 h, above 4 there); DOP853's error
    at 1e-12 is far below the smallest RK4 error."""
    spec = MODELS[model]
    hours = np.tile(np.r_[np.zeros(6), np.full(12, 500.0), np.full(6, 20.0)], 2)
    s0 = np.array(spec.start)
    kernel = spec.kernel
    c, _ = kernel.prepare(kernel.Params(*spec.params().values(), 1.0), kernel.State(*s0))
    ref = s0.copy()
    for lux in hours:                          # exact integration, one light level an hour
        d, k, _ = kernel.drive(kernel.Inputs(lux), c)
        sol = solve_ivp(lambda t, y, d=d, k=k: kernel.rhs(kernel.State(*y), d, k), (0.0, 1.0),
                        ref, method="DOP853", rtol=1e-12, atol=1e-12)
        ref = sol.y[:, -1]
    errors = []
    for dt in (0.25, 0.125, 0.0625, 0.03125):
        light = np.repeat(hours, round(1.0 / dt))
        errors.append(np.max(np.abs(simulate(light, dt, model, state0=s0)[-1] - ref)))
    order = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert 3.8 < order[-1] < 4.2 and np.all(order > 3.7), order


def test_backends_agree_over_a_sixty_day_jet_lag_batch():
    """Numba vs JAX, batched over schedules and parameter sets, 60 days: 1e-9."""
    days = [trip(DAY, DT, shift, 5, 55).light for shift in (-9.0, 0.0, 6.0, 9.0)]
    light = np.stack(days)
    for model, params in (("forger99", Forger99Params(taux=np.array([[24.0], [24.2],
                                                                     [24.4], [24.6]]))),
                          ("jewett99", None), ("hannay19", None)):
        a = simulate(light, DT, model, params)
        b = simulate(light, DT, model, params, backend="jax")
        assert a.shape[-2:] == (light.shape[-1] + 1, 3)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


@pytest.mark.parametrize("model", list(MODELS))
def test_markers_on_the_entrained_cycle(model):
    """Entrained: CBTmin every 24 h (to 1e-6 h), DLMO 7 h before it, no misalignment at
    home (1e-6 h), phase advancing by 2 pi a day, amplitude periodic."""
    states = simulate(np.tile(DAY, 4), DT, model)
    cbt = cbtmin_times(states, DT, model)
    np.testing.assert_allclose(np.diff(cbt), 24.0, atol=1e-6)
    np.testing.assert_allclose(dlmo_times(states, DT, model), cbt - 7.0)
    assert 2.0 < cbt[0] % 24 < 7.0                     # early morning, before 07:00 light
    home = home_clock(DAY, DT, model)
    hours = (np.arange(states.shape[0]) * DT) % 24
    assert np.max(np.abs(misalignment(phase(states, model), hours, home))) < 1e-6
    np.testing.assert_allclose(amplitude(states[-241:], model)[[0, -1]][0],
                               amplitude(states[-241:], model)[-1], rtol=1e-8)


@pytest.mark.parametrize("model", list(MODELS))
def test_jet_lag_misalignment_starts_at_the_shift_and_resolves(model):
    """On arrival the body keeps home time: misalignment equals the shift (east negative,
    within the 0.05 h the first step of phase moves), then the body re-entrains."""
    for shift in (6.0, -6.0):
        r = jet_lag(DAY, shift, model=model, days_away=25)
        arrival = 3 * 240 + 1
        assert r.misalignment_h[arrival] == pytest.approx(-shift, abs=0.05)
        assert 0 < r.reentrainment_days < 25
        assert np.all(np.abs(r.misalignment_h[-240:]) < 1.0)


def test_bad_input():
    with pytest.raises(ValueError, match=r"light\[5\] = -1.0: expected a non-negative lux"):
        simulate(np.r_[np.zeros(5), -1.0, np.zeros(300)], DT)
    with pytest.raises(ValueError, match=r"light\[2\] = nan"):
        simulate(np.r_[np.zeros(2), np.nan, np.zeros(300)], DT)
    with pytest.raises(ValueError, match=r"dt = 0.7 h: expected a step that divides"):
        simulate(np.zeros(400), 0.7)
    with pytest.raises(ValueError, match="model='kronauer': expected one of"):
        simulate(np.zeros(240), DT, "kronauer")
    with pytest.raises(ValueError, match="less than one day"):
        simulate(np.zeros(100), DT)
    with pytest.raises(ValueError, match="expected a Forger99Params"):
        simulate(np.zeros(240), DT, "forger99", params=MODELS["hannay19"].params())
    with pytest.raises(ValueError, match=r"shift_h = 13.0"):
        trip(DAY, DT, 13.0, 1, 1)


def test_light_at_eye_follows_bed_outdoors_sun_and_floodlights():
    """In bed: 0; indoors: the day or evening level by the sun; outdoors: daylight (at
    least the indoor level), and on a floodlit pitch at least the floodlight level; the
    share of other daylight hours outdoors mixes the two."""
    from physiology.circadian import LightParams, daylight_lux, light_at_eye

    p = LightParams()
    elevation = np.array([20.0, 20.0, -10.0, -10.0, 40.0, 2.0])
    in_bed = np.array([1, 0, 0, 0, 0, 0])
    outdoors = np.array([0, 0, 0, 1, 1, 1])
    floodlit = np.array([0, 0, 0, 1, 0, 1])
    lux = light_at_eye(in_bed, outdoors, elevation, floodlit, p)
    sun = daylight_lux(elevation, p)
    np.testing.assert_allclose(lux, [0.0, p.indoor_lux, p.evening_lux, p.floodlight_lux,
                                     sun[4], max(sun[5], p.floodlight_lux)])
    mixed = light_at_eye(0.0, 0.0, 30.0, 0.0, p.replace(outdoor_fraction=0.1))
    np.testing.assert_allclose(mixed, 0.9 * p.indoor_lux + 0.1 * daylight_lux(30.0, p))
    assert np.all(np.diff(daylight_lux(np.linspace(0.5, 90, 50), p)) > 0)  # rises with e
    with pytest.raises(ValueError, match="in_bed"):
        light_at_eye(2.0, 0.0, 10.0)


def test_sleep_lost_after_a_trip():
    """No shift, no loss; after 8 h either way the nights away are shorter than at home,
    and the loss shrinks as the body re-entrains (within 0.5 h by the last night). Only
    whole sleep windows count: leaving at home midnight cuts the first window for a
    zero shift (13 nights of 14 days), not after 8 h east (arrival 08:00) or west
    (arrival 16:00), whose first night away is the first counted."""
    still = jet_lag(DAY, 0.0, days_away=14)
    assert still.sleep_h.shape == (13,) and np.all(still.sleep_lost_h == 0.0)
    for shift in (8.0, -8.0):
        r = jet_lag(DAY, shift, days_away=14)
        assert r.sleep_h.shape == r.sleep_lost_h.shape == (14,)
        assert r.sleep_lost_h.max() > 2.0
        assert np.all(r.sleep_lost_h >= -1e-9) and r.sleep_lost_h[-1] < 0.5
    assert jet_lag(DAY, -8.0, days_away=3).sleep_lost_h[0] > 2.0   # west: the first night
    with pytest.raises(ValueError, match="days_home = 1: expected at least 2"):
        jet_lag(DAY, 8.0, days_home=1)


def test_one_cbtmin_per_cycle_when_light_splits_the_trough():
    """After 8 h west, morning light can split the x trough in two (Forger): one CBTmin a
    cycle is kept, the lower."""
    r = jet_lag(DAY, -8.0, days_away=10)
    cbt = cbtmin_times(r.states, DT)
    assert np.all(np.diff(cbt) > 12.0)
    assert cbt.size in (12, 13, 14)


def test_time_zone_shift_follows_daylight_saving():
    """London to Tokyo: +8 h in July (BST, UTC+1), +9 h in January (GMT); Japan keeps no
    daylight-saving time (IANA tz database)."""
    from physiology.circadian import time_zone_shift

    assert time_zone_shift("Europe/London", "Asia/Tokyo", "2026-07-01T12:00") == 8.0
    assert time_zone_shift("Europe/London", "Asia/Tokyo", "2026-01-01T12:00") == 9.0
    assert time_zone_shift("Asia/Tokyo", "Europe/London", "2026-01-01T12:00") == -9.0
    with pytest.raises(ValueError, match="time zone 'Mars/Olympus': not a known IANA"):
        time_zone_shift("Europe/London", "Mars/Olympus", "2026-01-01")


def test_trip_with_a_flight():
    """Depart 20:00 home time, land 16:00 local after an 8 h eastward shift: a 12 h flight
    in cabin light, the clock jumping by the shift at departure."""
    t = trip(DAY, DT, 8.0, 2, 3, depart_h=20.0, arrive_h=16.0, cabin_lux=40.0)
    assert t.departure == 2 * 240 + 200 and t.arrival - t.departure == 120
    np.testing.assert_array_equal(t.light[t.departure:t.arrival], 40.0)
    assert t.local_hour[t.departure] == pytest.approx(4.0)
    assert t.local_hour[t.arrival] == pytest.approx(16.0)
    np.testing.assert_array_equal(t.light[t.arrival:t.arrival + 10], DAY[160:170])
    with pytest.raises(ValueError, match=r"depart_h = 20.05 h: expected a multiple of dt"):
        trip(DAY, DT, 8.0, 2, 3, depart_h=20.05)
