"""What the impulse-response models share: the day conventions and the result type."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, run
from physiology.params import ParamRecord, param

_CS13 = "Clarke & Skiba 2013, Fig. 6 (illustrative parameter set)"

# The parameters the impulse-response models share, declared once (each call makes a new
# dataclass field, as every record needs its own).


def baseline():
    """``p0``: performance with no training history."""
    return param(500.0, units="performance units", bounds=(0.0, 1e4), source=_CS13,
                 description="baseline performance p0")


def gain(default: float, description: str, *, units: str = "performance units/AU",
         bounds: tuple[float, float] = (1e-6, 10.0), source: str = _CS13):
    """A non-negative gain (``k1``, ``k2``, ``k3``)."""
    return param(default, units=units, bounds=bounds, source=source, domain="[0, inf)",
                 description=description)


def time_constant(default: float, bounds: tuple[float, float], description: str, *,
                  source: str = _CS13):
    """A positive time constant in days (``tau1``, ``tau2``, ``tau3``)."""
    return param(default, units="d", bounds=bounds, source=source, domain="(0, inf)",
                 description=description)


def fitness_decay():
    return time_constant(27.0, (1.0, 100.0), "fitness decay time constant")


def fatigue_decay():
    return time_constant(10.0, (0.5, 60.0), "fatigue decay time constant")

#: Day conventions by name, as the ``lag`` (days) between a load and its first effect.
#: ``"same-day"``: day t's load counts in day t's performance (Clarke & Skiba 2013).
#: ``"next-day"``: performance on day t sees loads of days < t only (Busso 2003,
#: performance measured before that day's training).
CONVENTIONS = {"same-day": 0.0, "next-day": 1.0}


class LoadInput(NamedTuple):
    """The one input of every fitness-fatigue kernel: the day's training load (AU)."""

    load: float


class FitnessFatigue(NamedTuple):
    """Daily model response, each of shape ``(*batch, T)``.

    ``performance`` in the units of ``p0``; ``fitness`` and ``fatigue`` are the positive
    and negative components in the same units, so ``performance = p0 + fitness - fatigue``.

    Also the kernel's ``Outputs`` (one day's floats inside the kernel).
    """

    performance: np.ndarray
    fitness: np.ndarray
    fatigue: np.ndarray


def simulate(kernel: Kernel, record_type: type[ParamRecord], params: ParamRecord | None,
             load, convention: str, backend: str, state0=None):
    """Validate and run an impulse-response kernel whose last parameter is the lag.

    ``params`` must be a ``record_type`` (default: its defaults), so a record of another
    model, a dict or a tuple is refused rather than read in the wrong order.
    """
    params = validate.record("params", params, record_type)
    load = validate.series("load", load)
    lag = CONVENTIONS[validate.choice("convention", convention, CONVENTIONS)]
    out, _ = run(kernel, (load,), (*params.values(), lag), state0, backend=backend)
    return out
