"""A travel plan's body clock across the pacemaker draws, as the twin computes it.

Every strategy (doing nothing, the rule-based protocol, the optimised plan) is scored
the same way: the plan's light and sleep opportunity (:func:`twin.travel.apply_plan` on
the season's clock inputs), the Hannay 2019 pacemaker at the twin's 0.1-h step (Numba,
:func:`physiology.circadian.phase_series`) for every draw of
:class:`twin.travel.problem.TravelProblem`, and the twin's body-clock time and
misalignment (:mod:`twin.model.clock`: the home clock hour plus the body's lead over the
same draw at home, minus the local hour). The optimiser's relaxed, 0.5-h version of the
same computation is only a means to the plan; these numbers are the ones reported.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology.circadian import Hannay19Params, phase_series
from twin.model.clock import wrap_hours
from twin.travel.schedule import TravelLightParams, TravelPlan, apply_plan, masks


class Scored(NamedTuple):
    """A strategy's outcome over the window: misalignment at each kickoff ``(A, D, K)``
    (h, body minus local, in (-12, 12]); the body-clock hour and misalignment on the
    window's grid ``(A, D, n)``; the clock inputs under the plan."""

    kickoff_misalignment: np.ndarray
    body_hour: np.ndarray
    misalignment: np.ndarray
    clock: object

    def mean_abs_kickoff(self) -> float:
        """Mean absolute misalignment at kickoff (h): over athletes, draws and kickoffs."""
        return float(np.mean(np.abs(self.kickoff_misalignment)))


def plan_masks(problem, plan: TravelPlan | None):
    """Each athlete's :class:`twin.travel.Masks` of ``plan`` on the season's grid (None
    where the plan has no action for the athlete, or no plan)."""
    if plan is None:
        return [None] * len(problem.ids)
    return [masks(acts, plan.window_h, problem.clock.t_h) if (acts := plan.of(aid)) else None
            for aid in problem.ids]


def score(problem, plan: TravelPlan | None, light: TravelLightParams | None = None,
          backend: str = "numba") -> Scored:
    """The plan's body clock for every athlete and draw (module docstring)."""
    clock = apply_plan(problem.clock, plan_masks(problem, plan), light)
    lo, hi = problem.lo, problem.hi
    params = problem.draws.params()
    n_a, n_d = params.tau.shape
    local = problem.clock.local_hour[lo:hi]
    home_local = problem.home_local[lo:hi]
    body = np.empty((n_a, n_d, hi - lo))
    for a in range(n_a):
        p = Hannay19Params(tau=params.tau[a], i0=params.i0[a])
        ph, _ = phase_series(np.broadcast_to(clock.light_lux[a, lo:hi], (n_d, hi - lo)),
                             problem.dt, "hannay19", problem.state0[a], p, backend=backend)
        for k, (grid, hours) in enumerate(problem.tables[a]):
            mapped = np.interp((ph[k] - grid[0]) % (2 * np.pi) + grid[0], grid, hours) % 24.0
            body[a, k] = (home_local + wrap_hours(mapped - problem.ref_hours[a, k])) % 24.0
    mis = wrap_hours(body - local)
    return Scored(mis[..., problem.kick_steps - lo], body, mis, clock)


def reentrainment_days(misalignment, t_h, arrive_h: float, tol_h: float = 1.0,
                       settled=0.0) -> np.ndarray:
    """Days from ``arrive_h`` until the misalignment stays within ``tol_h`` (h) of
    ``settled`` (the destination's entrained misalignment; default 0) for the rest of
    the series, per leading index (NaN if it never does)."""
    mis = np.asarray(misalignment, float) - np.asarray(settled, float)[..., None]
    after = np.asarray(t_h) >= arrive_h
    out_of = np.abs(mis[..., after]) > tol_h
    t_after = np.asarray(t_h)[after]
    flat = out_of.reshape(-1, out_of.shape[-1])
    days = np.empty(flat.shape[0])
    for i, row in enumerate(flat):
        if row[-1]:
            days[i] = np.nan
        else:
            last = np.flatnonzero(row)
            days[i] = 0.0 if last.size == 0 else (t_after[last[-1]] + (t_after[1] - t_after[0])
                                                   - arrive_h) / 24.0
    return days.reshape(out_of.shape[:-1])
