r"""The two-process sleep model as a hybrid system: its exact solution and solve_ivp's.

The model (:mod:`physiology.sleep`) switches between two linear ODEs: awake,
:math:`dS/dt = (1 - S)/\tau_r`; asleep, :math:`dS/dt = -S/\tau_d`; it falls asleep when S
reaches :math:`H(t) = H_0 + a C(t)` and wakes when S falls to :math:`L(t) = L_0 + a C(t)`.
Our kernel integrates each grid step exactly but decides the switch at grid times (with
Process C sampled at the step's start), so its only error is where a switch falls between
grid points: first order in dt, not fourth. The benchmark's case: spontaneous sleep at
home (body clock = clock, sleep allowed at any hour), starting awake at midnight with
S = 0.5. Its "error" is Process S on the hourly grid against the continuous-time
solution with the switches located exactly:

- :func:`exact`: the closed-form exponentials between switches, each switch time found by
  Brent's method to 1e-13 h on the closed form (the reference);
- :func:`solve_ivp_events`: what a SciPy user writes: solve_ivp on the ODE of the
  current state with a terminal event at the threshold, restarted at each switch, with
  ``max_step`` 0.5 h. solve_ivp finds an event only where the event function changes
  sign between the ends of a step, and on these smooth exponentials it takes steps of
  many hours that straddle a crossing and the recrossing after it (S and the falling
  threshold cross, then the threshold's circadian rise passes S again): without
  ``max_step`` it missed the first sleep onset at rtol 1e-4 (error 0.5 in S).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from physiology.sleep import TwoProcessParams, process_c

S0 = 0.5
SCAN_H = 0.01  # grid on which sign changes are bracketed before Brent's method
MAX_STEP_H = 0.5


def _threshold(p: TwoProcessParams, asleep: bool):
    base = p.l0 if asleep else p.h0
    return lambda t: base + p.a * float(process_c(t % 24.0, p.t0))


def _phase(p: TwoProcessParams, t_a: float, s_a: float, asleep: bool):
    if asleep:
        return lambda t: s_a * np.exp(-(t - t_a) / p.tau_d)
    return lambda t: 1.0 - (1.0 - s_a) * np.exp(-(t - t_a) / p.tau_r)


def exact(t_end: float, t_sample, p: TwoProcessParams | None = None) -> np.ndarray:
    """Process S at ``t_sample`` (h) from the closed form with exactly located switches."""
    p = TwoProcessParams() if p is None else p
    t_sample = np.asarray(t_sample, float)
    out = np.empty(t_sample.size)
    t, s, asleep = 0.0, S0, False
    while t < t_end:
        level, bound = _phase(p, t, s, asleep), _threshold(p, asleep)
        gap = lambda u, level=level, bound=bound: level(u) - bound(u)  # noqa: E731
        grid = t + SCAN_H * np.arange(1, int((t_end - t) / SCAN_H) + 2)
        signs = np.sign([gap(u) for u in grid])
        start = np.sign(gap(t + 1e-9))
        flips = np.flatnonzero(signs != start)
        t_next = t_end if not flips.size else brentq(
            gap, grid[flips[0] - 1] if flips[0] else t + 1e-9, grid[flips[0]], xtol=1e-13,
            rtol=4 * np.finfo(float).eps)
        here = (t_sample >= t) & (t_sample <= t_next)
        out[here] = level(t_sample[here])
        t, s, asleep = t_next, level(t_next), not asleep
    return out


def solve_ivp_events(t_end: float, t_sample, method: str, rtol: float, atol: float,
                     p: TwoProcessParams | None = None) -> tuple[np.ndarray, int]:
    """Process S at ``t_sample`` and the right-hand-side evaluations, from solve_ivp with
    a terminal event at each threshold crossing."""
    p = TwoProcessParams() if p is None else p
    t_sample = np.asarray(t_sample, float)
    out = np.empty(t_sample.size)
    out[0] = S0
    t, y, asleep, nfev = 0.0, np.array([S0]), False, 0
    while t < t_end:
        bound = _threshold(p, asleep)
        if asleep:
            fun = lambda _t, s: -s / p.tau_d  # noqa: E731
        else:
            fun = lambda _t, s: (1.0 - s) / p.tau_r  # noqa: E731
        event = lambda u, s, bound=bound: s[0] - bound(u)  # noqa: E731
        event.terminal, event.direction = True, (-1.0 if asleep else 1.0)
        inside = (t_sample > t) & (t_sample <= t_end)
        sol = solve_ivp(fun, (t, t_end), y, method=method, rtol=rtol, atol=atol,
                        t_eval=t_sample[inside], events=event, max_step=MAX_STEP_H)
        nfev += sol.nfev
        out[np.isin(t_sample, sol.t) & inside] = sol.y[0]
        if sol.status != 1:  # reached t_end without a switch
            break
        t, y, asleep = float(sol.t_events[0][0]), sol.y_events[0][0], not asleep
    return out, nfev
