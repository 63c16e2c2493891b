"""Phase markers: phase, amplitude, CBTmin and DLMO times, and misalignment to a local clock.

Each model's own marker convention (see :class:`~physiology.circadian.CircadianModel`):
van der Pol models (Forger 1999, Jewett 1999) put the core-body-temperature minimum
(CBTmin) at the minimum of x plus a model offset (0 h and 0.8 h), found on the grid (one
per cycle: the lowest of any minima within 12 h of each other, as light switching on
near the trough can split it) and refined by the parabola through the three samples
around it; the Hannay 2019 model puts
it where the collective phase :math:`\\Psi \\equiv \\pi`, found by linear interpolation of
the unwrapped phase. DLMO (dim-light melatonin onset) is 7 h before CBTmin.

Misalignment at a local clock time compares the body's phase with the phase the same
body has at that clock time when entrained at home (:func:`home_clock`): the difference,
in hours of the home day, wrapped to (-12, 12]. Positive means the body clock runs ahead
of the local clock (its "internal time" is later, as after flying west); negative means
it lags (as after flying east).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from physiology import validate
from physiology.circadian._simulate import (
    DLMO_BEFORE_CBT_H,
    _integrate,
    _light,
    _params,
    equilibrate,
    get_model,
    simulate,
)
from physiology.kernels.floatmod import floor_mod


def phase(states, model="forger99") -> np.ndarray:
    """Phase (rad, in (-pi, pi]) of states ``(..., 3)``; increases with time."""
    s = np.asarray(states, dtype=float)
    return _phase_of(get_model(model), s[..., 0], s[..., 1])


def _phase_of(spec, first, second) -> np.ndarray:
    """Phase from the state's first two variables, (x, xc) or (R, Psi)."""
    if spec.kind == "vdp":
        return np.arctan2(-second, first)
    return np.pi - np.mod(np.pi - second, 2.0 * np.pi)  # wrapped into (-pi, pi]


def phase_series(light, dt: float, model, state0, params=None, *,
                 backend: str = "numba") -> tuple[np.ndarray, np.ndarray]:
    """The phase at each grid time before each step, ``(*batch, T)``, and the state after
    the last step ``(*batch, 3)``: :func:`phase` of :func:`simulate`'s states without
    their ``(*batch, T + 1, 3)`` array (the same numbers)."""
    spec = get_model(model)
    params = _params(spec, params)
    state0 = np.asarray(state0, dtype=float)
    out = _integrate(spec, _light(light), params, float(validate.positive("dt", dt)),
                     tuple(np.moveaxis(state0, -1, 0)), backend)
    ph = np.empty(out[0].shape)
    ph[..., 0] = _phase_of(spec, state0[..., 0], state0[..., 1])
    ph[..., 1:] = _phase_of(spec, out[0][..., :-1], out[1][..., :-1])
    return ph, np.stack([x[..., -1] for x in out], axis=-1)


def amplitude(states, model="forger99") -> np.ndarray:
    """Oscillator amplitude: sqrt(x^2 + xc^2), or R for the Hannay model."""
    spec = get_model(model)
    s = np.asarray(states, dtype=float)
    return np.hypot(s[..., 0], s[..., 1]) if spec.kind == "vdp" else s[..., 0]


def cbtmin_times(states, dt: float, model="forger99", t0: float = 0.0) -> np.ndarray:
    """Times (h since the first state, plus ``t0``) of every CBTmin in one trajectory.

    Args:
        states: one trajectory ``(T + 1, 3)`` from :func:`simulate`.
        dt: its grid step (h).
    """
    spec = get_model(model)
    s = np.asarray(states, dtype=float)
    if s.ndim != 2 or s.shape[-1] != 3:
        raise ValueError(f"states: expected one trajectory of shape (T + 1, 3), got {s.shape}")
    if spec.kind == "vdp":
        x = s[:, 0]
        i = np.flatnonzero((x[1:-1] < x[:-2]) & (x[1:-1] <= x[2:])) + 1
        i = _one_per_cycle(i, x, round(MIN_CYCLE_H / dt))
        curvature = x[i - 1] - 2 * x[i] + x[i + 1]
        shift = np.where(curvature > 0, 0.5 * (x[i - 1] - x[i + 1]) / np.where(
            curvature > 0, curvature, 1.0), 0.0)
        times = (i + shift) * dt + spec.cbt_offset_h
    else:
        psi = np.unwrap(s[:, 1]) - np.pi          # zero where Psi = pi (mod 2 pi)
        turns = np.floor(psi / (2 * np.pi))
        i = np.flatnonzero(turns[1:] > turns[:-1])
        level = (turns[i] + 1) * 2 * np.pi
        times = (i + (level - psi[i]) / (psi[i + 1] - psi[i])) * dt
    return times + t0


#: Local minima of x closer than this are one trough (light switching on near the
#: minimum can split it in two); the lowest is kept.
MIN_CYCLE_H = 12.0


