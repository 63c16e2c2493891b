"""The scalar math that model kernels may use, as seen by the Numba backend.

Kernel code (a model's ``prepare`` and ``step``) reaches math only through the module
global ``ops`` bound to this module, for example ``ops.exp(-1.0 / tau)`` or
``ops.where(x > 0, a, b)``. Numba compiles those calls as they stand; the JAX backend
runs the same code objects with ``ops`` bound to :mod:`physiology.kernels.jax_ops`,
which has the same names over ``jax.numpy``. ``where`` selects without branching, so the
same code traces under JAX and vectorises under Numba.

This module holds the math and nothing else: shared equations are declared with
:func:`physiology.kernels.helper`, cache keys come from :mod:`physiology.kernels.cache_key`.
"""

import math

import numpy as np
from numba import njit

exp = math.exp
expm1 = math.expm1
log = math.log
sqrt = math.sqrt
sin = math.sin
cos = math.cos
atan2 = math.atan2
pi = math.pi


@njit(inline="always", error_model="numpy")
def where(cond, a, b):  # pragma: no cover - compiled
    return a if cond else b


@njit(inline="always", error_model="numpy")
def minimum(a, b):  # pragma: no cover - compiled
    return a if a < b else b


@njit(inline="always", error_model="numpy")
def maximum(a, b):  # pragma: no cover - compiled
    return a if a > b else b


@njit(inline="always", error_model="numpy")
def floor(x):  # pragma: no cover - compiled
    return np.floor(x)  # a float, as jnp.floor (math.floor would give an int)
