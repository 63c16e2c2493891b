"""Named kernel data: nested ``typing.NamedTuple`` types, their leaves and their paths.

A kernel's parameters, state, inputs and outputs are ``NamedTuple`` classes whose fields are
floats or, where a coupled kernel composes models, other ``NamedTuple`` classes (declared
by their type annotation). Kernel code reads them by name (``c.hazard.rate_match``); the backends
move them in and out of flat float64 arrays, one row per leaf, in the order of
:func:`paths`. The same helpers give named views of such arrays outside the kernels
(``unflatten(K.Params, stacked)`` is a tuple of rows of ``stacked``, no copy).
"""

from __future__ import annotations

import functools
import sys
import typing
from collections.abc import Callable, Iterable, Iterator

__all__ = ["flatten", "is_struct", "paths", "subtypes", "tree_map", "unflatten"]


def is_struct(obj) -> bool:
    """Whether ``obj`` is a ``NamedTuple`` class."""
    return isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields")


@functools.cache
def subtypes(cls: type) -> dict[str, type | None]:
    """Field name -> the nested ``NamedTuple`` class of that field, or None for a leaf."""
    if not is_struct(cls):
        raise TypeError(f"{cls!r} is not a NamedTuple class")
    hints = typing.get_type_hints(cls, globalns=vars(sys.modules[cls.__module__]))
    return {f: (hints[f] if is_struct(hints.get(f)) else None) for f in cls._fields}


@functools.cache
def paths(cls: type) -> tuple[str, ...]:
    """Dotted path of every leaf, depth first in field order (``("ff.p0", ..., "rate_match")``)."""
    out = []
    for name, sub in subtypes(cls).items():
        out += [f"{name}.{p}" for p in paths(sub)] if sub else [name]
    return tuple(out)


def flatten(value) -> list:
    """The leaves of a (nested) named tuple instance, in :func:`paths` order."""
    out = []
    for item in value:
        out += flatten(item) if hasattr(item, "_fields") else [item]
    return out


def unflatten(cls: type, leaves: Iterable):
    """An instance of ``cls`` from its leaves in :func:`paths` order (an array's rows do)."""
    it = iter(leaves)
    value = _build(cls, it)
    if next(it, _END) is not _END:
        raise ValueError(f"{cls.__name__}: more leaves than its {len(paths(cls))} fields")
    return value


_END = object()


def _build(cls: type, it: Iterator):
    fields = []
    for sub in subtypes(cls).values():
        if sub:
            fields.append(_build(sub, it))
        else:
            leaf = next(it, _END)
            if leaf is _END:
                raise ValueError(f"{cls.__name__}: too few leaves (expected "
                                 f"{', '.join(paths(cls))})")
            fields.append(leaf)
    return cls(*fields)


def tree_map(fn: Callable, value, *others):
    """``fn`` applied leaf by leaf to named tuples of the same structure."""
    if hasattr(value, "_fields"):
        return type(value)(*(tree_map(fn, *items) for items in zip(value, *others, strict=True)))
    return fn(value, *others)
