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

from twin.travel.calendar import read_calendar, write_calendars
from twin.travel.chart import ClockSeries, travel_chart
from twin.travel.controls import TravelRequest, to_plan
from twin.travel.evaluate import Scored, reentrainment_days, score
from twin.travel.optimise import Objective, optimise
from twin.travel.plan_file import read_travel_plan, write_travel_plan
from twin.travel.problem import TravelProblem, clock_draws, travel_problem
from twin.travel.rules import nothing_plan, rule_plan
from twin.travel.schedule import (
    ACTIONS,
    SOURCES,
    Action,
    Masks,
    TravelLightParams,
    TravelPlan,
    apply_plan,
    masks,
    planned_light,
)

__all__ = [
    "ACTIONS",
    "SOURCES",
    "Action",
    "ClockSeries",
    "Masks",
    "Objective",
    "Scored",
    "TravelLightParams",
    "TravelPlan",
    "TravelProblem",
    "TravelRequest",
    "apply_plan",
    "clock_draws",
    "masks",
    "nothing_plan",
    "optimise",
    "planned_light",
    "read_calendar",
    "read_travel_plan",
    "reentrainment_days",
    "rule_plan",
    "score",
    "to_plan",
    "travel_chart",
    "travel_problem",
    "write_calendars",
    "write_travel_plan",
]
