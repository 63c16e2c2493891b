"""Unified model of performance: exact steps, invariants, and the chronic-restriction
protocols of Van Dongen et al. 2003 and Belenky et al. 2003 (docs/validation.md, section 6).

Protocols: a fixed wake time (07:30 Van Dongen, 07:00 Belenky), the night's time in bed
ending at it; the daily value is the mean predicted lapses at 2, 4, ..., 14 h after waking
(7 test bouts, inside every group's waking day). Before the protocol, 40 nights of 8 h
bring L to its periodic steady state (its deviation decays as e^{-40/4.06} = 5e-5), so
the 8 h control is flat rather than drifting from FIPS's start at L = 0.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from physiology.sleep import C_HARMONICS, UMPParams, process_c, ump

DT = 0.1
TESTS_H = np.arange(2.0, 15.0, 2.0)    # hours after waking
WARM = 40                              # nights of 8 h before the protocol


def protocol(tib, wake_hour, dt=DT):
    """Hours (end of step) and asleep (0/1) for one 24-h day per entry of ``tib``: awake
    from ``wake_hour``, in bed for the last ``tib[d]`` hours of day d."""
    offset = np.arange(round(24 / dt)) * dt
    asleep = np.concatenate([(offset >= 24 - t - 1e-9).astype(float) for t in tib])
    hours = (wake_hour + np.arange(1, asleep.size + 1) * dt) % 24
    return hours, asleep


def daily(p, day, dt=DT):
    """Mean lapses over the day's test bouts (day 0 starts at the first waking)."""
    return p[np.round((24 * day + TESTS_H) / dt).astype(int) - 1].mean()


def run_protocol(restricted, n_restricted, recovery, wake_hour, backend="numba"):
    """Daily values from the last baseline day (index 0) through the protocol."""
    nights = [8] * (WARM + 1) + [restricted] * n_restricted + [8] * recovery + [8]
    hours, asleep = protocol(nights, wake_hour)
    r = ump(hours, asleep, DT, backend=backend)
    return np.array([daily(r.p, d) for d in range(WARM + 1, len(nights))])


def test_backends_agree():
    """Numba and JAX on 20 days of Belenky's 3 h schedule with a 2 h afternoon nap on
    day 5, for a batch of two parameter sets and two initial states: agree to 1e-9
    (relative to the largest magnitude; the compilers differ only by a few ulp per step)."""
    hours, asleep = protocol([8] * 5 + [3] * 7 + [8] * 8, 7.0)
    asleep = asleep.copy()
    asleep[round((24 * 5 + 7) / DT):round((24 * 5 + 9) / DT)] = 1.0
    p = UMPParams(tau_la=np.array([97.44, 60.0]), kappa=np.array([4.13, 3.0]))
    runs = [ump(hours, asleep, DT, params=p, s0=np.array([0.0, 5.0]), l0=np.array([0.0, -2.0]),
                backend=b) for b in ("numba", "jax")]
    for a, b in zip(*runs, strict=True):
        assert a.shape == (2, hours.size)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9 * max(np.abs(a).max(), 1.0))


def test_exact_steps_match_the_odes(backend):
    """16 h awake then 8 h asleep from S = 3, L = -2: the per-step closed forms agree with
    DOP853 on the ODEs of the module docstring (rtol 1e-12) to 1e-8 lapses, and a grid of
    0.25 h gives the 0.1 h grid's values at shared times to 1e-11 (exact, not a scheme)."""
    p = UMPParams()
    u, tw, ts, tl = p.upper, p.tau_w, p.tau_s, p.tau_la

    def rhs(t, y):
        s, l_ = y
        if t < 16.0:
            return [(u - s) / tw, (u - l_) / tl]
        return [(l_ - s) / ts, (-2 * u - l_) / tl]

    t_end = np.arange(1, 241) / 10.0
    wake = solve_ivp(rhs, (0, 16), [3.0, -2.0], method="DOP853", rtol=1e-12, atol=1e-12,
                     t_eval=t_end[:160], dense_output=True)
    sleep = solve_ivp(rhs, (16, 24), wake.y[:, -1], method="DOP853", rtol=1e-12, atol=1e-12,
                      t_eval=t_end[160:])
    ref = np.hstack([wake.y, sleep.y])
    asleep = (np.arange(240) >= 160).astype(float)
    r = ump((7.0 + t_end) % 24, asleep, DT, s0=3.0, l0=-2.0, backend=backend)
    np.testing.assert_allclose(r.s, ref[0], atol=1e-8)
    np.testing.assert_allclose(r.l, ref[1], atol=1e-8)
    coarse = ump((7.0 + np.arange(1, 97) * 0.25) % 24, (np.arange(96) >= 64).astype(float),
                 0.25, s0=3.0, l0=-2.0, backend=backend)
    np.testing.assert_allclose(coarse.s[1::2], r.s[4::5], atol=1e-11)   # 0.5 h, 1 h, ...
    np.testing.assert_allclose(coarse.l[1::2], r.l[4::5], atol=1e-11)


