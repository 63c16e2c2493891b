"""The declaration every step model makes: its scalar functions and its named data.

A model's physics is two plain scalar Python functions in its own module:

``prepare(p, s0) -> (c, s)``
    From the parameters ``p`` (an instance of the kernel's ``Params``) and the initial
    state ``s0`` (a ``State``), the constants ``c`` the step needs (a named tuple of the
    model's own, so no ``exp`` runs inside the time loop) and the first state ``s``.
``step(s, u, c) -> (s, y)``
    One time step: the state before the step, the step's inputs ``u`` (an ``Inputs``),
    the constants; returns the state after the step (a ``State``) and the step's outputs
    ``y`` (an ``Outputs``).

``Params``, ``State``, ``Inputs`` and ``Outputs`` are ``typing.NamedTuple`` classes of
floats, nested where a coupled kernel composes models (:mod:`.structure`); kernel code
reads them by name. Both use only arithmetic and the functions of the ``ops`` module
global (:mod:`physiology.kernels.ops`) and of declared helpers.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from physiology.kernels import ops
from physiology.kernels.structure import is_struct, paths, subtypes

__all__ = ["BACKENDS", "Backend", "Kernel", "ode_kernel"]

Backend = Literal["numba", "jax"]
BACKENDS: tuple[str, ...] = ("numba", "jax")


@dataclass(frozen=True)
class Kernel:
    """A step model: its scalar functions and the named tuples that flow through them.

    Either ``step`` is given, or ``drive`` and ``rhs`` are (an ODE model, whose step is
    the RK4 scheme of :mod:`physiology.kernels.ode`; its outputs are its state).
    ``params``, ``state``, ``inputs`` and ``outputs`` are the leaf paths of the four
    types (the rows of the flat arrays the backends pass).
    """

    name: str
    prepare: Callable
    step: Callable | None
    Params: type
    State: type
    Inputs: type
    Outputs: type
    drive: Callable | None = None
    rhs: Callable | None = None

    def __post_init__(self) -> None:
        ode = self.drive is not None and self.rhs is not None
        if (self.step is None) != ode:
            raise TypeError(f"kernel {self.name}: give either step, or drive and rhs")
        for role in ("Params", "State", "Inputs", "Outputs"):
            for cls in _structs(getattr(self, role)):
                if not is_struct(cls) or cls.__qualname__ != cls.__name__:
                    raise TypeError(f"kernel {self.name}: {role} and the named tuples it "
                                    "nests must be module-level typing.NamedTuple classes "
                                    f"(the generated Numba module imports them), not {cls!r}")
        if ode and self.Outputs is not self.State:
            raise TypeError(f"kernel {self.name}: an ODE kernel's outputs are its state")
        for fn in (f for f in (self.prepare, self.step, self.drive, self.rhs) if f):
            if not isinstance(fn, types.FunctionType) or fn.__closure__:
                raise TypeError(f"kernel {self.name}: {fn!r} must be a module-level function "
                                "(no closure), so both compilers can take its code")
            if fn.__qualname__ != fn.__name__:
                raise TypeError(f"kernel {self.name}: {fn.__qualname__} must be module-level")
            uses_ops = "ops" in fn.__code__.co_names
            if uses_ops and fn.__globals__.get("ops") is not ops:
                raise TypeError(f"kernel {self.name}: the module of {fn.__name__} must import "
                                "ops from physiology.kernels (the name the JAX backend "
                                "rebinds)")

    @property
    def params(self) -> tuple[str, ...]:
        return paths(self.Params)

    @property
    def state(self) -> tuple[str, ...]:
        return paths(self.State)

    @property
    def inputs(self) -> tuple[str, ...]:
        return paths(self.Inputs)

    @property
    def outputs(self) -> tuple[str, ...]:
        return paths(self.Outputs)


def _structs(cls) -> list:
    """``cls`` and every named tuple class nested in it (only ``cls`` if it is none)."""
    if not is_struct(cls):
        return [cls]
    return [cls, *(c for sub in subtypes(cls).values() if sub for c in _structs(sub))]


def ode_kernel(name: str, prepare: Callable, drive: Callable, rhs: Callable, *,
               Params: type, State: type, Inputs: type) -> Kernel:
    """A :class:`Kernel` stepping ``ds/dt = rhs(s, d, k)`` by RK4 (:mod:`.ode`)."""
    return Kernel(name=name, prepare=prepare, step=None, Params=Params, State=State,
                  Inputs=Inputs, Outputs=State, drive=drive, rhs=rhs)
