r"""Population priors for parameters an athlete's records cannot identify.

Tissue (:class:`physiology.tissue.TissueParams`) parameters (the injury hazard has no
per-athlete prior: the twin uses its record, or a club's fit, :mod:`calibration.injury`):
each field is drawn log-normally
about its record default (the record's cited or labelled source is the prior median)
with a coefficient of variation :data:`PRIOR_CV` (assumption: 30 % between athletes),
truncated to the record's plausible bounds; fields whose default is 0 or whose domain
includes 0 are drawn normally with the same relative SD. Tissue loads are in body weights
(the spring-mass peak force over m g), so body mass cancels and is not used.

Power-duration without enough bests: CP and W' scale with body mass (allometric exponent
1 for trained adults, as CP and W' are usually reported per kg): CP = 4.0 W/kg and W' =
250 J/kg (assumption: mid-range of trained endurance athletes, Jones et al. 2010), each
with CV 20 %.

References:
    Jones AM, Vanhatalo A, Burnley M, Morton RH, Poole DC (2010). Critical power:
    implications for determination of VO2max and exercise tolerance. Med Sci Sports
    Exerc 42(10):1876-1890.
"""

from __future__ import annotations

import numpy as np

from calibration.records import PowerDurationParams
from physiology.params import ParamRecord

PRIOR_CV = 0.30
CP_PER_KG, W_PRIME_PER_KG, PD_CV = 4.0, 250.0, 0.20


def _draw(median: float, cv: float, bounds, n: int, rng) -> np.ndarray:
    lo, hi = bounds
    if median > 0:
        sigma = np.sqrt(np.log1p(cv**2))
        x = median * np.exp(sigma * rng.standard_normal(n))
    else:  # a zero default: a half-normal with SD of cv times the upper bound's scale
        x = np.abs(cv * hi * rng.standard_normal(n))
    return np.clip(x, lo, hi)


def record_prior(record: type[ParamRecord], n_draws: int, rng: np.random.Generator,
                 cv: float = PRIOR_CV) -> dict[str, tuple[float, np.ndarray]]:
    """``{field: (median, draws)}`` for every field of ``record`` (module docstring)."""
    out = {}
    for name, p in record.spec().items():
        out[name] = (float(p.default), _draw(float(p.default), cv, p.bounds, n_draws, rng))
    return out


def power_duration_prior(body_mass_kg: float, n_draws: int,
                         rng: np.random.Generator) -> dict[str, tuple[float, np.ndarray]]:
    """CP and W' from body mass (module docstring)."""
    if not body_mass_kg > 0:
        raise ValueError(f"body_mass_kg = {body_mass_kg!r}: expected a mass > 0 kg")
    spec = PowerDurationParams.spec()
    out = {}
    for name, per_kg in (("cp", CP_PER_KG), ("w_prime", W_PRIME_PER_KG)):
        median = float(np.clip(per_kg * body_mass_kg, *spec[name].bounds))
        out[name] = (median, _draw(median, PD_CV, spec[name].bounds, n_draws, rng))
    return out
