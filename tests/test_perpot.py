"""PerPot: conservation, bounds and the saturated equilibrium that follow from its flows."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from physiology.fitness_fatigue import PerPotParams, perpot
from tests.oracles import perpot_printed
from tests.strategies import loads, records


@given(load=loads(shapes=((80,),)), p=records(PerPotParams),
       conv=st.sampled_from(["same-day", "next-day"]))
def test_invariants(load, p, conv):
    """Summing the updates: PP - SP + RP is constant (to rounding, 1e-12 per day of
    potentials of order load_scale * sum(load)); delays >= 1 d keep SP, RP >= 0 and
    PP <= 1."""
    r = perpot(load, p, convention=conv)
    total = r.performance_potential - r.strain_potential + r.response_potential
    scale = 1.0 + p.load_scale * load.sum()
    np.testing.assert_allclose(total, p.pp0, rtol=0, atol=1e-13 * scale * len(load))
    assert np.all(r.strain_potential >= -1e-15) and np.all(r.response_potential >= -1e-15)
    assert np.all(r.performance_potential <= 1.0 + 1e-15)
    np.testing.assert_allclose(r.performance, p.p_max * r.performance_potential, rtol=1e-15)


def test_rest_keeps_the_starting_state(backend):
    r = perpot(np.zeros(30), PerPotParams(pp0=0.37), backend=backend)
    assert np.all(r.performance_potential == 0.37)


def test_saturated_equilibrium():
    """With both buffers full (SP, RP >= 1) and overflow negligible, the flows balance
    where PP / DS = (1 - PP) / DR, so PP -> DS / (DS + DR) (algebra of the rate
    equations). D_SO = 1e12 d makes the overflow < 1e-9 per day, hence the 1e-6."""
    p = PerPotParams(ds=4.0, dr=2.0, dso=1e12, load_scale=1.0)
    r = perpot(np.full(400, 0.5), p)
    assert np.all(r.strain_potential[50:] >= 1.0) and np.all(r.response_potential[50:] >= 1.0)
    np.testing.assert_allclose(r.performance_potential[-1], 4.0 / 6.0, atol=1e-6)


def test_overflow_collapses_performance():
    """Loading beyond capacity overflows strain and lowers PP below a moderate plan."""
    p = PerPotParams(load_scale=1.0)
    moderate = perpot(np.full(60, 0.2), p).performance_potential
    overload = perpot(np.full(60, 1.5), p).performance_potential
    assert overload[-1] < moderate[-1] and overload.min() < 0.2


def test_hand_worked_traces(backend):
    """D_S 2, D_R 4, D_SO 1, PP0 0.5, one load of 0.4 on day 0 (worked by hand):
    next-day  PP = 0.5, 0.4, 0.375 (flows see the buffers before the load);
    same-day  PP = 0.4, 0.375, 0.38125 (the load is in the buffers before they drain)."""
    p = PerPotParams(ds=2.0, dr=4.0, dso=1.0, pp0=0.5, load_scale=1.0)
    load = np.array([0.4, 0.0, 0.0])
    nxt = perpot(load, p, convention="next-day", backend=backend).performance_potential
    same = perpot(load, p, backend=backend).performance_potential
    np.testing.assert_allclose(nxt, [0.5, 0.4, 0.375], rtol=0, atol=1e-15)
    np.testing.assert_allclose(same, [0.4, 0.375, 0.38125], rtol=0, atol=1e-15)


def test_hand_worked_overflow(backend):
    """Load 1.5 into empty buffers (D_S 2, D_R 4, D_SO 2, PP0 0.5, same-day): strain flow
    min(1, 0.5)/2 = 0.25, response min(1, 0.5)/4 = 0.125, overflow (1.5 - 1)/2 = 0.25, so
    SP = 1.0, RP = 1.375 and PP = 0.5 + 0.125 - 0.25 - 0.25 = 0.125."""
    p = PerPotParams(ds=2.0, dr=4.0, dso=2.0, pp0=0.5, load_scale=1.0)
    r = perpot(np.array([1.5]), p, backend=backend)
    np.testing.assert_allclose([r.strain_potential[0], r.response_potential[0],
                                r.performance_potential[0]], [1.0, 1.375, 0.125], atol=1e-15)


@given(load=loads(shapes=((60,),)), p=records(PerPotParams))
def test_next_day_matches_printed_update(load, p):
    """Against a plain-Python transcription of the printed update (an independent
    implementation); 1e-12 absolute on potentials of order 1 + s_L sum(load)."""
    ref = perpot_printed(p.load_scale * load, p.ds, p.dr, p.dso, p.pp0)
    got = perpot(load, p, convention="next-day").performance_potential
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * (1 + p.load_scale * load.sum()))


@given(load=loads(shapes=((60,),)), p=records(PerPotParams))
def test_same_day_is_next_day_one_day_earlier(load, p):
    """From empty buffers the first next-day flows are zero, so next-day PP on day i+1
    equals same-day PP on day i (the two orders of "add load, then drain")."""
    same = perpot(load, p).performance_potential
    nxt = perpot(load, p, convention="next-day").performance_potential
    np.testing.assert_allclose(nxt[1:], same[:-1], rtol=0,
                               atol=1e-12 * (1 + p.load_scale * load.sum()))


def test_final_state_continues_a_run(backend):
    """Days 0-39 then 40-79 from the returned state equal one 80-day run (pp0 is the
    initial state, counted once)."""
    from physiology.fitness_fatigue._perpot import KERNEL
    from physiology.kernels import run

    p = PerPotParams(load_scale=0.01)
    params = (*p.values(), 0.0)
    load = np.random.default_rng(8).uniform(0, 100, 80)
    whole, _ = run(KERNEL, (load,), params, (0.0, 0.0, p.pp0), backend=backend)
    first, mid = run(KERNEL, (load[:40],), params, (0.0, 0.0, p.pp0), backend=backend)
    second, _ = run(KERNEL, (load[40:],), params, tuple(mid), backend=backend)
    np.testing.assert_allclose(np.concatenate([np.stack(first), np.stack(second)], -1),
                               np.stack(whole), rtol=0, atol=1e-15)
    np.testing.assert_allclose(whole.performance_potential,
                               perpot(load, p, backend=backend).performance_potential,
                               rtol=0, atol=0)
