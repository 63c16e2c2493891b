"""Hypothesis strategies for daily loads and parameter records."""

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from physiology.params import ParamRecord

#: Few shapes, so JAX compiles each kernel a few times, not once per example.
SHAPES = ((40,), (3, 40), (2, 2, 40))

# Loads are 0 or at least 1e-6 AU: XLA on CPU flushes subnormal floats to zero and NumPy
# and Numba do not, so loads near 1e-300 (no physical meaning) can make the backends
# differ in whether a ratio is 0/0; everything from 1e-6 AU up is compared.
load_values = st.one_of(st.just(0.0), st.floats(1e-6, 1000.0))


@st.composite
def loads(draw, shapes=SHAPES):
    """A non-negative daily load of one of the fixed shapes, with some rest days."""
    shape = draw(st.sampled_from(shapes))
    x = draw(arrays(np.float64, shape, elements=load_values))
    rest = draw(arrays(np.bool_, shape))
    return np.where(rest, 0.0, x)


@st.composite
def records(draw, record: type[ParamRecord], batch: tuple[int, ...] = ()):
    """A record with every field drawn inside its plausible bounds (scalar or batch)."""
    values = {}
    for name, p in record.spec().items():
        lo, hi = p.bounds
        elems = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        values[name] = (draw(arrays(np.float64, batch, elements=elems)) if batch
                        else draw(elems))
    try:
        return record(**values)
    except ValueError:          # a cross-field rule (e.g. Calvert's tau3 < tau1)
        reject()
