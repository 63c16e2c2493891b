"""The travel copilot: when each athlete should seek light, avoid it and sleep around a
tour's kickoffs, optimised through the twin's clock model (issue 17).

- :mod:`.schedule`: a plan's actions, and the light and sleep opportunity they give;
- :mod:`.problem`: the window, kickoffs, nights and pacemaker draws a plan is made for;
- :mod:`.controls`: block controls and night shifts, and back to actions that meet the
  request (:class:`TravelRequest`);
- :mod:`.rules`: the rule-based baseline (Eastman & Burgess) and doing nothing;
- :mod:`.optimise`: the optimised plan, by gradients through the pacemaker under JAX;
- :mod:`.evaluate`: every strategy scored at the twin's step over the draws;
- :mod:`.plan_file`, :mod:`.calendar`, :mod:`.chart`: ``travel_plan.csv`` (replayed by
  ``twin-run scenario.travel_plan=``), the iCalendar files, ``travel_plan.png``.
"""

from physiology._lazy import lazy_exports

# Imported now: the function ``optimise`` has its module's name, so loading the module
# later (on first use of another name) would put the module, not the function, under
# ``twin.travel.optimise``.
from twin.travel.optimise import Objective as Objective
from twin.travel.optimise import optimise as optimise

# Each other public name and the submodule that defines it, imported on first use (PEP
# 562): replaying a travel plan in twin-run reads plan_file and schedule, not matplotlib
# (chart).
_SUBMODULES = {
    "read_calendar": "twin.travel.calendar",
    "write_calendars": "twin.travel.calendar",
    "ClockSeries": "twin.travel.chart",
    "travel_chart": "twin.travel.chart",
    "TravelRequest": "twin.travel.controls",
    "to_plan": "twin.travel.controls",
    "Scored": "twin.travel.evaluate",
    "reentrainment_days": "twin.travel.evaluate",
    "score": "twin.travel.evaluate",
    "read_travel_plan": "twin.travel.plan_file",
    "write_travel_plan": "twin.travel.plan_file",
    "TravelProblem": "twin.travel.problem",
    "clock_draws": "twin.travel.problem",
    "travel_problem": "twin.travel.problem",
    "nothing_plan": "twin.travel.rules",
    "rule_plan": "twin.travel.rules",
    "ACTIONS": "twin.travel.schedule",
    "Action": "twin.travel.schedule",
    "Masks": "twin.travel.schedule",
    "SOURCES": "twin.travel.schedule",
    "TravelLightParams": "twin.travel.schedule",
    "TravelPlan": "twin.travel.schedule",
    "apply_plan": "twin.travel.schedule",
    "masks": "twin.travel.schedule",
    "planned_light": "twin.travel.schedule",
}

__all__ = sorted([*_SUBMODULES, "Objective", "optimise"])
__getattr__, __dir__ = lazy_exports(__name__, _SUBMODULES)
