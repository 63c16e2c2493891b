"""The single entry point: run a kernel over time for a batch, on either backend."""

from __future__ import annotations

import numpy as np

from physiology.kernels.spec import BACKENDS, Backend, Kernel
from physiology.kernels.structure import flatten, paths, unflatten

__all__ = ["run"]


def _leaves(kernel: Kernel, role: str, value) -> list:
    """The leaves of ``value``: an instance of the kernel's ``role`` type, or a flat
    sequence in its :func:`paths` order."""
    cls = getattr(kernel, role)
    names = paths(cls)
    if hasattr(value, "_fields") and not isinstance(value, cls):
        raise TypeError(f"kernel {kernel.name}: {role} given as {type(value).__name__} "
                        f"({', '.join(value._fields)}); expected {cls.__name__} or a flat "
                        "sequence in its leaf order")
    leaves = flatten(value) if isinstance(value, cls) else list(value)
    if len(leaves) != len(names):
        raise ValueError(f"kernel {kernel.name}: expected {role} ({', '.join(names)}), "
                         f"got {len(leaves)} values")
    return leaves


def input_rows(arrays: list[np.ndarray], batch: tuple[int, ...]):
    """The inputs as one table of rows, ``(R, T)``, and ``index`` ``(n_in, B)``: the row
    of input ``k`` for trajectory ``b`` of the flattened batch.

    Each input contributes its own rows only (an input constant over the draws is one row
    per athlete and point, not one per draw), so the table is the size of the inputs as
    given, not of the batch: broadcasting is done by the index, and ``table[index]`` is
    the stacked ``(n_in, B, T)`` array of every input broadcast to the batch.
    """
    n_b, n_t = int(np.prod(batch)), arrays[0].shape[-1]
    index = np.empty((len(arrays), n_b), np.int64)
    rows, start = [], 0
    for k, a in enumerate(arrays):
        own = a.shape[:-1]
        n = int(np.prod(own))
        rows.append(a.reshape(n, n_t))
        index[k] = np.broadcast_to(np.arange(start, start + n).reshape(own), batch).reshape(n_b)
        start += n
    table = np.concatenate(rows) if rows else np.zeros((0, n_t))
    return table, index


def _flat_out(kernel: Kernel, out: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``out`` checked (``run``'s docstring) and viewed as ``(n_outputs, B, T)``."""
    want = (len(kernel.outputs), *shape)
    if (not isinstance(out, np.ndarray) or out.shape != want or out.dtype != np.float64
            or not out.flags.c_contiguous or not out.flags.writeable):
        got = (f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray)
               else type(out).__name__)
        raise ValueError(f"kernel {kernel.name}: out must be a writeable C-contiguous "
                         f"float64 array of shape {want}, got {got}")
    return out.reshape(want[0], -1, want[-1])


def run(kernel: Kernel, inputs, params, state0=None, *, backend: Backend = "numba",
        out: np.ndarray | None = None):
    """Run a kernel over time for a batch.

    Args:
        kernel: the model.
        inputs: a ``kernel.Inputs`` (or a flat sequence in its leaf order) of arrays of shape
            ``(*batch, T)``; they and the parameters broadcast to a common batch shape.
        params: a ``kernel.Params`` (or a flat sequence in its leaf order), each value
            scalar or broadcastable to the batch.
        state0: initial ``kernel.State`` (or flat sequence); default all zero.
        backend: ``"numba"`` or ``"jax"``.
        out: optional memory for the outputs, a C-contiguous float64 array of shape
            ``(n_outputs, *batch, T)``; the returned outputs are views of it. A caller
            running many batches of one shape passes the same array each time and so
            touches fresh pages once, not once a batch (on the standard sweep the page
            faults of a chunk's 200 MB of fresh outputs were about a fifth of the day
            kernel's time). Numba writes into it; JAX's result is copied in.

    Returns:
        ``(outputs, final_state)``: a ``kernel.Outputs`` of arrays ``(*batch, T)`` and a
        ``kernel.State`` of arrays ``(*batch)``, float64 NumPy arrays (each output a view
        of one contiguous block, ``np.stack`` not needed to reduce over them).

    Raises:
        ValueError: an unknown backend, values that do not match the kernel's fields, or
            batch shapes that do not broadcast (naming each).
        TypeError: a named tuple of another type where the kernel's is expected.
        TypeError: a named tuple of another type where the kernel's is expected.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: expected one of {BACKENDS}")
    arrays = [np.asarray(x, dtype=np.float64) for x in _leaves(kernel, "Inputs", inputs)]
    params = _leaves(kernel, "Params", params)
    state0 = [0.0] * len(kernel.state) if state0 is None else _leaves(kernel, "State", state0)
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
    flat_out = None if out is None else _flat_out(kernel, out, (*batch, n_t))
    u, index = input_rows(arrays, batch)
    p = np.stack([np.broadcast_to(np.asarray(v, np.float64), batch).reshape(n_b)
                  for v in params])
    s0 = np.stack([np.broadcast_to(np.asarray(v, np.float64), batch).reshape(n_b)
                   for v in state0]) if state0 else np.zeros((0, n_b))
    if backend == "numba":
        from physiology.kernels.numba_backend import run_numba

        y, s_end = run_numba(kernel, u, p, s0, index=index, out=flat_out)
    else:
        from physiology.kernels.jax_backend import run_jax

        y, s_end = run_jax(kernel, u[index], p, s0)  # stacked (n_in, B, T)
        if flat_out is not None:
            flat_out[...] = y
            y = flat_out
    return (unflatten(kernel.Outputs, y.reshape(len(kernel.outputs), *batch, n_t)),
            unflatten(kernel.State, s_end.reshape(len(kernel.state), *batch)))
