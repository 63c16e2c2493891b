"""The parameter records a squad calibration file may carry, by model name.

A parameter is named ``"<model>.<field>"`` (``"banister.tau1"``, ``"power_duration.cp"``,
``"circadian.taux"``): the model is a key of :data:`RECORDS`, the field a field of its
record, and units, bounds and sources come from that record. Two small records live here
because no physiology record holds them yet:

- :class:`PowerDurationParams`: CP, W' and Pmax as fitted by
  :func:`physiology.energetics.fit_critical_power` (units as its ``CriticalPowerFit``);
- :class:`CircadianPhaseParams`: the home phase of the body clock (DLMO clock time), the
  calibrated initial condition of the circadian models, stored as ``circadian.dlmo_h``
  beside :class:`physiology.circadian.Forger99Params`' fields;
- :class:`SleepNeedParams`: the athlete's sleep need, ``sleep.need_h``, which the twin's
  sleep debt is owed against (:func:`calibration.fit_sleep_need`).
"""

from __future__ import annotations

from dataclasses import dataclass

from physiology.circadian import Forger99Params
from physiology.fitness_fatigue import MODELS as FITNESS_FATIGUE
from physiology.injury import HazardParams
from physiology.params import Param, ParamRecord, param
from physiology.tissue import TissueParams

_PD = ("assumption: typical of trained adults (CP 3-5 W/kg, W' 150-350 J/kg for 60-90 kg); "
       "fitted per athlete from power-duration bests (Clarke & Skiba 2013, Fig. 3)")


@dataclass(frozen=True)
class PowerDurationParams(ParamRecord):
    """Critical power, W' and peak power (Monod & Scherrer 1965; Morton 1996)."""

    cp: float = param(280.0, units="W", bounds=(50.0, 600.0), domain="(0, inf)", source=_PD,
                      description="critical power CP")
    w_prime: float = param(20_000.0, units="J", bounds=(2_000.0, 60_000.0),
                           domain="(0, inf)", source=_PD, description="work capacity W'")
    p_max: float = param(1_000.0, units="W", bounds=(200.0, 3_000.0), domain="(0, inf)",
                         source=_PD, description="peak power Pmax (3-parameter fit)")


@dataclass(frozen=True)
class CircadianPhaseParams(ParamRecord):
    """Home phase of the body clock: clock time of dim-light melatonin onset."""

    dlmo_h: float = param(21.0, units="h", bounds=(17.0, 27.0), domain="(0, 48)",
                          source="Burgess & Eastman 2005: DLMO about 2 h before habitual "
                                 "sleep onset; typical 20-22 h in adults",
                          description="habitual DLMO clock time at home (24 h clock, "
                                      "may exceed 24 for late chronotypes)")


@dataclass(frozen=True)
class SleepNeedParams(ParamRecord):
    """The sleep an athlete needs a night (the twin's debt is owed against it)."""

    need_h: float = param(8.3, units="h", bounds=(4.0, 12.0), domain="(0, 24)",
                          source="Sargent et al. 2021 (IJSPP 16:1746): elite athletes' "
                                 "self-assessed need 8.3 +- 0.9 h (175 athletes, 12 sports)",
                          description="sleep need per night")


#: Records by model name; ``circadian`` joins Forger99Params and the phase record.
RECORDS: dict[str, tuple[type[ParamRecord], ...]] = {
    "banister": (FITNESS_FATIGUE["banister"].record,),
    "busso": (FITNESS_FATIGUE["busso"].record,),
    "power_duration": (PowerDurationParams,),
    "circadian": (Forger99Params, CircadianPhaseParams),
    "tissue": (TissueParams,),
    "hazard": (HazardParams,),
    "sleep": (SleepNeedParams,),
}


def param_spec(name: str) -> Param:
    """The :class:`Param` of ``"<model>.<field>"``; ``ValueError`` naming it if unknown."""
    model, _, field = name.partition(".")
    if model not in RECORDS:
        raise ValueError(f"parameter {name!r}: model {model!r} is not one of {tuple(RECORDS)}")
    for record in RECORDS[model]:
        spec = record.spec()
        if field in spec:
            return spec[field]
    fields = [f for r in RECORDS[model] for f in r.names()]
    raise ValueError(f"parameter {name!r}: {field!r} is not a field of {model} ({fields})")


def qualified(model: str, record: type[ParamRecord] | None = None) -> list[str]:
    """All ``"<model>.<field>"`` names of a model (or of one of its records)."""
    records = (record,) if record else RECORDS[model]
    return [f"{model}.{f}" for r in records for f in r.names()]
