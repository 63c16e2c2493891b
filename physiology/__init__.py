"""Physiological and biomechanical models of the athlete twin.

Each model's equations are written once, as scalar Python, and compiled twice (Numba
and JAX; see :mod:`physiology.kernels`). Subpackages:

- :mod:`physiology.load`: training-load metrics (session-RPE, TRIMP, PMC, ACWR,
  monotony and strain);
- :mod:`physiology.fitness_fatigue`: impulse-response performance models (Banister,
  Busso, Calvert, PerPot);
- :mod:`physiology.energetics`: critical power, W' balance, match W' features;
- :mod:`physiology.tissue`: spring-mass running loads, tissue fatigue damage;
- :mod:`physiology.injury`: injury hazard, Monte-Carlo injuries, random streams;
- :mod:`physiology.circadian`: light-driven pacemakers, markers, jet lag;
- :mod:`physiology.sleep`: the two-process model, sleep debt, three-process alertness.

Parameter records (:mod:`physiology.params`) carry units, defaults, bounds and sources;
:mod:`physiology.validate` holds the input checks whose errors name argument, index and
value; :mod:`physiology.kernels` is the kernel API every model is written against.
"""

from physiology.params import Interval, Param, ParamRecord, param, params_from

__all__ = ["Interval", "Param", "ParamRecord", "param", "params_from"]
