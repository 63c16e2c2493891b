"""Running a block of a plan: the coupled day kernel over athletes x points x all draws.

:func:`run_chunk` runs the coupled day kernel (:mod:`twin.model.day_kernel`) for a block
of athletes x scenario points x all draws and reduces over draws as
:mod:`twin.model.variables` declares. It is a pure function of (plan, block): the local
and Ray runners call it the same way, and the result does not depend on how the cube was
split. Each kernel input is taken from the dims its source varies over and broadcast by
the kernel (DESIGN.md principle 4), checked against the dims the variable table declares.
"""

from __future__ import annotations

import itertools

import numpy as np

from physiology.injury import time_loss_days, uniforms
from physiology.kernels import run, tree_map
from twin.engine.planning import Plan, athlete_keys
from twin.engine.reduce import mean_over_draws, median_over_draws, quantiles_over_draws
from twin.engine.workspace import Workspace
from twin.model.day_kernel import DayInputs
from twin.model.variables import DAILY, INPUTS


def stream_keys(plan: Plan, athletes: slice):
    """Counter-based stream keys (athlete, draw) of a block, shape ``(a, 1, N)``.

    The scenario point is deliberately not part of the key: every point of a sweep sees
    the same random numbers for the same athlete and draw (common random numbers), so the
    difference between two scenarios is the scenario's effect, not sampling noise.
    """
    return athlete_keys(plan.public_ids[athletes])[:, None, None], \
        plan.stream_draws()[None, None, :]


def _select(x: np.ndarray, dims: tuple[str, ...], block: dict[str, slice]) -> np.ndarray:
    """``x`` (over ``dims``) for a block, as ``(athlete, point, draw, date)`` with size-1
    axes where it does not vary (broadcast by the kernel, never copied)."""
    index = tuple(block.get(d, slice(None)) for d in dims)
    x = x[index]
    order = ("athlete", "point", "draw", "date")
    return np.expand_dims(x, tuple(i for i, d in enumerate(order) if d not in dims))


def block_inputs(plan: Plan, athletes: slice, points: slice) -> DayInputs:
    """The day kernel's inputs for a block, each broadcastable to ``(a, p, N, D)``: the
    plan's draw-free feeds taken where they vary, and the block's random streams."""
    block = {"athlete": athletes, "point": points}
    values = {}
    for name, (x, dims) in plan.feeds().items():
        _check_dims(name, dims)
        values[name] = _select(x, dims, block)
    n_d = plan.season.days
    keys = stream_keys(plan, athletes)
    event = uniforms(plan.seed, keys, n_d, channel=0)  # (a, 1, N, D): same for every point
    kind, days_out = time_loss_days(uniforms(plan.seed, keys, n_d, channel=1),
                                    uniforms(plan.seed, keys, n_d, channel=2))
    random = {"u_injury": event, "days_out_if_injured": days_out,
              "injury_type_if_injured": kind.astype(float)}
    for name, x in random.items():
        _check_dims(name, ("athlete", "draw", "date"))
        values[name] = x
    return DayInputs(**values)


def _check_dims(name: str, dims: tuple[str, ...]) -> None:
    if not set(dims) <= set(INPUTS[name].dims):
        raise ValueError(f"input {name}: varies over {dims}, declared only over "
                         f"{INPUTS[name].dims} (twin.model.variables.INPUTS)")


#: Bytes of day-kernel outputs :func:`run_chunk` holds at once: a block is run in passes
#: of as many scenario points as fit (at least one). A standard-sweep chunk's outputs are
#: 200 MB; in passes of about 67 MB each its memory stays near one pass's, which matters
#: where fresh memory is dear (on the 2-core development machine, a virtual machine whose
#: pages are backed on first touch, a first touch costs 6-12 ms per MB) and for many
#: workers on one node.
PASS_BYTES = 80 * 2**20


