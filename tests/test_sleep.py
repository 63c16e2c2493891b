"""Two-process model: exact exponentials, threshold switching, schedules, sleep debt."""

import numpy as np
import pytest

from physiology.sleep import TwoProcessParams, process_c, sleep_debt, two_process

DT = 0.1
HOURS = (np.arange(240 * 12) * DT) % 24


def test_process_s_closed_forms(backend):
    """Forced schedule: 16 h awake from S0 = 0.3 then 8 h asleep. Wake:
    1 - (1 - S0) e^{-t/18.2}; sleep: S_on e^{-t/4.2} (Daan et al. 1984), exact per step."""
    opportunity = np.r_[np.zeros(160), np.ones(80)]
    r = two_process(HOURS[:240], DT, opportunity, forced=True, s0=0.3, backend=backend)
    t = np.arange(1, 161) * DT
    np.testing.assert_allclose(r.s[:160], 1 - 0.7 * np.exp(-t / 18.2), rtol=1e-13)
    np.testing.assert_allclose(r.s[160:], r.s[159] * np.exp(-t[:80] / 4.2), rtol=1e-13)
    np.testing.assert_array_equal(r.asleep, opportunity)


def test_spontaneous_switching_at_the_thresholds(backend):
    """Sleep begins on the first step S >= H and ends on the first step S <= L."""
    r = two_process(HOURS, DT, backend=backend)
    a = r.asleep
    onsets = np.flatnonzero(np.diff(a) > 0) + 1
    offsets = np.flatnonzero(np.diff(a) < 0) + 1
    assert onsets.size >= 10 and offsets.size >= 10
    assert np.all(r.s[onsets - 1] >= r.upper[onsets] - 1e-12)   # S before the step
    assert np.all(r.s[offsets - 1] <= r.lower[offsets] + 1e-12)
    # Entrained to the 24 h Process C: the same time every day after the first, to the
    # grid step (a crossing near a grid point may fall one step either side).
    assert np.all(np.abs(np.diff(onsets[1:]) - 240) <= 1)
    np.testing.assert_allclose(r.upper - r.lower, 0.67 - 0.17, rtol=1e-12)


def test_no_sleep_outside_the_opportunity():
    window = ((HOURS >= 0) & (HOURS < 6)).astype(float)         # only 00:00-06:00
    r = two_process(HOURS, DT, window)
    assert np.all(r.asleep <= window) and r.asleep.sum() > 0


def test_process_c_shape():
    """The skewed wave peaks in the afternoon and is 0 at t0 (by construction)."""
    assert process_c(8.6) == pytest.approx(0.0, abs=1e-15)
    hours = np.linspace(0, 24, 2401)
    assert 12 < hours[np.argmax(process_c(hours))] < 17


def test_sleep_debt_hand_computed():
    """Need 8 h: three nights of 6 h leave 2, 4, 6 h of debt; a 10 h night repays 2 h."""
    nights = [6, 6, 6, 10]
    asleep = np.concatenate([np.r_[np.ones(10 * h), np.zeros(240 - 10 * h)] for h in nights])
    np.testing.assert_allclose(sleep_debt(asleep, DT), [2, 4, 6, 4], atol=1e-12)
    np.testing.assert_allclose(sleep_debt(asleep, DT, need_h=6), [0, 0, 0, 0])
    # Fading debt: B_d = max(B_{d-1} e^{-1/tau} + n - s_d, 0), by hand with tau = 2 d.
    k = np.exp(-0.5)
    b1 = 2.0
    b2 = b1 * k + 2
    b3 = b2 * k + 2
    b4 = max(b3 * k - 2, 0.0)
    np.testing.assert_allclose(sleep_debt(asleep, DT, recovery_days=2.0), [b1, b2, b3, b4],
                               atol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match=r"opportunity\[0\] = 0.5: expected 0 \(no sleep\)"):
        two_process(HOURS[:10], DT, np.full(10, 0.5))
    with pytest.raises(ValueError, match=r"body_hour\[1\] = nan"):
        two_process(np.array([1.0, np.nan]), DT)
    with pytest.raises(ValueError, match="not a whole number"):
        sleep_debt(np.zeros(100), DT)
    with pytest.raises(ValueError, match="expected a TwoProcessParams"):
        two_process(HOURS[:10], DT, params={"tau_r": 1.0})
    assert TwoProcessParams().tau_d == 4.2


def test_three_process_recovery_and_wake_closed_forms(backend):
    """8 h of sleep from S = 7.96: linear at g (bl - ha) until 12.2 at 5.29 h, then
    14.3 - 2.1 e^{g (t - 5.29)}, 13.55 at 8 h (FIPS's worked value); then 16 h awake:
    2.4 + (S - 2.4) e^{-0.0353 t}. Exact at any step, so dt 0.1 and 0.25 agree to 1e-12."""
    from physiology.sleep import ThreeProcessParams, alertness

    p = ThreeProcessParams()
    g = np.log((14.3 - 14.0) / (14.3 - 7.96)) / 8.0
    slope = g * (12.2 - 14.3)
    t_break = (12.2 - 7.96) / slope
    assert t_break == pytest.approx(5.29, abs=0.005)
    for dt in (0.1, 0.25):
        n_sleep, n_wake = round(8 / dt), round(16 / dt)
        asleep = np.r_[np.ones(n_sleep), np.zeros(n_wake)]
        hours = (23.0 + np.arange(asleep.size) * dt) % 24
        r = alertness(hours, asleep, dt, params=p, backend=backend)
        t = np.arange(1, n_sleep + 1) * dt
        expected = np.where(t <= t_break, 7.96 + slope * t,
                            14.3 - 2.1 * np.exp(g * (t - t_break)))
        np.testing.assert_allclose(r.s[:n_sleep], expected, rtol=1e-12)
        assert r.s[n_sleep - 1] == pytest.approx(13.55, abs=0.005)   # given to 2 decimals
        tw = np.arange(1, n_wake + 1) * dt
        np.testing.assert_allclose(r.s[n_sleep:], 2.4 + (r.s[n_sleep - 1] - 2.4)
                                   * np.exp(-0.0353 * tw), rtol=1e-12)
        np.testing.assert_allclose(r.w[n_sleep:], -5.72 * np.exp(-1.51 * tw), rtol=1e-12)
        assert np.all(r.w[:n_sleep] == 0)
        np.testing.assert_allclose(r.kss, 10.6 - 0.6 * (r.s + r.c + r.u + r.w), rtol=1e-12)


def test_three_process_circadian_components():
    """C peaks at 16.8 h with amplitude 2.5; U = -0.5 + 0.5 cos(2 pi (t - 19.8)/12)."""
    from physiology.sleep import alertness

    hours = np.arange(0, 24, 0.1)
    r = alertness(hours, 0.0, 0.1)
    assert hours[np.argmax(r.c)] == pytest.approx(16.8, abs=1e-9)
    assert r.c.max() == pytest.approx(2.5, rel=1e-9)
    np.testing.assert_allclose(r.u, -0.5 + 0.5 * np.cos(2 * np.pi * (hours - 19.8) / 12),
                               atol=1e-12)
    with pytest.raises(ValueError, match=r"asleep\[0\] = 0.5: expected 0 or 1"):
        alertness(hours, 0.5, 0.1)
