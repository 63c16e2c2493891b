r"""The rule-based baseline: Eastman & Burgess's jet-lag protocol, from its published rules.

Eastman & Burgess 2009 ("How to travel the world without jet lag", Sleep Med Clin
4:241) and Eastman et al. 2005 (Sleep 28:33), as rules on the traveller's estimated
temperature minimum (Tmin), written here for a squad's tour:

- **Tmin estimated from sleep**: the dim-light melatonin onset about 2 h before the
  habitual bedtime (Eastman & Burgess 2009; Burgess et al. 2003, J Biol Rhythms 18:318)
  and Tmin 7 h after it (the twin's ``DLMO_BEFORE_CBT_H``), so Tmin = bedtime + 5 h, 04:00
  for a 23:00-07:00 sleeper. The estimate's misalignment :math:`e` (body minus local, h)
  starts at 0 at home;
- **before the first flight across 3 or more time zones**: sleep shifted towards the
  destination by ``max_shift_h`` a day (1 h, Eastman et al. 2005: 2 h a day left sleep
  misaligned), up to ``preflight_shift_h`` (3 h: their 3 days), earlier for an eastward
  flight, later for a westward one; intermittent bright light, 30 min of light box then
  30 min of room light for 3.5 h, on waking (east) or before bedtime (west) (Eastman et
  al. 2005: 4 x 30 min of about 5 000 lux). The estimate follows the sleep shift;
- **at each clock change** :math:`\Delta` (h, east positive) the estimate becomes
  :math:`e - \Delta`, wrapped into (-12, 12];
- **after arrival, each local day until** :math:`|e|` < 0.5 h: for a body behind the
  local clock (:math:`e < 0`, to advance) bright light in the 3 h after the estimated
  Tmin and no bright light in the 3 h before it; for a body ahead (to delay) light in the
  3 h before and none in the 3 h after (the phase-response rule: light after Tmin
  advances, before it delays; Eastman & Burgess 2009 figures 2-5). The estimate moves
  by 1 h a day when advancing and 1.5 h when delaying (their planning rates). The window
  lengths (3 h) are this implementation's reading of their figures;
- **sleep at the destination** in the habitual window on the local clock (shift 0), as
  the protocol's travellers do after landing.

Only what the request allows is kept (:func:`twin.travel.controls.to_plan`: light where
it can be had, awake, within the daily caps), as for the optimised plan.
"""

from __future__ import annotations

import numpy as np

from twin.model.clock import wrap_hours
from twin.travel.controls import TravelRequest, project_shifts, to_plan
from twin.travel.problem import BLOCK
from twin.travel.schedule import TravelLightParams, TravelPlan

LONG_HAUL_ZONES = 3.0
RATE_ADVANCE_H, RATE_DELAY_H = 1.0, 1.5
LIGHT_WINDOW_H = 3.0
TMIN_AFTER_BED_H = 5.0


def rule_controls(problem, request: TravelRequest):
    """Block shares of seeking and avoiding light ``(A, nb)`` and night shifts ``(A, N)``
    of the protocol (module docstring), before the request's caps."""
    p = problem
    lo, hi = p.lo, p.hi
    t_b = p.clock.t_h[lo:hi:BLOCK]
    tau_b = p.local_continuous[lo:hi:BLOCK]
    n_a, n_n = p.night_start.shape
    seek, avoid = np.zeros((n_a, t_b.size)), np.zeros((n_a, t_b.size))
    shifts = np.zeros((n_a, n_n))
    changes = p.itinerary.clock_changes(p.season)  # (legs, 2): arrival, change
    long_haul = np.abs(changes[:, 1]) >= LONG_HAUL_ZONES
    if not long_haul.any():
        return seek, avoid, shifts
    first = int(np.flatnonzero(long_haul)[0])
    depart = float(p.itinerary.depart_h[first])
    east = changes[first, 1] > 0
    m, total = float(request.max_shift_h), float(request.preflight_shift_h)
    depart_local = depart + p.clock.utc_offset_h[int(np.searchsorted(p.clock.t_h, depart))]
    wake_len = p.sleep_h
    for a in range(n_a):
        # Pre-flight: the nights before departure, counting back, shifted m, 2m, ... <= total.
        before = np.flatnonzero(p.night_start[a] + p.sleep_h[a] <= depart_local)
        pre = 0.0
        for k, night in enumerate(before[::-1]):
            size = max(total - k * m, 0.0)
            shifts[a, night] = -size if east else size
            pre = max(pre, size)
        for night in before:
            s = shifts[a, night]
            if s == 0.0:
                continue
            start = p.night_start[a, night] + s
            wake = start + wake_len[a]
            window = (tau_b >= wake) & (tau_b < wake + 3.5) if east else \
                (tau_b >= start - 3.5) & (tau_b < start)
            # Intermittent: the first half-hour of each hour lit.
            on = window & (np.floor((tau_b - (wake if east else start - 3.5)) / 0.5 + 1e-9)
                           % 2 == 0)
            seek[a] = np.maximum(seek[a], on)
        # After each long-haul arrival: the estimate's misalignment, day by day.
        e = pre if east else -pre
        tmin_home = p.bed_h[a] + TMIN_AFTER_BED_H
        for leg, (arrive, change) in enumerate(changes):
            e = float(wrap_hours(e - change))
            following = changes[leg + 1, 0] if leg + 1 < len(changes) else np.inf
            day0 = np.floor(tau_b[np.searchsorted(t_b, arrive)] / 24.0) if arrive < t_b[-1] \
                else None
            if day0 is None:
                continue
            for day in range(0, 40):
                # The estimate moves by the rate for each day since arrival.
                rate = RATE_ADVANCE_H if e < 0 else RATE_DELAY_H
                est = np.sign(e) * max(abs(e) - rate * day, 0.0)
                if abs(est) < 0.5:
                    break
                tmin = 24.0 * (day0 + day) + (tmin_home - est) % 24.0  # local, continuous
                after_t = (tau_b >= tmin) & (tau_b < tmin + LIGHT_WINDOW_H)
                before_t = (tau_b >= tmin - LIGHT_WINDOW_H) & (tau_b < tmin)
                span = (t_b >= arrive) & (t_b < following)
                lit, dim = (after_t, before_t) if est < 0 else (before_t, after_t)
                seek[a] = np.maximum(seek[a], lit & span)
                avoid[a] = np.maximum(avoid[a], dim & span & ~(lit & span))
            if leg + 1 < len(changes):
                days_between = (changes[leg + 1, 0] - arrive) / 24.0
                rate = RATE_ADVANCE_H if e < 0 else RATE_DELAY_H
                e = float(np.sign(e) * max(abs(e) - rate * days_between, 0.0))
    return seek, avoid, project_shifts(shifts, p.after_change, request)


def rule_plan(problem, request: TravelRequest, light: TravelLightParams | None = None
              ) -> TravelPlan:
    """The protocol's plan (module docstring), as actions that meet the request."""
    light = light or TravelLightParams()
    seek, avoid, shifts = rule_controls(problem, request)
    return to_plan(problem, "rule", seek, avoid, shifts, request, light)


def nothing_plan(problem, request: TravelRequest, light: TravelLightParams | None = None
                 ) -> TravelPlan:
    """Doing nothing: habitual sleep on the local clock, no light actions."""
    light = light or TravelLightParams()
    n_a, n_n = problem.night_start.shape
    nb = (problem.hi - problem.lo) // BLOCK
    zero = np.zeros((n_a, nb))
    return to_plan(problem, "none", zero, zero, np.zeros((n_a, n_n)), request, light)
