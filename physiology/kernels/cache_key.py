"""What compiled code freezes, as text: the key of the Numba kernel cache.

Numba does not notice when a function called from a cached one changes, so the generated
module's file name carries a hash of everything here: the live code of the kernel's
functions and of every helper they call (transitively), the constants they read, the
field names of the named tuples they take and return, and the ops themselves.
"""

from __future__ import annotations

import sys

from physiology.kernels import ops
from physiology.kernels.helpers import original
from physiology.kernels.structure import is_struct, paths


def fingerprint(code) -> str:
    """The live bytecode, constants and names of a code object (nested ones included):
    what Numba compiles, as imported in this process, whatever the file now says."""
    consts = [fingerprint(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return f"{code.co_code.hex()}|{consts}|{code.co_names}"


def dependencies(*fns) -> str:
    """Everything compiled code freezes, as text for a cache key: the live code of every
    function and helper it calls (transitively), the repr of each constant it reads, the
    fields of each named tuple class it names, and the ops. A change to any of them must
    change the key."""
    seen, todo, parts = set(), list(fns), []
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        for name in fn.__code__.co_names:
            value = fn.__globals__.get(name)
            target = original(value) or getattr(value, "py_func", None) or (
                value if callable(value) and hasattr(value, "__code__") else None)
            if target is not None:
                todo.append(target)
            elif is_struct(value):
                parts.append(f"{fn.__module__}.{name}={value.__qualname__}{paths(value)}")
            elif isinstance(value, int | float | complex | str | bytes | tuple):
                parts.append(f"{fn.__module__}.{name}={value!r}")
    codes = sorted(f"{f.__module__}.{f.__qualname__}:{fingerprint(f.__code__)}" for f in seen)
    return "".join(codes) + "".join(sorted(parts)) + ops_fingerprint()


def ops_fingerprint() -> str:
    """The ops themselves: names bound to which math functions, and compiled ops' code."""
    items = []
    for name, value in sorted(vars(ops).items()):
        if name.startswith("_") or isinstance(value, type(sys)):
            continue
        func = getattr(value, "py_func", None)
        what = fingerprint(func.__code__) if func else getattr(value, "__name__", repr(value))
        items.append(f"{name}={what}")
    return ";".join(items)