def _passes(plan: Plan, athletes: slice, points: slice) -> list[slice]:
    """The block's points in passes of at most :data:`PASS_BYTES` of outputs, of even
    sizes (absolute point slices)."""
    n_a = len(range(*athletes.indices(plan.squad.size)))
    p0, p1, _ = points.indices(plan.sweep.size)
    per_point = 8 * len(plan.kernel.outputs) * n_a * plan.draws * plan.season.days
    n = max(1, -(-(p1 - p0) * per_point // PASS_BYTES))
    edges = np.linspace(p0, p1, min(n, max(1, p1 - p0)) + 1).round().astype(int)
    return [slice(int(lo), int(hi)) for lo, hi in itertools.pairwise(edges)]


def _points_of(inputs: DayInputs, lo: int, hi: int) -> DayInputs:
    """Inputs of points ``lo:hi`` of a block (relative): those varying over points cut,
    the others (size 1 on the point axis) as they are."""
    return DayInputs(*(x[:, lo:hi] if x.shape[1] > 1 else x for x in inputs))


def _simulate(plan: Plan, athletes: slice, inputs: DayInputs, n_p: int,
              workspace: Workspace | None):
    params = tree_map(lambda x: x[athletes, None, :], plan.params)
    state0 = tree_map(lambda x: x[athletes, None, :], plan.state0)
    memory = None
    if workspace is not None:
        n_a = len(range(*athletes.indices(plan.squad.size)))
        memory = workspace.outputs((len(plan.kernel.outputs), n_a, n_p, plan.draws,
                                    plan.season.days))
    out, _ = run(plan.kernel, inputs, params, state0, backend=plan.backend, out=memory)
    return out


def simulate_block(plan: Plan, athletes: slice, points: slice, *,
                   workspace: Workspace | None = None):
    """Every draw of a block: the kernel's ``DayOutputs``, each ``(a, p, N, D)`` (views of
    the ``workspace``'s memory where one is given)."""
    n_p = len(range(*points.indices(plan.sweep.size)))
    return _simulate(plan, athletes, block_inputs(plan, athletes, points), n_p, workspace)


def run_chunk(plan: Plan, athletes: slice, points: slice, *,
              workspace: Workspace | None = None) -> dict[str, np.ndarray]:
    """Simulate a block of athletes x points x all draws; reduce over draws.

    Returns, for every daily variable of :data:`twin.model.variables.DAILY`, its reduction over
    draws as declared there: ``(a, p, Q, D)`` for quantiles (``(a, p, N, D)`` with
    ``keep_draws``), ``(a, p, D)`` for the mean and the draw-free features; and the
    summary arrays ``summary/<name>`` (:func:`twin.engine.summary.summarise`). The
    reductions are compiled (:mod:`twin.engine.reduce`), bit for bit NumPy's.

    The block runs in passes over its points (:data:`PASS_BYTES`; every series and every
    reduction is its own point's, so the result is the same in one pass or many, bit for
    bit), the kernel's outputs on the ``workspace``'s memory when one is given
    (:class:`Workspace`); with ``keep_draws``, whose result is those outputs, in one pass
    on fresh memory. Nothing returned is a view of the workspace.
    """
    from twin.engine.summary import summarise

    inputs = block_inputs(plan, athletes, points)
    p0, p1, _ = points.indices(plan.sweep.size)
    passes = [points] if plan.keep_draws else _passes(plan, athletes, points)
    draw_free = {"body_clock": plan.body_clock, "circadian_misalignment": plan.misalignment,
                 "sleep_obtained": plan.sleep_obtained, "sleep_debt": plan.sleep_debt,
                 "sleep_impairment": plan.sleep_impairment}
    result = {name: draw_free[name][athletes, points]
              for name, var in DAILY.items() if var.reduce == "none"}
    for part in passes:
        lo, hi, _ = part.indices(plan.sweep.size)
        out = _simulate(plan, athletes, _points_of(inputs, lo - p0, hi - p0), hi - lo,
                        None if plan.keep_draws else workspace)
        reduced = {}
        for name, var in DAILY.items():
            if var.reduce == "none":
                continue
            x = getattr(out, name)  # (a, p, N, D)
            if var.reduce == "mean":
                reduced[name] = mean_over_draws(x, axis=2)
            elif var.reduce == "median":
                reduced[name] = median_over_draws(x, axis=2)
            elif plan.keep_draws:
                reduced[name] = x
            else:
                reduced[name] = quantiles_over_draws(x, plan.quantiles, axis=2)
        reduced.update(summarise(plan, out, athletes, slice(lo, hi)))
        if len(passes) == 1:
            result.update(reduced)
            break
        for name, value in reduced.items():
            if name not in result:
                result[name] = np.empty((value.shape[0], p1 - p0, *value.shape[2:]),
                                        value.dtype)
            result[name][:, lo - p0:hi - p0] = value
    return result
