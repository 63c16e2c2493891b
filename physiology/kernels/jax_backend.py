"""JAX backend: the kernel's own code objects under ``lax.scan``, batch as array lanes.

The scalar code is run unchanged with its ``ops`` global bound to
:mod:`physiology.kernels.jax_ops`; every state, input and constant is a ``(batch,)``
array, so one traced step advances the whole batch. The flat rows the function is given
become the kernel's named tuples (``Params``, ``State``, ``Inputs``) before the kernel
code sees them, and its named outputs and state are stacked back in leaf order. Float64
is enabled only inside the backend's calls (:func:`x64`, a context manager): importing
this package never changes global JAX settings.

:func:`jax_function` returns the pure, traceable function (for ``grad``, ``vmap`` and
``jit`` in calibration and planning); :func:`run_jax` is what :func:`physiology.kernels.run` calls.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from physiology.kernels import jax_ops, ode, ops
from physiology.kernels.helpers import helpers_named
from physiology.kernels.spec import Kernel
from physiology.kernels.structure import flatten, unflatten


@functools.cache
def _rebind(fn: types.FunctionType) -> types.FunctionType:
    """The same code object, with its ``ops`` global bound to the JAX ops and every
    helper it calls replaced by that helper's own rebound Python code."""
    scope = {**fn.__globals__, "ops": jax_ops}
    helpers = helpers_named(fn)
    for name in fn.__code__.co_names:
        value = fn.__globals__.get(name)
        if name in helpers:
            scope[name] = _rebind(helpers[name])
        elif isinstance(value, types.ModuleType) and value is not ops:
            raise TypeError(f"{fn.__qualname__}: kernel code reaches module {name!r}; use "
                            "ops for math and import helpers by name")
        elif hasattr(value, "py_func"):
            raise TypeError(f"{fn.__qualname__}: {name!r} is compiled by Numba but not a "
                            "declared helper (declare it with physiology.kernels.helper)")
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)


def _lanes(values, n_b: int):
    """Every leaf of a (nested) tuple as a ``(batch,)`` float64 array."""
    return jax.tree_util.tree_map(
        lambda v: jnp.broadcast_to(jnp.asarray(v, dtype=jnp.float64), (n_b,)), values)


@functools.cache
def jax_function(kernel: Kernel) -> Callable:
    """Pure function ``f(u, p, s0) -> (outputs, final_state)`` of JAX arrays.

    Shapes: ``u`` (n_inputs, B, T), ``p`` (n_params, B), ``s0`` (n_state, B), rows in the
    leaf order of the kernel's named tuples (``kernel.inputs``, ``kernel.params``,
    ``kernel.state``); returns outputs (n_outputs, B, T) and final state (n_state, B).
    Call it under :func:`x64` for float64.
    """
    prepare = _rebind(kernel.prepare)
    if kernel.step is not None:
        step = _rebind(kernel.step)
    else:  # the RK4 step of an ODE kernel, from the same source Numba compiles
        scope = {"_drive": _rebind(kernel.drive), "_rhs": _rebind(kernel.rhs),
                 "_State": kernel.State}
        exec(ode.rk4_source(kernel.State), scope)
        step = scope["_ode_step"]

    def f(u, p, s0):
        n_b = u.shape[1]
        c, s = prepare(unflatten(kernel.Params, list(p)), unflatten(kernel.State, list(s0)))
        c = _lanes(c, n_b)

        def body(s, u_t):
            s, y = step(s, unflatten(kernel.Inputs, list(u_t)), c)
            return _lanes(s, n_b), jnp.stack(flatten(_lanes(y, n_b)))

        s_end, ys = jax.lax.scan(body, _lanes(s, n_b), jnp.moveaxis(u, 2, 0))
        leaves = flatten(s_end)
        final = jnp.stack(leaves) if leaves else jnp.zeros((0, n_b))
        return jnp.moveaxis(ys, 0, 2), final

    return f


@functools.cache
def _jitted(kernel: Kernel) -> Callable:
    return jax.jit(jax_function(kernel))


def x64():
    """Context manager enabling float64 for the calls inside it only.

    ``jax.enable_x64`` where this JAX has it at top level, else the older
    ``jax.experimental.enable_x64``.
    """
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64

    return enable_x64()


def run_jax(kernel: Kernel, u: np.ndarray, p: np.ndarray, s0: np.ndarray):
    """Run on flattened arrays: u (n_in, B, T), p (n_p, B), s0 (n_s, B)."""
    with x64():
        out, s_end = _jitted(kernel)(jnp.asarray(u), jnp.asarray(p), jnp.asarray(s0))
        return np.asarray(out), np.asarray(s_end)
