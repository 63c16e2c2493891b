"""Banister model: published values, closed forms, an independent solver, invariants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calibration import example_athlete
from physiology.fitness_fatigue import BanisterParams, banister, banister_response_times
from tests.oracles import banister_sum, clarke_skiba_fig6_load
from tests.strategies import loads, records

# Clarke & Skiba 2013 Fig. 6 (DESIGN.md): day -> p(day), same-day convention.
FIG6 = {1: 400.0, 2: 315.3966, 12: 18.2080, 37: 501.9891, 100: 1080.9917,
        134: 1595.1603, 200: 652.6825}


def test_clarke_skiba_fig6(backend):
    """Published to 4 decimals, so 1e-4 absolute is the rounding of the reference."""
    r = banister(clarke_skiba_fig6_load(), BanisterParams(), backend=backend)
    days = list(FIG6)
    np.testing.assert_allclose(r.performance[days], list(FIG6.values()), rtol=0, atol=1e-4)
    assert int(np.argmin(r.performance[1:30])) + 1 == 12       # the published minimum
    assert int(np.argmax(r.performance)) == 134                 # the published peak
    np.testing.assert_allclose(r.performance, 500 + r.fitness - r.fatigue, rtol=1e-14)


def test_clarke_skiba_fig8_published_fit(backend):
    """The published fit to the real cyclist gives SSE 20.25 W^2 and R^2 0.9792.

    The parameters are published to 6 significant figures and SSE to 4, so SSE is
    checked to 0.01 W^2 and R^2 to 1e-4.
    """
    d = example_athlete()
    p = BanisterParams(p0=261.927, k1=0.182582, k2=0.230163, tau1=35.821, tau2=21.340)
    perf = banister(d["load_au"], p, backend=backend).performance
    tested = np.isfinite(d["test_power_w"])
    y = d["test_power_w"][tested]
    sse = np.sum((y - perf[tested]) ** 2)
    assert sse == pytest.approx(20.25, abs=0.01)
    assert 1 - sse / np.sum((y - y.mean()) ** 2) == pytest.approx(0.9792, abs=1e-4)
    t_n, t_g = banister_response_times(p)                       # published 12.22 d, 39.57 d
    assert t_n == pytest.approx(12.22, abs=0.01) and t_g == pytest.approx(39.57, abs=0.01)


def test_impulse_response_closed_form(backend):
    """A single load's response is k1 e^{-t/tau1} - k2 e^{-t/tau2} exactly at whole days."""
    p = BanisterParams(p0=0.0, k1=1.3, k2=2.1, tau1=31.0, tau2=9.0)
    load = np.zeros(120)
    load[0] = 1.0
    t = np.arange(120)
    expected = 1.3 * np.exp(-t / 31.0) - 2.1 * np.exp(-t / 9.0)
    np.testing.assert_allclose(banister(load, p, backend=backend).performance, expected,
                               rtol=0, atol=1e-14)
    nxt = banister(load, p, convention="next-day", backend=backend).performance
    np.testing.assert_allclose(nxt[1:], expected[1:], rtol=0, atol=1e-14)
    assert nxt[0] == 0.0
    # The discrete response crosses zero and peaks where the continuous one does.
    t_n, t_g = banister_response_times(p)
    fine = banister(np.r_[1.0, np.zeros(199)], p).performance
    assert np.isfinite(t_n) and np.isfinite(t_g)
    assert np.argmax(fine) in (np.floor(t_g), np.ceil(t_g))
    assert np.argmax(fine > 0) == np.ceil(t_n)


@given(load=loads(shapes=((60,),)), p=records(BanisterParams), lag=st.sampled_from([0, 1]))
def test_matches_direct_double_sum(load, p, lag):
    """Recursion vs the O(T^2) summation of the definition; 1e-12 relative to the largest
    term (60-term sums in different orders differ by ~60 ulp of that term)."""
    conv = ("same-day", "next-day")[lag]
    got = banister(load, p, convention=conv).performance
    ref = banister_sum(load, p.p0, p.k1, p.k2, p.tau1, p.tau2, lag)
    scale = p.p0 + (p.k1 + p.k2) * load.sum() + 1.0
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * scale)


@given(a=loads(shapes=((50,),)), b=loads(shapes=((50,),)), c=st.floats(0.0, 10.0),
       p=records(BanisterParams))
def test_linear_in_load(a, b, c, p):
    """p - p0 is linear in the load: superposition and scaling (linear time-invariant).
    Tolerance 1e-12 of the largest term: p0 is added before it is subtracted again."""
    r = lambda w: banister(w, p).performance - p.p0  # noqa: E731
    scale = p.p0 + (p.k1 + p.k2) * (a.sum() + c * b.sum()) + 1.0
    np.testing.assert_allclose(r(a + c * b), r(a) + c * r(b), rtol=0, atol=1e-12 * scale)


@given(load=loads(shapes=((50,),)), shift=st.integers(1, 20), p=records(BanisterParams))
def test_time_invariant(load, shift, p):
    """Delaying the load by d days delays the response by d days (zero state before)."""
    delayed = np.r_[np.zeros(shift), load]
    np.testing.assert_allclose(banister(delayed, p).performance[shift:],
                               banister(load, p).performance, rtol=1e-12, atol=1e-9)


def test_next_day_is_same_day_of_previous_day_decayed():
    """Next-day fitness on day t equals same-day fitness of day t-1 times e^{-1/tau1}."""
    load = clarke_skiba_fig6_load()
    p = BanisterParams()
    same = banister(load, p)
    nxt = banister(load, p, convention="next-day")
    np.testing.assert_allclose(nxt.fitness[1:], same.fitness[:-1] * np.exp(-1 / p.tau1),
                               rtol=1e-13)
    np.testing.assert_allclose(nxt.fatigue[1:], same.fatigue[:-1] * np.exp(-1 / p.tau2),
                               rtol=1e-13)


def test_batches_over_athletes_and_parameter_sets(backend):
    """(athletes, parameter sets, T): each entry equals its own single-series run."""
    rng = np.random.default_rng(7)
    load = rng.uniform(0, 200, (4, 1, 90))
    p = BanisterParams(tau1=np.array([20.0, 35.0, 50.0]), k2=np.array([1.5, 2.0, 2.5]))
    r = banister(load, p, backend=backend)
    assert r.performance.shape == (4, 3, 90)
    for i in range(4):
        for j in range(3):
            one = banister(load[i, 0], BanisterParams(tau1=p.tau1[j], k2=p.k2[j]),
                           backend=backend)
            np.testing.assert_array_equal(r.performance[i, j], one.performance)


def test_peak_without_a_negative_phase():
    """k1 = k2: never negative (no t_n) but still peaks where d/dt = 0 (t_g finite)."""
    p = BanisterParams(p0=0.0, k1=1.0, k2=1.0, tau1=27.0, tau2=10.0)
    t_n, t_g = banister_response_times(p)
    assert np.isnan(t_n)
    assert t_g == pytest.approx(27 * 10 / 17 * np.log(2.7), rel=1e-15)
    response = banister(np.r_[1.0, np.zeros(60)], p).performance
    assert int(np.argmax(response)) in (int(np.floor(t_g)), int(np.ceil(t_g)))
