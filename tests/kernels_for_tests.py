"""Small kernels that exercise the mechanism itself (module-level, as kernels must be)."""

from typing import NamedTuple

from physiology.kernels import Kernel, ops


class Params(NamedTuple):
    scale: float


class State(NamedTuple):
    total: float


class Inputs(NamedTuple):
    load: float


class Outputs(NamedTuple):
    inverse: float
    total: float


def prepare(p, s0):
    return p, State(s0.total)


#: A module constant the compiled step reads (Numba freezes it into the machine code).
OFFSET = 0.0


def step(s, u, c):
    inverse = ops.where(u.load > 0.0, c.scale / u.load, 0.0) + OFFSET   # 1/0 must not trap
    total = s.total + inverse
    return State(total), Outputs(inverse, total)


#: Same name as the Banister kernel on purpose: compiled loops are keyed by kernel, not name.
GUARDED = Kernel(name="banister", prepare=prepare, step=step, Params=Params, State=State,
                 Inputs=Inputs, Outputs=Outputs)


class Inner(NamedTuple):
    gain: float
    offset: float


class NestedParams(NamedTuple):
    """Nested parameters: what a coupled kernel composes."""

    first: Inner
    second: Inner
    weight: float


class NestedState(NamedTuple):
    a: State
    b: State


class NestedOutputs(NamedTuple):
    """Nested outputs (leaf paths ``a.total``, ``b.total``, ``mix``)."""

    a: State
    b: State
    mix: float


def prepare_nested(p, s0):
    return p, NestedState(State(s0.a.total), State(s0.b.total))


def step_nested(s, u, c):
    a = State(s.a.total + c.first.gain * u.load + c.first.offset)
    b = State(s.b.total + c.second.gain * u.load + c.second.offset)
    return NestedState(a, b), NestedOutputs(a, b, c.weight * a.total + b.total)


NESTED = Kernel(name="nested", prepare=prepare_nested, step=step_nested, Params=NestedParams,
                State=NestedState, Inputs=Inputs, Outputs=NestedOutputs)
