"""The scalar math that model kernels may use, as seen by the Numba backend.

Kernel code (a model's ``prepare`` and ``step``) reaches math only through the module
global ``ops`` bound to this module, for example ``ops.exp(-1.0 / tau)`` or
``ops.where(x > 0, a, b)``. Numba compiles those calls as they stand; the JAX backend
runs the same code objects with ``ops`` bound to :mod:`physiology._compile.jax_ops`,
which has the same names over ``jax.numpy``. ``where`` selects without branching, so the
same code traces under JAX and vectorises under Numba.

Equations that several models share (Process L of the circadian models, say) are written
once as module-level functions decorated with :func:`helper`; kernel code calls them by
name. Numba compiles them like the kernel; the JAX backend runs their original Python code
with the same ``ops`` rebinding (and so on for helpers that call helpers).
"""

import math
import sys

from numba import njit

#: Compiled helpers -> the Python functions they came from (read by the JAX backend).
HELPERS: dict = {}


def helper(fn):
    """Declare a scalar function that kernel code may call (compiled twice, like a step).

    Like kernel code, it reaches math only through the ``ops`` global bound to this module.
    """
    if "ops" in fn.__code__.co_names and fn.__globals__.get("ops") is not sys.modules[__name__]:
        raise TypeError(f"helper {fn.__qualname__}: its module must import "
                        "physiology._compile.scalar_ops as ops")
    compiled = njit(fn, error_model="numpy")
    HELPERS[compiled] = fn
    return compiled


def helpers_named(fn) -> dict:
    """The helpers a function's code names, as ``{global name: Python function}``."""
    found = {}
    for name in fn.__code__.co_names:
        value = fn.__globals__.get(name)
        try:
            original = HELPERS.get(value)
        except TypeError:  # an unhashable global
            original = None
        if original is not None:
            found[name] = original
    return found


def python_version(fn):
    """The same code with every helper it calls replaced by its plain Python original
    (recursively): the kernel code as an interpreted Python function, for baselines and
    debugging. The ``ops`` stay the math module's."""
    import types

    scope = dict(fn.__globals__)
    for name, original in helpers_named(fn).items():
        scope[name] = python_version(original)
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)


def fingerprint(code) -> str:
    """The live bytecode, constants and names of a code object (nested ones included):
    what Numba compiles, as imported in this process, whatever the file now says."""
    consts = [fingerprint(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return f"{code.co_code.hex()}|{consts}|{code.co_names}"


def dependencies(*fns) -> str:
    """Everything compiled code freezes, as text for a cache key: the live code of every
    function and helper it calls (transitively), the repr of each constant it reads, and
    this module's ops. A change to any of them must change the key."""
    seen, todo, parts = set(), list(fns), []
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        for name in fn.__code__.co_names:
            value = fn.__globals__.get(name)
            target = HELPERS.get(value) if _hashable(value) else None
            target = target or getattr(value, "py_func", None) or (
                value if callable(value) and hasattr(value, "__code__") else None)
            if target is not None:
                todo.append(target)
            elif isinstance(value, int | float | complex | str | bytes | tuple):
                parts.append(f"{fn.__module__}.{name}={value!r}")
    codes = sorted(f"{f.__module__}.{f.__qualname__}:{fingerprint(f.__code__)}" for f in seen)
    return "".join(codes) + "".join(sorted(parts)) + _ops_fingerprint()


def _ops_fingerprint() -> str:
    """The ops themselves: names bound to which math functions, and compiled ops' code."""
    items = []
    for name, value in sorted(vars(sys.modules[__name__]).items()):
        if name.startswith("_") or name in ("HELPERS",) or isinstance(value, type(sys)):
            continue
        func = getattr(value, "py_func", None)
        what = fingerprint(func.__code__) if func else getattr(value, "__name__", repr(value))
        items.append(f"{name}={what}")
    return ";".join(items)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


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
