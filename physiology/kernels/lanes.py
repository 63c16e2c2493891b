"""The lane layout of the Numba batch loop: trajectories as the inner, contiguous loop.

The per-trajectory loop (``prange`` over the batch, time inside) runs one trajectory's
scalar step after another, a chain that LLVM cannot vectorise. The lane layout turns the
loops around: ``prange`` over blocks of :data:`LANES` trajectories, and in each block

.. code-block:: text

    for t:                 # time, in tiles of TILE steps
        for lane:          # the block's trajectories: the loop LLVM vectorises
            s, y = _step(s[lane], u[lane, t], c[lane])

with the prepared constants, the state, and a tile of the inputs and outputs held per lane
in small arrays whose last (contiguous) axis is the lane. Each lane runs the same scalar
float operations, in the same order, as the per-trajectory loop, so the results are equal
bit for bit (LLVM vectorises across lanes, never within one lane's arithmetic: no
reassociation without fast-math, which Numba does not enable here). A block of fewer than
LANES trajectories (the last one) is padded with copies of its last trajectory, so the
lane loop always has the constant trip count LANES; the padded lanes are computed and
dropped. Inputs (rows of the input table, each trajectory's row of each input given by
the index, :func:`physiology.kernels.numba_backend.run_numba`) and outputs (an
``(n, batch, time)`` array) move to and from the tiles ``(n, TILE, LANES)`` once per tile,
a transposition inside the cache.

Holding the constants per lane needs their layout: ``prepare`` returns a named tuple of
the model's own (or plain tuples, nested), which the kernel does not declare. It is read
from one call of ``prepare``'s plain Python code (:func:`consts_tree`) on placeholder
values; a model whose constants are not all floats (an int, a bool), whose classes cannot
be imported by name, or whose ``prepare`` fails on placeholders keeps the per-trajectory
layout only (:func:`consts_tree` returns None).

Whether LLVM vectorises depends on what the step calls: arithmetic and ``ops.where`` (a
select) vectorise; a transcendental (``exp``, ``pow``, ``sin``) has no vector form without
a vector math library (SVML is not available with this Numba build, ``numba -s``), so LLVM
calls it once per lane inside an otherwise vectorised loop.
"""

from __future__ import annotations

import functools
import importlib
import math
import types as pytypes

import numpy as np
from numba import njit

from physiology.kernels import ops
from physiology.kernels.helpers import helpers_named
from physiology.kernels.structure import is_struct, unflatten

#: Trajectories per block: 4 AVX2 vectors of float64, interleaved (chosen, not tuned:
#: other widths were not measured).
LANES = 16

#: Bytes of input and output tile per block: inside the L1/L2 caches.
TILE_BYTES = 32 * 1024

_PY_OPS = pytypes.SimpleNamespace(
    **{name: getattr(value, "py_func", value) for name, value in vars(ops).items()
       if not name.startswith("_") and not isinstance(value, pytypes.ModuleType)})


def _plain(fn):
    """``fn``'s code in plain Python with the ops' Python bodies (no compile)."""
    scope = {**fn.__globals__, "ops": _PY_OPS}
    for name, py in helpers_named(fn).items():
        scope[name] = _plain(py)
    return pytypes.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)


@functools.cache
def inlined(fn):
    """``fn`` compiled to be inlined into its caller by Numba, with every compiled
    function it calls (helpers, the generated module's ``_drive`` and ``_rhs``) inlined
    too, recursively: the lane loop's body is then one function that LLVM can vectorise
    (left as calls, a large right-hand side stays a call per lane). Same code objects,
    so the same float operations; only where they are compiled changes."""
    fn = getattr(fn, "py_func", fn)
    scope = dict(fn.__globals__)
    for name in fn.__code__.co_names:
        value = scope.get(name)
        if hasattr(value, "py_func") and not isinstance(value, pytypes.ModuleType):
            scope[name] = inlined(value.py_func)
    code = pytypes.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)
    return njit(code, inline="always", error_model="numpy")


def consts_tree(kernel):
    """The structure of ``prepare``'s constants and whether an ODE kernel's drive is one
    float: ``(tree, float_drive)``, the tree of ``(cls, children)`` nodes (``cls`` a named
    tuple class, or ``tuple`` for a plain tuple) with ``("leaf", None)`` at each float;
    or None where the lane layout cannot hold the constants (module docstring)."""
    prepare = _plain(kernel.prepare)
    for fill in (1.0, 0.5):
        p = unflatten(kernel.Params, [np.float64(1.0)] * len(kernel.params))
        s0 = unflatten(kernel.State, [np.float64(fill)] * len(kernel.state))
        u = unflatten(kernel.Inputs, [np.float64(fill)] * len(kernel.inputs))
        try:
            with np.errstate(all="ignore"):
                c, _ = prepare(p, s0)
                d = _plain(kernel.drive)(u, c)[0] if kernel.drive is not None else None
        except (ArithmeticError, ValueError):
            continue
        tree = _tree(c)
        return None if tree is None else (tree, isinstance(d, float))
    return None


def _tree(value):
    if isinstance(value, bool | np.bool_ | int | np.integer):
        return None
    if isinstance(value, float):
        return ("leaf", None)
    if not isinstance(value, tuple):
        return None
    cls = type(value)
    if cls is not tuple:
        if not is_struct(cls) or not _importable(cls):
            return None
    children = [_tree(v) for v in value]
    if any(ch is None for ch in children):
        return None
    return (cls, children)


def _importable(cls: type) -> bool:
    try:
        return getattr(importlib.import_module(cls.__module__), cls.__name__, None) is cls
    except ImportError:
        return False