def test_circadian_process_and_lapses_sum():
    """C is Daan et al.'s skewed wave at phase t + phi (the harmonics of C_HARMONICS);
    with phi = 2.02 h its peak (most lapses) is at 02:00 and its trough at 18:00, to the
    0.1 h grid; p = S + kappa C to rounding."""
    hours = np.arange(1, 241) * DT
    r = ump(hours, 0.0, DT)
    np.testing.assert_allclose(r.c, process_c(hours, -2.02), atol=1e-13)
    assert C_HARMONICS == (0.97, 0.22, 0.07, 0.03, 0.001)
    assert hours[np.argmax(r.c)] == pytest.approx(2.0, abs=0.05)
    assert hours[np.argmin(r.c)] == pytest.approx(18.0, abs=0.05)
    np.testing.assert_allclose(r.p, r.s + 4.13 * r.c, rtol=1e-14, atol=1e-13)


@pytest.mark.parametrize("wake_h", [14.0, 16.0, 18.0, 20.0])
def test_steady_state_mean_lower_asymptote(wake_h):
    """Invariant: on a periodic day of W h awake, the time average of dL/dt is 0, so the
    mean of L over a day is exactly U (3W - 48)/24 (0 at 16 h; 12.06 at 20 h, i.e. 4 h in
    bed). After 60 days (deviation e^{-60/4.06} ~ 4e-7 of the start) to 1e-5 lapses, plus
    the 0.1 h rectangle rule's error on a smooth curve (1e-4 is ample)."""
    hours, asleep = protocol([24 - wake_h] * 61, 7.0)
    r = ump(hours, asleep, DT)
    day = r.l[-round(24 / DT) - 1:]          # L at the day's start, then each step's end
    mean_l = np.mean((day[1:] + day[:-1]) / 2)    # trapezoid rule over the last day
    assert mean_l == pytest.approx(24.12 * (3 * wake_h - 48) / 24, abs=1e-4)


def test_critical_daily_wake_against_van_dongen():
    """Van Dongen et al. 2003: lapses grow with the cumulative wake in excess of 15.84 h a
    day (s.e. 0.73 h). The UMP's neutral daily wake (the W at which the steady mean of L,
    hence the long-run drift of the lapses, changes sign) is 16.00 h, found here by the
    model's own runs at W = 15 and 17 h: within 2 s.e. of the published value."""
    means = []
    for wake_h in (15.0, 17.0):
        hours, asleep = protocol([24 - wake_h] * 61, 7.0)
        means.append(ump(hours, asleep, DT).l[-round(24 / DT):].mean())
    critical = 15.0 + 2.0 * (0 - means[0]) / (means[1] - means[0])
    assert critical == pytest.approx(16.0, abs=0.01)
    assert abs(critical - 15.84) < 2 * 0.73


def test_van_dongen_chronic_restriction_shape():
    """14 nights of 4 h, 6 h and 8 h in bed after 8 h baselines: lapses rise every day for
    4 h and 6 h (strictly), 4 h above 6 h every day, 8 h flat (to 1e-3 lapses). The ratio
    of day-14 excess lapses 4 h : 6 h is 2.03; Van Dongen's linear excess-wake model gives
    (20 - 15.84)/(18 - 15.84) = 1.93, and 1.69-2.40 over +-1 s.e. of the 15.84 h, the
    tolerance. The twin's values (docs/validation.md) are pinned to 0.01 lapses."""
    v4, v6, v8 = (run_protocol(t, 14, 0, 7.5) for t in (4, 6, 8))
    restricted = slice(1, 15)   # days 1..14 after the first restricted night
    for v in (v4, v6):
        assert np.all(np.diff(v[0:15]) > 0)
    assert np.all(v4[restricted] > v6[restricted])
    assert np.max(np.abs(v8[0:15] - v8[0])) < 1e-3
    ratio = (v4[14] - v4[0]) / (v6[14] - v6[0])
    assert 1.69 < ratio < 2.40
    assert ratio == pytest.approx(2.03, abs=0.01)
    np.testing.assert_allclose([v4[0], v4[1], v4[7], v4[14]], [0.82, 3.22, 9.61, 11.16],
                               atol=0.01)
    np.testing.assert_allclose([v6[1], v6[7], v6[14]], [1.98, 5.15, 5.92], atol=0.01)
    # Not reproduced: Van Dongen found near-linear growth over the 14 days; the UMP's L
    # saturates with tau_LA = 4.06 d, so the second week adds under a fifth of the first.
    second_week = (v4[14] - v4[7]) / (v4[7] - v4[0])
    assert second_week == pytest.approx(0.18, abs=0.01)