def _one_per_cycle(index: np.ndarray, x: np.ndarray, gap: int) -> np.ndarray:
    """The lowest minimum of each cluster of minima within ``gap`` steps of its first."""
    kept: list[int] = []
    start = None
    for i in index:
        if start is None or i - start >= gap:
            kept.append(i)
            start = i
        elif x[i] < x[kept[-1]]:
            kept[-1] = i
    return np.array(kept, dtype=int)


def dlmo_times(states, dt: float, model="forger99", t0: float = 0.0) -> np.ndarray:
    """DLMO times (h): 7 h before each CBTmin (the models' convention)."""
    return cbtmin_times(states, dt, model, t0) - DLMO_BEFORE_CBT_H


class HomeClock(NamedTuple):
    """The body's phase at each clock hour of the home day, when entrained at home."""

    hours: np.ndarray
    phases: np.ndarray
    model: str

    def hour_of(self, phase_rad) -> np.ndarray:
        """Home clock hour (in [0, 24)) at which the entrained body has this phase: the
        phase taken onto the home day's unwrapped turn and interpolated linearly in the
        table (compiled, :func:`_hours_at`; the same arithmetic as ``np.interp``)."""
        unwrapped = np.unwrap(self.phases)
        grid = np.r_[unwrapped, unwrapped[0] + 2 * np.pi]
        hours = np.r_[self.hours, 24.0]
        p = np.asarray(phase_rad, float)
        out = np.empty(p.size)
        _hours_at(np.ascontiguousarray(p).ravel(), grid, hours, out)
        return out.reshape(p.shape)


@njit(cache=True, error_model="numpy")
def _hours_at(phase, grid, hours, out):  # pragma: no cover - compiled
    """``out = interp((phase - grid[0]) % 2 pi + grid[0], grid, hours) % 24`` element-wise,
    for an increasing ``grid`` spanning one turn: the interval (the previous one, or the
    next, as a trajectory moves on; else by bisection), then
    ``slope * (x - grid[j]) + hours[j]`` with the slope of the interval, as NumPy's
    ``interp`` computes it (so the results are NumPy's, bit for bit; ``%`` as
    :func:`physiology.kernels.floatmod.floor_mod`, the same bits without ``fmod``)."""
    n = grid.size
    turn = 2.0 * np.pi
    slopes = np.empty(n - 1)
    for j in range(n - 1):
        slopes[j] = (hours[j + 1] - hours[j]) / (grid[j + 1] - grid[j])
    lo = 0
    for i in range(phase.size):
        x = floor_mod(phase[i] - grid[0], turn) + grid[0]
        if x >= grid[n - 1]:
            value = hours[n - 1]
        else:
            if not (grid[lo] <= x < grid[lo + 1]):  # a trajectory's phase moves on slowly:
                if lo + 2 < n and grid[lo + 1] <= x < grid[lo + 2]:  # try the next first
                    lo += 1
                else:
                    lo, hi = 0, n - 1
                    while hi - lo > 1:
                        mid = (lo + hi) >> 1
                        if grid[mid] <= x:
                            lo = mid
                        else:
                            hi = mid
            value = slopes[lo] * (x - grid[lo]) + hours[lo]
        out[i] = floor_mod(value, 24.0)


def home_clock(home_light, dt: float = 0.1, model="forger99", params=None, *,
               state0=None, backend: str = "numba") -> HomeClock:
    """The entrained phase at each grid time of one home day (starting at local midnight).

    ``state0``: the entrained state at the start of that day, when already known (from a
    batched :func:`equilibrate`); by default it is computed here.
    """
    spec = get_model(model)
    light = np.asarray(home_light, dtype=float)
    if light.ndim != 1 or light.shape[0] != validate.steps_per_day(dt):
        raise ValueError(f"home_light: expected one day of {validate.steps_per_day(dt)} steps")
    if state0 is None:
        state0 = equilibrate(light, dt, spec, params, backend=backend)
    states = simulate(light, dt, spec, params, state0, backend=backend)[:-1]
    ph = phase(states, spec)
    if np.any(np.diff(np.unwrap(ph)) <= 0):
        raise ValueError("home_light: the entrained phase does not advance through the day")
    return HomeClock(np.arange(light.shape[0]) * dt, ph, spec.name)


def misalignment(phase_rad, local_hour, home: HomeClock) -> np.ndarray:
    """Signed misalignment (h, in (-12, 12]) of the body clock against the local clock.

    Args:
        phase_rad: the body's phase (from :func:`phase`), any shape.
        local_hour: local clock time (h) of the same instants, broadcastable.
        home: the home-entrained clock (:func:`home_clock`) of the same model.
    """
    local = validate.in_range("local_hour", local_hour, -np.inf, np.inf, "a finite hour")
    diff = home.hour_of(phase_rad) - local % 24.0
    return -((-diff + 12.0) % 24.0 - 12.0)
