r"""A travel plan, and what it does to the light at the eye and the sleep opportunity.

A plan is a list of actions per athlete (:class:`Action`), each an interval in season
hours (UTC, hours since 00:00 UTC on the season's first day, as the scenario compiler's
``t_h``):

- ``seek_light``: bright light, from ``source`` ``daylight`` (outdoors: the sun at the
  venue, :func:`physiology.circadian.light_at_eye` outdoors) or ``light_box`` (a light box
  at the eye, :class:`TravelLightParams`);
- ``avoid_light``: dark glasses (or a dim room) when up: the light at the eye times the
  glasses' luminous transmittance;
- ``sleep``: in bed with the lights out (``source`` ``bed``), or asleep on board
  (``flight``: an eye mask in the part of a flight where sleep is possible).

Within the plan's window (``window_h``) the planned sleep replaces the habitual sleep
window; outside it the athlete keeps the habitual one. On the grid (step :math:`i`
covering :math:`[t_i, t_i + \Delta t)`), with the plan's shares :math:`s_i` (seeking),
:math:`a_i` (avoiding) and :math:`d_i` (dark, in bed), the light at the eye is

.. math::

    E_i = (1 - d_i)\Big((1 - a_i)\big(E^{up}_i + s_i \max(B_i - E^{up}_i, 0)\big)
          + a_i\, \tau\, E^{up}_i\Big)

with :math:`E^{up}` the light when up (:attr:`scenarios.ClockInputs.awake_lux`),
:math:`B` the bright source and :math:`\tau` the transmittance. A returned plan has
shares 0 or 1 (:func:`masks`); the optimiser (:mod:`twin.travel.optimise`) relaxes them
to [0, 1] and runs the same function (:func:`planned_light`, written once for NumPy and
JAX) through the same pacemaker kernel the twin runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology.params import ParamRecord, param

ACTIONS = ("seek_light", "avoid_light", "sleep")
SOURCES = {"seek_light": ("daylight", "light_box"), "avoid_light": ("glasses",),
           "sleep": ("bed", "flight")}


class Action(NamedTuple):
    """One action of one athlete: start (season hours, UTC), duration (h), what
    (:data:`ACTIONS`) and how (:data:`SOURCES`), and where: the place (venue name) and its
    IANA time zone, for local times."""

    athlete: str  # public id
    start_h: float
    duration_h: float
    action: str
    source: str
    place: str
    tz: str


@dataclass(frozen=True)
class TravelPlan:
    """A strategy's actions for a squad over ``window_h`` (season hours, UTC, [start,
    end)); ``strategy`` names it (``twin``, ``rule``: Eastman & Burgess, ``none``)."""

    strategy: str
    window_h: tuple[float, float]
    actions: tuple[Action, ...]

    def of(self, athlete: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.athlete == athlete)

    @property
    def athletes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.athlete for a in self.actions))


@dataclass(frozen=True)
class TravelLightParams(ParamRecord):
    """Light levels of a travel plan's actions (module docstring)."""

    light_box_lux: float = param(
        5000.0, units="lux", bounds=(2500.0, 10000.0), domain="(0, inf)",
        source="Eastman et al. 2005 (Sleep 28:33) and Crowley & Eastman 2015 (Sleep Med "
               "16:288): light boxes of about 5 000 lux at the eye in the pre-flight "
               "advancing protocol; 10 000 lux boxes at their rated distance at most",
        description="illuminance at the eye from a light box")
    glasses_transmittance: float = param(
        0.13, units="1", bounds=(0.03, 0.43), domain="(0, 1]",
        source="ISO 12312-1 filter category 3 (dark sunglasses): luminous transmittance "
               "8-18 %; the range spans categories 4 (3-8 %) to 2 (18-43 %)",
        description="share of the light that reaches the eye through dark glasses")


def planned_light(xp, awake_lux, dark, seek, avoid, bright, transmittance):
    """The light at the eye under a plan (module docstring), element-wise, for the array
    namespace ``xp`` (``numpy`` or ``jax.numpy``): the one formula the replay and the
    optimiser share."""
    lit = awake_lux + seek * xp.maximum(bright - awake_lux, 0.0)
    return (1.0 - dark) * ((1.0 - avoid) * lit + avoid * transmittance * awake_lux)


def bright_source(outdoor_lux, light_box, params: TravelLightParams):
    """The bright light of a seeking step: the light box's where ``light_box``, else
    daylight outdoors."""
    return np.where(light_box, params.light_box_lux, outdoor_lux)


class Masks(NamedTuple):
    """One athlete's plan on the grid, ``(T,)`` bool each: seeking bright light, from a
    light box, avoiding it, in bed (planned sleep), and inside the plan's window."""

    seek: np.ndarray
    light_box: np.ndarray
    avoid: np.ndarray
    bed: np.ndarray
    window: np.ndarray


def steps_of(t_h: np.ndarray, start_h: float, duration_h: float) -> np.ndarray:
    """Grid steps in ``[start_h, start_h + duration_h)`` (a step by its start time; times
    within 1e-6 h of a boundary count as on it)."""
    t = np.asarray(t_h, float)
    return (t >= start_h - 1e-6) & (t < start_h + duration_h - 1e-6)


def masks(actions, window_h, t_h) -> Masks:
    """Rasterise one athlete's actions onto the grid ``t_h`` (season hours, UTC)."""
    t = np.asarray(t_h, float)
    out = {k: np.zeros(t.size, bool) for k in ("seek", "light_box", "avoid", "bed")}
    for a in actions:
        on = steps_of(t, a.start_h, a.duration_h)
        if a.action == "seek_light":
            out["seek"] |= on
            if a.source == "light_box":
                out["light_box"] |= on
        elif a.action == "avoid_light":
            out["avoid"] |= on
        elif a.action == "sleep":
            out["bed"] |= on
        else:
            raise ValueError(f"action {a.action!r}: expected one of {ACTIONS}")
    window = steps_of(t, window_h[0], window_h[1] - window_h[0])
    return Masks(**out, window=window)


def apply_plan(clock, plans, params: TravelLightParams | None = None):
    """The clock inputs of one itinerary (:class:`scenarios.ClockInputs`, ``A`` athletes)
    under a plan: ``plans`` gives per athlete its :class:`Masks` (None: no plan). Inside
    an athlete's window the planned sleep (where sleep is allowed: not on the pitch, in a
    session, in flight or just after a match) replaces the habitual window; planned
    sleep on board is dark where the flight allows sleep; the light follows
    :func:`planned_light`. Outside the window, and for athletes without a plan, the
    inputs are the clock's own, bit for bit."""
    import dataclasses

    params = params or TravelLightParams()
    light, sleep, dark = clock.light_lux.copy(), clock.sleep.copy(), clock.dark.copy()
    for a, m in enumerate(plans):
        if m is None:
            continue
        w = m.window
        in_bed = m.bed & clock.sleep_allowed
        on_board = m.bed & clock.settled
        new_dark = in_bed | on_board
        new_sleep = in_bed | clock.settled | clock.nap
        bright = bright_source(clock.outdoor_lux, m.light_box, params)
        lux = planned_light(np, clock.awake_lux, new_dark.astype(float),
                            (m.seek & ~new_dark).astype(float),
                            (m.avoid & ~new_dark).astype(float), bright,
                            params.glasses_transmittance)
        light[a] = np.where(w, lux, light[a])
        sleep[a] = np.where(w, new_sleep, sleep[a])
        dark[a] = np.where(w, new_dark, dark[a])
    return dataclasses.replace(clock, light_lux=light, sleep=sleep, dark=dark)
