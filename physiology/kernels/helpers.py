"""Shared equations: scalar functions that kernel code calls by name, compiled with it.

Equations that several models share (Process L of the circadian models, a model's own
``prepare``/``step`` inside a coupled kernel) are module-level functions decorated with
:func:`helper`. Numba compiles them like the kernel; the JAX backend runs their original
Python code with the ``ops`` rebinding (and so on for helpers that call helpers).
"""

from __future__ import annotations

import types

from numba import njit

from physiology.kernels import ops

#: Compiled helpers -> the Python functions they came from (read by the JAX backend).
HELPERS: dict = {}


def helper(fn):
    """Declare a scalar function that kernel code may call (compiled twice, like a step).

    Like kernel code, it reaches math only through the ``ops`` global bound to
    :mod:`physiology.kernels.ops`.
    """
    if "ops" in fn.__code__.co_names and fn.__globals__.get("ops") is not ops:
        raise TypeError(f"helper {fn.__qualname__}: its module must import ops from "
                        "physiology.kernels")
    compiled = njit(fn, error_model="numpy")
    HELPERS[compiled] = fn
    return compiled


def original(value):
    """The Python function a compiled helper came from, or None."""
    try:
        return HELPERS.get(value)
    except TypeError:  # an unhashable global
        return None


def helpers_named(fn) -> dict:
    """The helpers a function's code names, as ``{global name: Python function}``."""
    found = {}
    for name in fn.__code__.co_names:
        py = original(fn.__globals__.get(name))
        if py is not None:
            found[name] = py
    return found


def python_version(fn):
    """The same code with every helper it calls replaced by its plain Python original
    (recursively): the kernel code as an interpreted Python function, for baselines and
    debugging. The ``ops`` stay the math module's."""
    scope = dict(fn.__globals__)
    for name, py in helpers_named(fn).items():
        scope[name] = python_version(py)
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)
