r"""CP, W' (and Pmax) from an athlete's power-duration bests, with parametric-bootstrap draws.

The fit itself is :func:`physiology.energetics.fit_critical_power` (``"2p"``: P = CP +
W'/t, Clarke & Skiba 2013 Fig. 3; ``"3p"``: Morton 1996). Uncertainty: a parametric
bootstrap (Efron & Tibshirani 1993, ch. 6): new bests are simulated from the fitted curve
plus Gaussian noise of the residual SD (n - k degrees of freedom), each refitted with the
same method; the draws keep the strong negative CP-W' correlation that independent
standard errors would lose. Fewer bests than 3 (2p) or 4 (3p) give no residual SD, and
the population prior scaled by body mass (:func:`calibration.priors.power_duration_prior`)
is used instead by the caller.

References:
    Clarke DC, Skiba PF (2013). Adv Physiol Educ 37:134-152, doi:10.1152/advan.00078.2011.
    Morton RH (1996). A 3-parameter critical power model. Ergonomics 39(4):611-619.
    Efron B, Tibshirani RJ (1993). An Introduction to the Bootstrap. Chapman & Hall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.records import PowerDurationParams
from physiology.energetics import fit_critical_power


@dataclass(frozen=True)
class PowerDurationFit:
    """``point`` and ``draws`` by field name of :class:`PowerDurationParams` (``p_max``
    only for the 3-parameter model); ``model``; ``n`` bests; ``sse`` (W^2 or s^2)."""

    point: dict[str, float]
    draws: dict[str, np.ndarray]
    model: str
    n: int
    sse: float


def fit_power_duration(duration_s, power_w, *, model: str = "2p", n_draws: int = 200,
                       rng: np.random.Generator | None = None) -> PowerDurationFit:
    """Fit CP and W' (``"2p"``) or CP, W' and Pmax (``"3p"``) and bootstrap draws.

    Raises:
        ValueError: as :func:`fit_critical_power` (bad bests), or too few bests for a
            residual SD.
    """
    if model not in ("2p", "3p"):
        raise ValueError(f"model={model!r}: expected '2p' or '3p'")
    t = np.asarray(duration_s, dtype=float)
    p = np.asarray(power_w, dtype=float)
    k = 2 if model == "2p" else 3
    if t.size <= k:
        raise ValueError(f"bests: {t.size} effort(s) for the {model} model; need at least "
                         f"{k + 1} for uncertainty")
    fit = fit_critical_power(t, p, model)
    fields = ["cp", "w_prime"] + (["p_max"] if model == "3p" else [])
    curve = fit.power(t)
    sd = float(np.sqrt(np.sum((p - curve) ** 2) / (t.size - k)))
    rng = rng or np.random.default_rng(0)
    low = {n: s.bounds[0] for n, s in PowerDurationParams.spec().items()}
    high = {n: s.bounds[1] for n, s in PowerDurationParams.spec().items()}
    draws = {f: np.empty(n_draws) for f in fields}
    for i in range(n_draws):
        sim = np.maximum(curve + sd * rng.standard_normal(t.size), 1.0)
        try:
            b = fit_critical_power(t, sim, model)
            vals = [getattr(b, f) for f in fields]
        except ValueError:  # a simulated set the fit refuses: keep the point estimate
            vals = [getattr(fit, f) for f in fields]
        for f, v in zip(fields, vals, strict=True):
            draws[f][i] = float(np.clip(v, low[f], high[f]))
    point = {f: float(getattr(fit, f)) for f in fields}
    return PowerDurationFit(point, draws, model, int(t.size), float(fit.sse))
