"""Array-expression models: written once against an array namespace, run on either.

Some metrics are not recursions but window statistics (rolling means, standard
deviations). They are written once as ``fn(xp, *arrays, **static)`` using only
operations that ``numpy`` and ``jax.numpy`` share. ``backend="numba"`` evaluates them
with NumPy (vectorised; there is no time loop to compile), ``backend="jax"`` traces them
with ``jax.numpy`` under ``jit`` (float64, static window lengths).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from physiology.kernels.spec import BACKENDS


@functools.cache
def _jitted(fn: Callable, static: tuple) -> Callable:
    import jax
    import jax.numpy as jnp

    return jax.jit(functools.partial(fn, jnp, **dict(static)))


def run_array(fn: Callable, backend: str, *arrays: np.ndarray, **static) -> tuple[np.ndarray, ...]:
    """Evaluate ``fn(xp, *arrays, **static)`` on the backend; NumPy arrays in and out."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: expected one of {BACKENDS}")
    if backend == "numba":
        return tuple(np.asarray(r) for r in fn(np, *arrays, **static))
    from physiology.kernels.jax_backend import x64

    with x64():
        out = _jitted(fn, tuple(sorted(static.items())))(*arrays)
        return tuple(np.asarray(r) for r in out)
