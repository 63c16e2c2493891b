"""One kernel source, two compilers: the declaration every step model makes.

A model's physics is two plain scalar Python functions in its own module:

``prepare(p, s0) -> (c, s)``
    From the parameter tuple ``p`` (the model's parameters in declared order, then any
    options) and the initial state ``s0``, the constants ``c`` the step needs (decay
    factors, say, so no ``exp`` runs inside the time loop) and the first state ``s``.
``step(s, u, c) -> (s, y)``
    One time step: the state before the step, the step's inputs ``u`` (a tuple), the
    constants; returns the state after the step and the step's outputs ``y`` (a tuple).

Both use only arithmetic and the functions of the ``ops`` module global (see
:mod:`physiology._compile.scalar_ops`); tuples hold floats only. The Numba backend
compiles them inside a generated batch loop (``prange`` over the batch, a sequential
loop over time); the JAX backend runs them under ``lax.scan`` with every element a
``(batch,)`` array. :func:`run` is the single entry point, taking NumPy arrays with
leading batch dimensions and a ``backend`` keyword.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from physiology._compile import scalar_ops

__all__ = ["BACKENDS", "Kernel", "ode_kernel", "run"]

Backend = Literal["numba", "jax"]
BACKENDS: tuple[str, ...] = ("numba", "jax")


@dataclass(frozen=True)
class Kernel:
    """A step model: its scalar functions and the names of what flows through them.

    Either ``step`` is given, or ``drive`` and ``rhs`` are (an ODE model, whose step is
    the RK4 scheme of :mod:`physiology._compile.ode`; its outputs are its state).
    """

    name: str
    prepare: Callable
    step: Callable | None
    params: tuple[str, ...]
    state: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    drive: Callable | None = None
    rhs: Callable | None = None

    def __post_init__(self) -> None:
        ode = self.drive is not None and self.rhs is not None
        if (self.step is None) != ode:
            raise TypeError(f"kernel {self.name}: give either step, or drive and rhs")
        if ode and self.outputs != self.state:
            raise TypeError(f"kernel {self.name}: an ODE kernel's outputs are its state")
        for fn in (f for f in (self.prepare, self.step, self.drive, self.rhs) if f):
            if not isinstance(fn, types.FunctionType) or fn.__closure__:
                raise TypeError(f"kernel {self.name}: {fn!r} must be a module-level function "
                                "(no closure), so both compilers can take its code")
            if fn.__qualname__ != fn.__name__:
                raise TypeError(f"kernel {self.name}: {fn.__qualname__} must be module-level")
            uses_ops = "ops" in fn.__code__.co_names
            if uses_ops and fn.__globals__.get("ops") is not scalar_ops:
                raise TypeError(f"kernel {self.name}: the module of {fn.__name__} must import "
                                "physiology._compile.scalar_ops as ops (the name the JAX "
                                "backend rebinds)")


def ode_kernel(name: str, prepare: Callable, drive: Callable, rhs: Callable,
               params: tuple[str, ...], state: tuple[str, ...],
               inputs: tuple[str, ...]) -> Kernel:
    """A :class:`Kernel` stepping ``ds/dt = rhs(s, d, k)`` by RK4 (:mod:`.ode`)."""
    return Kernel(name=name, prepare=prepare, step=None, params=params, state=state,
                  inputs=inputs, outputs=state, drive=drive, rhs=rhs)


def run(
    kernel: Kernel,
    inputs: Sequence[np.ndarray],
    params: Sequence[np.ndarray | float],
    state0: Sequence[np.ndarray | float] | None = None,
    *,
    backend: Backend = "numba",
) -> tuple[np.ndarray, np.ndarray]:
    """Run a kernel over time for a batch.

    Args:
        kernel: the model.
        inputs: one array per ``kernel.inputs``, each of shape ``(*batch, T)``; they and
            the parameters broadcast to a common batch shape.
        params: one value per ``kernel.params``, scalar or broadcastable to the batch.
        state0: initial state, one value per ``kernel.state`` (default all zero).
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        ``(outputs, final_state)``: outputs of shape ``(len(kernel.outputs), *batch, T)``,
        final state of shape ``(len(kernel.state), *batch)``, both float64 NumPy arrays.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: expected one of {BACKENDS}")
    if len(inputs) != len(kernel.inputs) or len(params) != len(kernel.params):
        raise ValueError(f"kernel {kernel.name}: expected inputs {kernel.inputs} and "
                         f"params {kernel.params}")
    if state0 is None:
        state0 = (0.0,) * len(kernel.state)
    if len(state0) != len(kernel.state):
        raise ValueError(f"kernel {kernel.name}: expected state0 for {kernel.state}")
    arrays = [np.asarray(x, dtype=np.float64) for x in inputs]
    n_t = arrays[0].shape[-1]
    shapes = {f"{n} (batch dims)": a.shape[:-1]
              for n, a in zip(kernel.inputs, arrays, strict=True)}
    shapes.update({n: np.shape(v) for n, v in zip(kernel.params, params, strict=True)})
    shapes.update({f"state0.{n}": np.shape(v)
                   for n, v in zip(kernel.state, state0, strict=True)})
    try:
        batch = np.broadcast_shapes(*shapes.values())
    except ValueError:
        named = ", ".join(f"{n} {s}" for n, s in shapes.items() if s)
        raise ValueError(f"kernel {kernel.name}: batch shapes do not broadcast: {named}; "
                         "expected parameter arrays broadcastable against the leading "
                         "dimensions of the inputs") from None
    if any(a.shape[-1] != n_t for a in arrays):
        raise ValueError(f"kernel {kernel.name}: inputs differ in length on the time axis")
    n_b = int(np.prod(batch))
    u = np.stack([np.broadcast_to(a, (*batch, n_t)).reshape(n_b, n_t) for a in arrays])
    p = np.stack([np.broadcast_to(np.asarray(v, np.float64), batch).reshape(n_b)
                  for v in params])
    s0 = np.stack([np.broadcast_to(np.asarray(v, np.float64), batch).reshape(n_b)
                   for v in state0]) if state0 else np.zeros((0, n_b))
    if backend == "numba":
        from physiology._compile.numba_backend import run_numba

        out, s_end = run_numba(kernel, u, p, s0)
    else:
        from physiology._compile.jax_backend import run_jax

        out, s_end = run_jax(kernel, u, p, s0)
    return (out.reshape(len(kernel.outputs), *batch, n_t),
            s_end.reshape(len(kernel.state), *batch))
