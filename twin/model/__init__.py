"""The twin as a model: the coupled day kernel, its sub-daily and match parts, the
athlete parameters, and the one table of its variables.

- :mod:`twin.model.day_kernel`: the physiology day models coupled into one kernel
  (``KERNELS`` by fitness-fatigue model), with named ``DayInputs`` and ``DayOutputs``;
- :mod:`twin.model.clock`: circadian and sleep features per (athlete, itinerary);
- :mod:`twin.model.match`: W' depletion of a planned match;
- :mod:`twin.model.athletes`: prior and calibrated parameter draws;
- :mod:`twin.model.params`: :class:`CouplingParams` and :class:`AthletePriors`;
- :mod:`twin.model.variables`: every kernel input, cube variable and summary outcome.
"""

from twin.model.day_kernel import KERNELS, DayInputs, DayOutputs
from twin.model.params import AthletePriors, CouplingParams
from twin.model.variables import DAILY, INPUTS, SUMMARY, Variable

__all__ = [
    "DAILY",
    "INPUTS",
    "KERNELS",
    "SUMMARY",
    "AthletePriors",
    "CouplingParams",
    "DayInputs",
    "DayOutputs",
    "Variable",
]
