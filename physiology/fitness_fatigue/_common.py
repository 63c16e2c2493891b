"""What the impulse-response models share: the day conventions and the result type."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import _validate
from physiology._compile.kernel import Kernel, run
from physiology.params import ParamRecord

#: Day conventions by name, as the ``lag`` (days) between a load and its first effect.
#: ``"same-day"``: day t's load counts in day t's performance (Clarke & Skiba 2013).
#: ``"next-day"``: performance on day t sees loads of days < t only (Busso 2003,
#: performance measured before that day's training).
CONVENTIONS = {"same-day": 0.0, "next-day": 1.0}


class FitnessFatigue(NamedTuple):
    """Daily model response, each of shape ``(*batch, T)``.

    ``performance`` in the units of ``p0``; ``fitness`` and ``fatigue`` are the positive
    and negative components in the same units, so ``performance = p0 + fitness - fatigue``.
    """

    performance: np.ndarray
    fitness: np.ndarray
    fatigue: np.ndarray


def simulate(kernel: Kernel, record: ParamRecord, load, convention: str, backend: str):
    """Validate and run an impulse-response kernel whose last parameter is the lag."""
    load = _validate.series("load", load)
    lag = CONVENTIONS[_validate.choice("convention", convention, CONVENTIONS)]
    out, _ = run(kernel, (load,), (*record.values(), lag), backend=backend)
    return out
