"""Busso and Calvert models against their summation forms and closed forms."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from physiology.fitness_fatigue import (
    BanisterParams,
    BussoParams,
    CalvertParams,
    banister,
    busso,
    calvert,
)
from tests.oracles import busso_sum, calvert_sum
from tests.strategies import loads, records

CONVENTIONS = ("same-day", "next-day")


@given(load=loads(shapes=((60,),)), p=records(BussoParams), lag=st.sampled_from([0, 1]))
def test_busso_matches_published_summation(load, p, lag):
    """Busso 2003 eq.: k2(i) fixed at session i, including day i; fatigue sums k2(i) w_i.
    Tolerance 1e-12 of the largest term (sums of 60 terms up to ~1e10)."""
    r = busso(load, p, convention=CONVENTIONS[lag])
    ref, k2 = busso_sum(load, p.p0, p.k1, p.k3, p.tau1, p.tau2, p.tau3, lag)
    scale = p.p0 + p.k1 * load.sum() + k2.max() * load.sum() + 1.0
    np.testing.assert_allclose(r.performance, ref, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(r.k2, k2, rtol=1e-12, atol=1e-300)


def test_busso_steady_state_gain():
    """Under a constant load w, k2 -> k3 w / (1 - e^{-1/tau3}); the default k3 is set so
    this equals Banister's default k2 = 2 at 100 AU/d (its documented source)."""
    r = busso(np.full(400, 100.0), BussoParams())
    assert abs(r.k2[-1] - 2.0) < 1e-3       # k3 is given to 4 significant figures


def test_busso_without_fatigue_gain_is_fitness_only(backend):
    """k3 = 0 removes fatigue: performance = Banister with k2 = 0."""
    load = np.random.default_rng(3).uniform(0, 300, 80)
    r = busso(load, BussoParams(k3=0.0), backend=backend)
    ref = banister(load, BanisterParams(k2=0.0), backend=backend)
    np.testing.assert_allclose(r.performance, ref.performance, rtol=1e-15)
    assert np.all(r.fatigue == 0)


@given(load=loads(shapes=((60,),)), p=records(CalvertParams), lag=st.sampled_from([0, 1]))
def test_calvert_matches_summation(load, p, lag):
    r = calvert(load, p, convention=CONVENTIONS[lag])
    ref = calvert_sum(load, p.p0, p.k1, p.k2, p.tau1, p.tau2, p.tau3, lag)
    scale = p.p0 + (p.k1 + p.k2) * load.sum() + 1.0
    np.testing.assert_allclose(r.performance, ref, rtol=0, atol=1e-12 * scale)


def test_calvert_fitness_rises_then_decays(backend):
    """Fitness of a unit load: k1 (e^{-t/tau1} - e^{-t/tau3}), zero on the day, peaking
    at tau1 tau3 / (tau1 - tau3) ln(tau1 / tau3) days (closed form)."""
    p = CalvertParams(k1=1.0, tau1=40.0, tau3=4.0)
    load = np.zeros(150)
    load[0] = 1.0
    fit = calvert(load, p, backend=backend).fitness
    t = np.arange(150)
    np.testing.assert_allclose(fit, np.exp(-t / 40.0) - np.exp(-t / 4.0), rtol=0, atol=1e-15)
    peak = 40.0 * 4.0 / 36.0 * np.log(10.0)
    assert fit[0] == 0 and int(np.argmax(fit)) in (int(np.floor(peak)), int(np.ceil(peak)))
