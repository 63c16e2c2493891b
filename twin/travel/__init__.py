"""The travel copilot: when each athlete should seek light, avoid it and sleep around a
tour's kickoffs, optimised through the twin's clock model (issue 17).

- :mod:`.schedule`: a plan's actions, and the light and sleep opportunity they give;
"""

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
    "Masks",
    "TravelLightParams",
    "TravelPlan",
    "apply_plan",
    "masks",
    "planned_light",
]
