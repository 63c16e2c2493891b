"""PerPot: conservation, bounds and the saturated equilibrium that follow from its flows."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from physiology.fitness_fatigue import PerPotParams, perpot
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
