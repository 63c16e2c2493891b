"""Numba and JAX compile the same source: they must agree, batched and unbatched.

Tolerance 1e-10 relative to each output's largest magnitude (plus 1e-10 absolute for
outputs near zero): the two compilers may use different exp implementations and FMA
contraction (a few ulp per step); over 40 steps that stays below 1e-13, so 1e-10 leaves
room without hiding a real divergence (a wrong index or convention gives O(1) errors).
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from physiology import fitness_fatigue as ff
from physiology import load as ld
from tests.strategies import loads, records

CONV = st.sampled_from(["same-day", "next-day"])


def assert_agree(a, b):
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
        scale = np.nanmax(np.abs(x), initial=0.0)
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-10 * max(scale, 1.0), equal_nan=True)


def _run_both(fn, *args, **kw):
    return fn(*args, backend="numba", **kw), fn(*args, backend="jax", **kw)


MODELS = [(ff.banister, ff.BanisterParams), (ff.busso, ff.BussoParams),
          (ff.calvert, ff.CalvertParams), (ff.perpot, ff.PerPotParams)]


@given(load=loads(), model=st.sampled_from(MODELS), conv=CONV, data=st.data())
def test_fitness_fatigue_models_agree(load, model, conv, data):
    fn, record = model
    batched = data.draw(st.booleans())
    batch = load.shape[:-1] if batched else ()
    p = data.draw(records(record, batch))
    assert_agree(*_run_both(fn, load, p, convention=conv))


@given(load=loads(), ctl=st.floats(2, 60), atl=st.floats(1, 14),
       decay=st.sampled_from(["exp", "1/N", "2/(N+1)"]))
def test_pmc_agrees(load, ctl, atl, decay):
    assert_agree(*_run_both(ld.pmc, load, ctl, atl, decay=decay))


@given(load=loads(), method=st.sampled_from(["rolling", "ewma"]), coupled=st.booleans(),
       windows=st.sampled_from([(7, 28), (3, 21), (1, 2)]))
def test_acwr_agrees(load, method, coupled, windows):
    a, c = windows
    assert_agree([ld.acwr(load, a, c, method, coupled, backend="numba")],
                 [ld.acwr(load, a, c, method, coupled, backend="jax")])


@given(load=loads(), window=st.sampled_from([2, 7, 14]), ddof=st.sampled_from([0, 1]))
def test_monotony_strain_agree(load, window, ddof):
    for fn in (ld.monotony, ld.strain):
        assert_agree([fn(load, window, ddof=ddof, backend="numba")],
                     [fn(load, window, ddof=ddof, backend="jax")])



@given(model=st.sampled_from(MODELS), data=st.data())
def test_parameter_batch_larger_than_load_batch(model, data):
    """One load, many parameter sets: (3, 40) load against (2, 3) parameters -> (2, 3, 40)."""
    fn, record = model
    load = data.draw(loads(shapes=((3, 40),)))
    p = data.draw(records(record, (2, 3)))
    a, b = _run_both(fn, load, p)
    assert a[0].shape == (2, 3, 40)
    assert_agree(a, b)


@given(load=loads(shapes=((3, 40),)))
def test_pmc_time_constants_per_athlete(load):
    assert_agree(*_run_both(ld.pmc, load, np.array([28.0, 42.0, 56.0]), np.array([5.0, 7.0, 9.0])))
