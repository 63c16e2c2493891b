"""What compiled code freezes, as text: the key of the Numba kernel cache.

Numba does not notice when a function called from a cached one changes, so the generated
module's file name carries a hash of everything here: the live code of the kernel's
functions and of every helper they call (transitively), the constants they read, the
field names of the named tuples they take and return, and the ops themselves.
"""

from __future__ import annotations

import dis
import hashlib
import sys
import types

import numpy as np

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
    function and helper it calls (transitively), the repr of each constant and the bytes of
    each array it reads, the fields of each named tuple class it names, and the ops. A
    change to any of them must change the key. A module reached from kernel code is refused
    (as the JAX backend refuses it): its attributes would escape the key."""
    seen, todo, parts = set(), list(fns), []
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        for name in sorted(_loaded_globals(fn.__code__)):  # not attribute names
            value = fn.__globals__.get(name)
            target = original(value) or getattr(value, "py_func", None) or (
                value if callable(value) and hasattr(value, "__code__") else None)
            if target is not None:
                todo.append(target)
            elif isinstance(value, types.ModuleType) and value is not ops:
                raise TypeError(f"{fn.__qualname__}: kernel code reaches module {name!r}; "
                                "use ops for math and import helpers and named tuples by "
                                "name (a module attribute would escape the cache key)")
            elif isinstance(value, np.ndarray):  # Numba freezes global arrays into the code
                digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
                parts.append(f"{fn.__module__}.{name}=array{value.shape}{value.dtype}{digest}")
            elif is_struct(value):
                parts.append(f"{fn.__module__}.{name}={value.__qualname__}{paths(value)}")
            elif isinstance(value, int | float | complex | str | bytes | tuple):
                parts.append(f"{fn.__module__}.{name}={value!r}")
    codes = sorted(f"{f.__module__}.{f.__qualname__}:{fingerprint(f.__code__)}" for f in seen)
    return "".join(codes) + "".join(sorted(parts)) + ops_fingerprint()


def _loaded_globals(code) -> set[str]:
    """Names a code object loads as globals (``co_names`` also holds attribute names)."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= _loaded_globals(const)
    return names


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
