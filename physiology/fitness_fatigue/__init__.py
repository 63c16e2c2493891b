"""Impulse-response models from daily training load to performance.

- :func:`banister` (:class:`BanisterParams`): two-component fitness-fatigue model;
- :func:`busso` (:class:`BussoParams`): variable dose-response, fatigue gain driven by load;
- :func:`calvert` (:class:`CalvertParams`): fitness with a delayed rise;
- :func:`perpot` (:class:`PerPotParams`): Perl's performance-potential model with overflow.

All take a daily load of shape ``(*batch, T)``, a parameter record whose fields may be
arrays over the batch, ``convention="same-day" | "next-day"`` and
``backend="numba" | "jax"``.

Each model's kernel (:class:`physiology.kernels.Kernel`) is public for coupled models
and calibration: :data:`BANISTER_KERNEL`, :data:`BUSSO_KERNEL`, :data:`CALVERT_KERNEL`,
:data:`PERPOT_KERNEL`.
"""

from physiology.fitness_fatigue._banister import KERNEL as BANISTER_KERNEL
from physiology.fitness_fatigue._banister import (
    BanisterParams,
    banister,
    banister_response_times,
)
from physiology.fitness_fatigue._busso import KERNEL as BUSSO_KERNEL
from physiology.fitness_fatigue._busso import BussoParams, BussoResult, busso
from physiology.fitness_fatigue._calvert import KERNEL as CALVERT_KERNEL
from physiology.fitness_fatigue._calvert import CalvertParams, calvert
from physiology.fitness_fatigue._common import CONVENTIONS, FitnessFatigue
from physiology.fitness_fatigue._perpot import KERNEL as PERPOT_KERNEL
from physiology.fitness_fatigue._perpot import PerPotParams, PerPotResult, perpot

__all__ = [
    "BANISTER_KERNEL",
    "BUSSO_KERNEL",
    "CALVERT_KERNEL",
    "CONVENTIONS",
    "PERPOT_KERNEL",
    "BanisterParams",
    "BussoParams",
    "BussoResult",
    "CalvertParams",
    "FitnessFatigue",
    "PerPotParams",
    "PerPotResult",
    "banister",
    "banister_response_times",
    "busso",
    "calvert",
    "perpot",
]
