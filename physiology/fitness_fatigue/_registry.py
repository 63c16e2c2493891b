"""The fitness-fatigue models by name: the one registry calibration, the twin and its
configs read (each adds only what is its own: calibration its fitting hints, the twin its
coupled day kernels for the models it couples)."""

from __future__ import annotations

from typing import NamedTuple

from physiology.fitness_fatigue import _banister, _busso, _calvert, _perpot
from physiology.kernels import Kernel


class Model(NamedTuple):
    """A fitness-fatigue model: its parameter record and its kernel (whose parameters are
    the record's fields, then the day convention's lag)."""

    record: type
    kernel: Kernel


MODELS: dict[str, Model] = {
    "banister": Model(_banister.BanisterParams, _banister.KERNEL),
    "busso": Model(_busso.BussoParams, _busso.KERNEL),
    "calvert": Model(_calvert.CalvertParams, _calvert.KERNEL),
    "perpot": Model(_perpot.PerPotParams, _perpot.KERNEL),
}
