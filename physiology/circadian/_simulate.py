"""Simulating the circadian models on a sub-daily light grid, and their entrained state.

Conventions (all models): time in hours on a uniform grid of step ``dt``; ``light[..., i]``
(lux) holds over the step from :math:`t_i` to :math:`t_{i+1}`; the result holds the state
at every grid time, ``state0`` first, so its time axis is one longer than ``light``, and
the state variables are the last axis. Integration: classical RK4 at the grid step
(:mod:`physiology.kernels.ode`), exact to fourth order because the light is constant
within each step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology import validate
from physiology.circadian import _forger99, _hannay19, _jewett99
from physiology.kernels import Kernel, run
from physiology.params import ParamRecord


@dataclass(frozen=True)
class CircadianModel:
    """A registered model: its kernel, parameter record and marker conventions.

    ``kind`` is ``"vdp"`` (state x, xc, n; phase atan2(-xc, x); CBTmin at the minimum of x
    plus ``cbt_offset_h``) or ``"phase"`` (state R, Psi, n; phase Psi; CBTmin where
    Psi = pi). DLMO is 7 h before CBTmin for every model.
    """

    name: str
    kernel: Kernel
    params: type[ParamRecord]
    kind: str
    cbt_offset_h: float
    start: tuple[float, float, float]


MODELS = {
    "forger99": CircadianModel("forger99", _forger99.KERNEL, _forger99.Forger99Params, "vdp",
                               0.0, (-0.16, -1.08, 0.46)),
    "jewett99": CircadianModel("jewett99", _jewett99.KERNEL, _jewett99.Jewett99Params, "vdp",
                               0.8, (-0.16, -1.22, 0.5)),
    "hannay19": CircadianModel("hannay19", _hannay19.KERNEL, _hannay19.Hannay19Params,
                               "phase", 0.0, (0.82, 1.79, 0.52)),
}
DLMO_BEFORE_CBT_H = 7.0


def get_model(model: str | CircadianModel) -> CircadianModel:
    if isinstance(model, CircadianModel):
        return model
    return MODELS[validate.choice("model", model, MODELS)]


def _light(light) -> np.ndarray:
    return validate.series("light", light, units="lux")


def _params(spec: CircadianModel, params) -> ParamRecord:
    return validate.record("params", params, spec.params)


def _integrate(spec, light, params, dt, state0, backend):
    """The states after each step, as the kernel's ``State`` of ``(*batch, T)`` arrays."""
    out, _ = run(spec.kernel, (light,), (*params.values(), dt), state0, backend=backend)
    return out


def equilibrate(home_light, dt: float = 0.1, model="forger99", params=None, *,
                days: int = 200, tol: float = 1e-9, backend: str = "numba") -> np.ndarray:
    """The entrained state at the start of a repeated home day.

    Args:
        home_light: one day of light (lux), shape ``(*batch, 24 / dt)``, starting at the
            local clock time the simulation starts (usually midnight).
        dt: grid step (h), dividing 24 h.
        model, params: as :func:`simulate`.
        days: the most days to run before giving up.
        tol: convergence: the state at the start of successive days changes by less.

    Returns:
        State ``(*batch, 3)`` on the entrained limit cycle at the start of the day.

    Raises:
        ValueError: when the series has not converged within ``days`` (a schedule that
            does not entrain the model, for example), naming the largest change left.
    """
    spec = get_model(model)
    params = _params(spec, params)
    dt = float(validate.positive("dt", dt))
    light = _light(home_light)
    if light.shape[-1] != validate.steps_per_day(dt):
        raise ValueError(f"home_light: expected one day of {validate.steps_per_day(dt)} steps of "
                         f"{dt} h, got {light.shape[-1]}")
    batch = np.broadcast_shapes(light.shape[:-1], params.batch_shape())
    state = tuple(np.full(batch, v) for v in spec.start)
    chunk = 10
    week = np.tile(np.broadcast_to(light, (*batch, light.shape[-1])), chunk)
    change = np.inf
    for _ in range(0, days, chunk):
        out = _integrate(spec, week, params, dt, state, backend)
        per_day = light.shape[-1]
        day_starts = np.stack([x[..., per_day - 1::per_day] for x in out])  # ends of days
        new = _wrap_state(spec, day_starts[..., -1])
        prev = _wrap_state(spec, day_starts[..., -2])
        change = float(np.max(np.abs(_wrap_state(spec, new - prev))))
        state = tuple(new)
        if change < tol:
            return np.moveaxis(new, 0, -1)
    raise ValueError(f"equilibrate: not entrained after {days} days (state still changes "
                     f"by {change:.2e} a day); expected a schedule that entrains the model")


def _wrap_state(spec: CircadianModel, state: np.ndarray) -> np.ndarray:
    """Phase-type states carry an unwrapped angle: wrap it (or a difference of two) to
    (-pi, pi], so days compare across the branch cut."""
    if spec.kind == "phase":
        state = state.copy()
        state[1] = np.angle(np.exp(1j * state[1]))
    return state


def simulate(light, dt: float = 0.1, model="forger99", params=None, state0=None, *,
             backend: str = "numba") -> np.ndarray:
    """States of a circadian model over a light schedule.

    Args:
        light: illuminance (lux), shape ``(*batch, T)``; ``light[..., i]`` holds from
            ``t_i`` to ``t_{i+1} = t_i + dt``. Finite and >= 0.
        dt: grid step (h, default 0.1), dividing 24 h.
        model: ``"forger99"`` (default), ``"jewett99"`` or ``"hannay19"``.
        params: the model's parameter record (array fields broadcast over the batch);
            default its defaults.
        state0: initial state ``(..., 3)``; default the entrained state on the first day
            of ``light`` taken as the home schedule (:func:`equilibrate`).
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        Array ``(*batch, T + 1, 3)``: the state at each grid time, ``state0`` first.
    """
    spec = get_model(model)
    params = _params(spec, params)
    dt = float(validate.positive("dt", dt))
    light = _light(light)
    if state0 is None:
        per_day = validate.steps_per_day(dt)
        if light.shape[-1] < per_day:
            raise ValueError(f"light: {light.shape[-1]} steps are less than one day of "
                             f"{per_day}; give state0 or at least a day of light")
        state0 = equilibrate(light[..., :per_day], dt, spec, params, backend=backend)
    state0 = np.asarray(state0, dtype=float)
    if state0.shape[-1:] != (3,) or not np.all(np.isfinite(state0)):
        raise ValueError(f"state0: expected finite states with 3 variables on the last "
                         f"axis, got shape {state0.shape}")
    out = _integrate(spec, light, params, dt, tuple(np.moveaxis(state0, -1, 0)), backend)
    states = np.empty((*out[0].shape[:-1], out[0].shape[-1] + 1, len(out)))
    states[..., 0, :] = state0
    for k, x in enumerate(out):
        states[..., 1:, k] = x
    return states
