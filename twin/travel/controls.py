"""A plan as controls on 0.5-h blocks and per-night sleep shifts, and back to actions.

Both strategies that act (the rule-based protocol, :mod:`twin.travel.rules`, and the
optimiser, :mod:`twin.travel.optimise`) decide, per athlete, a share of each 0.5-h block
of the window spent seeking bright light and avoiding it, and a shift :math:`s_n` (h) of
each night's habitual sleep window on the local clock in force. :func:`to_plan` turns
them into the actions a person follows, and every constraint of the request holds
exactly there (the tests check each on the returned actions):

- bright light only where it can be had: not in flight, not on the pitch or in a session
  (already outdoors), daylight only while the sun is up where the athlete is, a light box
  at any other time when the request allows one (``light_box``);
- dark glasses not on the pitch or in a session;
- at most ``max_seek_h`` of bright light and ``max_avoid_h`` of avoidance a local day
  (the blocks with the largest shares kept);
- sleep only where the twin allows it (not on the pitch, in a session, in flight or just
  after a match; on board where the flight allows sleep), the shift of a night within
  ``max_offset_h`` of the habitual window and within ``max_shift_h`` of the night
  before (a night after a flight across time zones starts afresh on the new clock: the
  flight sets it), the window's first night within ``max_shift_h`` of habitual, and its
  nights after the last clock change able to return to habitual by its end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios import ConfigError
from twin.travel.problem import BLOCK
from twin.travel.schedule import Action, TravelLightParams, TravelPlan


@dataclass(frozen=True)
class TravelRequest:
    """What a plan may do (module docstring); checked by :meth:`check`."""

    days_before: int = 4
    days_after: int = 3
    light_box: bool = True
    max_seek_h: float = 4.0
    max_avoid_h: float = 8.0
    max_shift_h: float = 1.0
    max_offset_h: float = 3.0
    preflight_shift_h: float = 3.0  # the rule-based protocol's pre-flight shift

    def check(self, key: str = "travel") -> TravelRequest:
        """Itself, or ``ConfigError`` naming the setting that cannot be met."""
        for name, lo, hi in (("max_seek_h", 0.0, 24.0), ("max_avoid_h", 0.0, 24.0),
                             ("max_shift_h", 0.0, 12.0), ("max_offset_h", 0.0, 12.0),
                             ("preflight_shift_h", 0.0, 12.0)):
            v = float(getattr(self, name))
            if not lo <= v <= hi:
                raise ConfigError(f"{key}.{name} = {v:g}: expected hours in [{lo:g}, {hi:g}]")
        need = self.preflight_shift_h
        if need > self.max_offset_h + 1e-9:
            raise ConfigError(
                f"{key}.preflight_shift_h = {need:g}: a sleep shift beyond "
                f"{key}.max_offset_h = {self.max_offset_h:g} h; expected at most that")
        if need > self.days_before * self.max_shift_h + 1e-9:
            per_day = need / self.days_before if self.days_before else float("inf")
            raise ConfigError(
                f"{key}.max_shift_h = {self.max_shift_h:g}: shifting sleep "
                f"{need:g} h before departure in {key}.days_before = {self.days_before} "
                f"day(s) needs {per_day:g} h a day; expected a request within "
                f"{self.max_shift_h:g} h a day (more days before, or a smaller "
                f"{key}.preflight_shift_h)")
        return self


class Allowed:
    """Where each action is possible on the window's 0.1-h grid (module docstring)."""

    def __init__(self, problem, request: TravelRequest, light: TravelLightParams):
        c, lo, hi = problem.clock, problem.lo, problem.hi
        self.sun_up = c.elevation_deg[lo:hi] > 0.0
        outdoors = c.outdoors[lo:hi]
        box = bool(request.light_box)
        self.seek = ~c.in_flight[lo:hi] & ~outdoors & (self.sun_up | box)
        self.avoid = ~outdoors
        self.sleep = c.sleep_allowed[lo:hi]
        self.settled = c.settled[lo:hi]
        outdoor = c.outdoor_lux[lo:hi]
        self.light_box = box & (~self.sun_up | (outdoor < light.light_box_lux))
        self.bright = np.where(self.light_box, light.light_box_lux, outdoor)
        self.awake_lux = c.awake_lux[lo:hi]