def test_van_dongen_total_sleep_deprivation_comparison():
    """Van Dongen et al.'s conclusion: 6 h or less a night for 14 days is equivalent to up
    to 2 nights of total sleep deprivation. The twin: 4 h day 14 (11.16 lapses) lies
    between 1 night (10.34) and 2 nights (15.57) without sleep, i.e. about 1 night; the
    '2 nights' is not reached (docs/validation.md)."""
    v4 = run_protocol(4, 14, 0, 7.5)
    tsd = run_protocol(0, 3, 0, 7.5)
    np.testing.assert_allclose(tsd[1:4], [10.34, 15.57, 18.43], atol=0.01)
    assert tsd[1] < v4[14] < tsd[2]


def test_belenky_restriction_and_recovery():
    """Belenky et al. 2003: 7 nights of 3, 5, 7 or 9 h in bed, then 3 nights of 8 h.
    Lapses after 3 h and 5 h rise, and 3 recovery nights improve them without reaching
    baseline (by more than 1 lapse); the 7 h and 9 h groups stay near baseline (within 25 %
    of the 3 h group's rise, either side: the UMP lets 9 h improve on baseline, 2.1
    lapses, where Belenky saw none). Twin values pinned to 0.01 (docs/validation.md)."""
    runs = {t: run_protocol(t, 7, 3, 7.0) for t in (3, 5, 7, 9)}
    base, e7, r3 = 0, 7, 10
    rise3 = runs[3][e7] - runs[3][base]
    for t in (3, 5):
        v = runs[t]
        assert np.all(np.diff(v[base:e7 + 1]) > 0)
        assert v[e7] > v[r3] > v[base] + 1.0
    for t in (7, 9):
        v = runs[t]
        assert abs(v[e7] - v[base]) < 0.25 * rise3 and abs(v[r3] - v[base]) < 0.25 * rise3
    assert runs[3][e7] > runs[5][e7] > runs[7][e7] > runs[9][e7]
    pinned = {3: (0.845, 11.94, 6.09), 5: (0.845, 7.38, 3.96), 7: (0.845, 3.00, 1.87),
              9: (0.845, -1.29, -0.17)}
    for t, vals in pinned.items():
        np.testing.assert_allclose(runs[t][[base, e7, r3]], vals, atol=0.01)


def test_total_sleep_deprivation_closed_form(backend):
    """88 h awake from 07:30 with S0 = 1.5: S = U - (U - S0) e^{-t/40} exactly (L does not
    enter S in wake), p = S + kappa C(t) with the circadian wave superposed, and L rises
    towards U with tau_LA: exact to 1e-12. Impairment rises: each 24 h block's maximum
    exceeds the last, and the end (23:30 on day 4) is above 07:30 on day 2 and the start."""
    n = round(88 / DT)
    t = np.arange(1, n + 1) * DT
    hours = (7.5 + t) % 24
    r = ump(hours, 0.0, DT, s0=1.5, l0=0.0, backend=backend)
    s = 24.12 - (24.12 - 1.5) * np.exp(-t / 40.0)
    np.testing.assert_allclose(r.s, s, rtol=1e-12)
    np.testing.assert_allclose(r.p, s + 4.13 * process_c(hours, -2.02), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(r.l, 24.12 - 24.12 * np.exp(-t / 97.44), rtol=1e-12)
    day_max = [r.p[round(24 * d / DT):round(24 * (d + 1) / DT)].max() for d in range(3)]
    assert day_max[0] < day_max[1] < day_max[2]
    assert r.p[-1] > r.p[round(24 / DT)] > r.p[0]


def test_bad_input():
    hours = np.arange(1, 11) * DT
    with pytest.raises(ValueError, match=r"asleep\[3\] = 0.5: expected 0 \(awake\) or 1"):
        ump(hours, np.r_[0, 0, 0, 0.5, np.zeros(6)], DT)
    with pytest.raises(ValueError, match=r"asleep\[0\] = nan"):
        ump(hours, np.full(10, np.nan), DT)
    with pytest.raises(ValueError, match=r"dt = 0.0: expected a finite value > 0"):
        ump(hours, 0.0, 0.0)
    with pytest.raises(ValueError, match=r"dt = nan"):
        ump(hours, 0.0, float("nan"))
    with pytest.raises(ValueError, match=r"body_hour\[1\] = nan"):
        ump(np.array([1.0, np.nan]), 0.0, DT)
    with pytest.raises(ValueError, match=r"s0 = inf"):
        ump(hours, 0.0, DT, s0=np.inf)
    with pytest.raises(ValueError, match="expected a UMPParams"):
        ump(hours, 0.0, DT, params={"upper": 24.0})
    with pytest.raises(ValueError, match=r"tau_s = 2\.0 h must be below tau_la"):
        UMPParams(tau_s=2.0, tau_la=2.0)
    with pytest.raises(ValueError, match=r"UMPParams.tau_w = -1.0"):
        UMPParams(tau_w=-1.0)
    assert UMPParams().tau_la == pytest.approx(4.06 * 24)
