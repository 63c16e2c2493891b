"""When an athlete can sleep around matches and flights: the sleep-opportunity schedule.

The habitual sleep window (``athletes[*].sleep.bed``/``wake``) is the athlete's night on
the clock in force. Matches and flights change it (:func:`scenarios.compile_clock`):

- after a match, lights out no earlier than ``post_match_bed_h`` after the final whistle
  (arousal, recovery routines, travel home), the habitual wake time unchanged, so an
  evening kickoff shortens the night and a 15:00 one does not;
- on board, a flight marked awake has no sleep; any other flight allows sleep from
  ``flight_settle_h`` after take-off to ``flight_settle_h`` before landing, and the
  pacemaker sees cabin light except in the habitual night (cabin dimmed);
- a nap is possible from ``nap_start_h`` for ``nap_h`` local on days without a match,
  when not on a pitch or in flight; whether the athlete naps is the sleep model's call
  (spontaneous sleep in the opportunity), so entrained athletes at home do not, and
  jet-lagged ones do. The pacemaker sees indoor light in the nap window (an
  approximation: light is set before sleep is simulated);
- a match occupies the pitch from ``warmup_h`` before kickoff to the final whistle, the
  match length plus ``match_extra_h`` (half-time and stoppages).
"""

from __future__ import annotations

from dataclasses import dataclass

from physiology.params import ParamRecord, param


@dataclass(frozen=True)
class ScheduleParams(ParamRecord):
    """The sleep-opportunity schedule around matches and flights (module docstring)."""

    post_match_bed_h: float = param(
        2.0, units="h", bounds=(1.0, 4.0), domain="[0, 24]",
        source="fitted to the loss after night matches: Roberts, Teo & Warmington 2019 "
               "(BJSM 53:513, meta-analysis, 80 min less sleep after night competition, "
               "20 min after day competition); Nedelec et al. 2019 (J Strength Cond Res "
               "33:174, elite football, actigraphy, 92 min less after kickoffs after "
               "18:00); Sargent et al. 2022 (IJSPP 17:932, sleep onset 1.9 h later)",
        description="lights out after the final whistle, at the earliest")
    flight_settle_h: float = param(
        1.0, units="h", bounds=(0.0, 3.0), domain="[0, 12]",
        source="assumption: boarding, meal service and descent; Fowler et al. 2014 (11 "
               "zones east, 19 h of travel) measured 5.9 h of sleep on board",
        description="no sleep this long after take-off and before landing")
    warmup_h: float = param(
        1.0, units="h", bounds=(0.5, 1.5), domain="[0, 3]",
        source="assumption: warm-up on the pitch under full lighting (UEFA requires full "
               "lighting from 2 h before kickoff)",
        description="on the pitch before kickoff")
    match_extra_h: float = param(
        0.3, units="h", bounds=(0.25, 0.5), domain="[0, 2]",
        source="Laws of the Game: a 15-min half-time; assumption: 3 min of stoppage time",
        description="half-time and stoppages beyond the match length")
    nap_start_h: float = param(
        14.0, units="h", bounds=(12.0, 17.0), domain="[0, 24)",
        source="assumption: an early-afternoon nap slot after the morning session (the "
               "post-lunch dip)",
        description="local start of the nap opportunity")
    nap_h: float = param(
        1.5, units="h", bounds=(0.0, 3.0), domain="[0, 6]",
        source="assumption: up to 90 min (a sleep cycle); 0 switches naps off",
        description="length of the nap opportunity")