def project_shifts(s, after_change, request: TravelRequest) -> np.ndarray:
    """Sleep shifts ``(A, N)`` made feasible (module docstring): per night, within the
    bound and within ``max_shift_h`` of the night before (0 before the first)."""
    s = np.array(s, float)
    m, bound = float(request.max_shift_h), float(request.max_offset_h)
    n = s.shape[-1]
    last_change = int(np.flatnonzero(after_change)[-1]) if np.any(after_change) else -1
    limit = np.full(n, bound)
    tail = np.arange(n) >= max(last_change, 0)
    limit[tail] = np.minimum(bound, (n - np.arange(n))[tail] * m)
    prev = np.zeros(s.shape[:-1])
    for k in range(n):
        lo, hi = -limit[k], limit[k]
        if not after_change[k]:
            lo, hi = np.maximum(prev - m, lo), np.minimum(prev + m, hi)
        s[..., k] = np.clip(s[..., k], lo, hi)
        prev = s[..., k]
    return s


def bed_mask(problem, shifts) -> np.ndarray:
    """Planned in-bed steps of the window ``(A, n)``: the shifted nights (module
    docstring of :mod:`twin.travel.problem`) on the continuous local clock."""
    lo, hi = problem.lo, problem.hi
    tau = problem.local_continuous[lo:hi]
    start = problem.night_start + shifts  # (A, N)
    end = start + problem.sleep_h[:, None]
    out = np.zeros((start.shape[0], hi - lo), bool)
    for k in range(start.shape[1]):
        out |= (tau[None] >= start[:, k:k + 1] - 1e-9) & (tau[None] < end[:, k:k + 1] - 1e-9)
    return out


def _cap(share, allowed, hours: float, day_of: np.ndarray) -> np.ndarray:
    """Blocks kept on: share above 0.5 where allowed, at most ``hours`` a local day
    (largest shares first). ``share`` ``(nb,)`` per block, ``allowed`` ``(nb,)``."""
    on = (share > 0.5) & allowed
    keep = np.zeros_like(on)
    most = int(np.floor(hours / (BLOCK * 0.1) + 1e-9))
    for d in np.unique(day_of[on]):
        idx = np.flatnonzero(on & (day_of == d))
        keep[idx[np.argsort(-share[idx], kind="stable")[:most]]] = True
    return keep


def _runs(mask: np.ndarray):
    """(start, stop) index pairs of the True runs of a 1-d mask."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True)


def to_plan(problem, strategy: str, seek, avoid, shifts, request: TravelRequest,
            light: TravelLightParams) -> TravelPlan:
    """The actions of block shares ``seek``/``avoid`` ``(A, nb)`` and night shifts
    ``(A, N)`` (module docstring); every constraint holds on what is returned."""
    allowed = Allowed(problem, request, light)
    lo, hi = problem.lo, problem.hi
    t = problem.clock.t_h[lo:hi]
    dt = problem.dt
    shifts = project_shifts(np.round(np.asarray(shifts, float) / dt) * dt,
                            problem.after_change, request)
    bed = bed_mask(problem, shifts)
    # A block is allowed when every step of it is (actions are whole blocks).
    blocks = lambda m: m.reshape(-1, BLOCK).all(axis=1)  # noqa: E731
    local_day = np.floor(problem.local_continuous[lo:hi] / 24.0).astype(int)[::BLOCK]
    venue = problem.clock.venue[lo:hi]
    places = problem.itinerary.venues
    actions = []
    for a, aid in enumerate(problem.ids):
        awake = ~(bed[a] & (allowed.sleep | allowed.settled))
        steps = {}
        for name, share, ok, hours in (("seek", seek, allowed.seek, request.max_seek_h),
                                       ("avoid", avoid, allowed.avoid, request.max_avoid_h)):
            keep = _cap(np.asarray(share[a], float), blocks(ok & awake), hours, local_day)
            steps[name] = np.repeat(keep, BLOCK)
        steps["avoid"] &= ~steps["seek"]
        in_bed = bed[a] & allowed.sleep
        on_board = bed[a] & allowed.settled
        for mask, action, source in (
                (steps["seek"] & allowed.light_box, "seek_light", "light_box"),
                (steps["seek"] & ~allowed.light_box, "seek_light", "daylight"),
                (steps["avoid"], "avoid_light", "glasses"),
                (in_bed, "sleep", "bed"), (on_board, "sleep", "flight")):
            for i, j in _runs(mask):
                v = places[int(venue[i])]
                actions.append(Action(aid, float(t[i]), round((j - i) * dt, 10), action,
                                      source, v.name, v.tz))
    actions.sort(key=lambda x: (problem.ids.index(x.athlete), x.start_h, x.action))
    return TravelPlan(strategy, (float(t[0]), float(t[-1] + dt)), tuple(actions))