def _leaves(tree, access: str) -> list[str]:
    """Access expressions (``c[0][2]``) of every leaf, depth first."""
    kind, children = tree
    if kind == "leaf":
        return [access]
    return [x for k, ch in enumerate(children) for x in _leaves(ch, f"{access}[{k}]")]


def _rebuild(tree, row: str, start: int, name) -> tuple[str, int]:
    """Source rebuilding the constants from ``row.format(k)`` leaves."""
    kind, children = tree
    if kind == "leaf":
        return row.format(start), start + 1
    parts = []
    for ch in children:
        text, start = _rebuild(ch, row, start, name)
        parts.append(text)
    if kind is tuple:
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")", start
    return f"{name(kind)}({', '.join(parts)})", start


_BLOCK = '''

LANES = {lanes}
TILE = {tile}
_lane_step = _inlined({step_py})


@njit(error_model="numpy")
def _block(u, index, params, state0, out, state_out, b0, n_l):
    n_t = out.shape[2]
    cb = np.empty(({n_c}, LANES))
    sb = np.empty(({n_s}, LANES))
    ub = np.empty(({n_in}, TILE, LANES))
    ob = np.empty(({n_out}, TILE, LANES))
{alloc_d}
    for l in range(LANES):
        b = b0 + min(l, n_l - 1)  # padded lanes repeat the block's last trajectory
        p = params[b]
        s0 = state0[b]
        c, s = _prepare({params}, {state})
{write_c}
{write_s0}
    for t0 in range(0, n_t, TILE):
        n_tt = min(TILE, n_t - t0)
        for l in range(LANES):
            b = b0 + min(l, n_l - 1)
            for tt in range(n_tt):
{read_u}
{drive_pass}
        for tt in range(n_tt):
            for l in range(LANES):
                c = {consts}
                s = {lane_state}
                s, y = _lane_step(s, {inputs}, c{given})
{write_s}
{write_y}
        for l in range(n_l):
            for tt in range(n_tt):
{write_out}
    for l in range(n_l):
{write_state}


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def run_lanes(u, index, params, state0, out, state_out):
    n_b = out.shape[1]
    for k in prange((n_b + LANES - 1) // LANES):
        _block(u, index, params, state0, out, state_out, k * LANES,
               min(LANES, n_b - k * LANES))

'''

# The drive of an ODE kernel, per lane, outside the vectorised loop: evaluated again only
# where an input's bits differ from the step before (the drive is a function of the
# input and the constants alone, so the value reused is the value it would give).
_DRIVE_PASS = '''        bits = ub.view(np.int64)
        for l in range(LANES):
            c = {consts}
            d = 0.0
            for tt in range(n_tt):
                if tt == 0 or {changed}:
                    d = _drive({inputs}, c)[0]
                db[tt, l] = d
'''


def lanes_source(kernel, layout, types) -> str:
    """Source of ``_block`` and ``run_lanes`` (``prange`` over blocks) for a kernel whose
    :func:`consts_tree` is ``layout``; ``types`` is the generated module's
    :class:`physiology.kernels.numba_backend._Types` (import aliases of the named tuple
    classes)."""
    tree, float_drive = layout
    cached = kernel.step is None and float_drive
    leaves = _leaves(tree, "c")
    consts, _ = _rebuild(tree, "cb[{}, l]", 0, types.name)
    n_in, n_out = len(kernel.inputs), len(kernel.outputs)
    tile = max(8, 2 ** int(math.log2(max(1, TILE_BYTES // (8 * LANES * (n_in + n_out))))))
    pad = " " * 8
    params, _ = types.build(kernel.Params, "p[{}]")
    state, _ = types.build(kernel.State, "s0[{}]")
    lane_state, _ = types.build(kernel.State, "sb[{}, l]")
    inputs, _ = types.build(kernel.Inputs, "ub[{}, tt, l]")
    drive_pass = ""
    if cached:
        changed = " or ".join(f"bits[{k}, tt, l] != bits[{k}, tt - 1, l]"
                              for k in range(n_in)) or "False"
        drive_pass = _DRIVE_PASS.format(consts=consts, inputs=inputs, changed=changed)
    step_py = "_step_py" if kernel.step is not None else (
        "_ode_step_given" if cached else "_ode_step")
    return _BLOCK.format(
        lanes=LANES, tile=tile, step_py=step_py,
        alloc_d=pad[4:] + "db = np.empty((TILE, LANES))" if cached else "",
        drive_pass=drive_pass, given=", db[tt, l]" if cached else "",
        n_c=max(1, len(leaves)), n_s=max(1, len(kernel.state)),
        n_in=max(1, n_in), n_out=max(1, n_out), params=params, state=state,
        write_c="\n".join(f"{pad}cb[{k}, l] = {a}" for k, a in enumerate(leaves)) or pad + "pass",
        write_s0=_lines(pad, "sb[{k}, l] = s.{name}", kernel.state),
        read_u=_lines(pad + " " * 8, "ub[{k}, tt, l] = u[index[{k}, b], t0 + tt]", kernel.inputs),
        consts=consts, lane_state=lane_state, inputs=inputs,
        write_s=_lines(pad + " " * 8, "sb[{k}, l] = s.{name}", kernel.state),
        write_y=_lines(pad + " " * 8, "ob[{k}, tt, l] = y.{name}", kernel.outputs),
        write_out=_lines(pad + " " * 8, "out[{k}, b0 + l, t0 + tt] = ob[{k}, tt, l]",
                         kernel.outputs),
        write_state=_lines(pad, "state_out[{k}, b0 + l] = sb[{k}, l]", kernel.state))


def _lines(pad: str, pattern: str, names) -> str:
    return "\n".join(pad + pattern.format(k=k, name=n) for k, n in enumerate(names)) or (
        pad + "pass")
