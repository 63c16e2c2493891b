"""Impulse-response models from daily training load to performance.

- :func:`banister` (:class:`BanisterParams`): two-component fitness-fatigue model;
- :func:`busso` (:class:`BussoParams`): variable dose-response, fatigue gain driven by load;
- :func:`calvert` (:class:`CalvertParams`): fitness with a delayed rise;
- :func:`perpot` (:class:`PerPotParams`): Perl's performance-potential model with overflow.

All take a daily load of shape ``(*batch, T)``, a parameter record whose fields may be
arrays over the batch, ``convention="same-day" | "next-day"`` and
``backend="numba" | "jax"``.

The models by name, each with its parameter record and its kernel
(:class:`physiology.kernels.Kernel`, for coupled models and calibration): :data:`MODELS`,
the one registry of the models.
"""

from physiology.fitness_fatigue._banister import (
    BanisterParams,
    banister,
    banister_response_times,
)
from physiology.fitness_fatigue._busso import BussoParams, BussoResult, busso
from physiology.fitness_fatigue._calvert import CalvertParams, calvert
from physiology.fitness_fatigue._common import CONVENTIONS, FitnessFatigue
from physiology.fitness_fatigue._perpot import PerPotParams, PerPotResult, perpot
from physiology.fitness_fatigue._registry import MODELS, Model

__all__ = [
    "CONVENTIONS",
    "MODELS",
    "BanisterParams",
    "BussoParams",
    "BussoResult",
    "CalvertParams",
    "FitnessFatigue",
    "Model",
    "PerPotParams",
    "PerPotResult",
    "banister",
    "banister_response_times",
    "busso",
    "calvert",
    "perpot",
]
