"""Each athlete's parameters per Monte-Carlo draw, and the habitual state the season starts from.

Fitness-fatigue parameters come from a squad calibration file (``athletes.parameters``,
written by ``twin-calibrate``) when it has them, one calibration draw per twin draw
(cycling when the file has fewer); otherwise from the documented priors
(:class:`twin.AthletePriors`): lognormal with the given median and coefficient of
variation, drawn from counter-based streams keyed by (seed, athlete, draw), so the same
athlete gets the same draws in any squad order or chunking. Prior gains are in per cent of
the untrained baseline (``p0 = 100``): ``k2 = r k1`` and ``k1`` such that the habitual
daily load :math:`\\bar w` holds performance ``gain_pct`` above ``p0`` in steady state,
:math:`k_1 \\bar w (1/(1-d_1) - r/(1-d_2)) = gain`, with
:math:`d_i = e^{-1/\\tau_i}`; ``r`` is capped so that this is positive. Busso's ``k3`` is
set so the habitual load gives the same steady fatigue gain:
:math:`k_3 = r k_1 (1 - d_3)/\\bar w`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from physiology.injury import uniforms

PRIOR_CHANNEL = 100  # stream channels 100.. (injuries use 0-2)


def _lognormal(median, cv, z):
    sigma = np.sqrt(np.log1p(np.asarray(cv, float) ** 2))
    return median * np.exp(sigma * z)


def prior_draws(n_athletes: int, n_draws: int, seed: int, priors, habitual_load,
                model: str, athlete_keys=None, draw_ids=None) -> dict[str, np.ndarray]:
    """Fitness-fatigue parameters per (athlete, draw) from the priors (module docstring).

    ``habitual_load``: the habitual daily load (AU), the squad's or one per athlete
    ``(n_athletes,)`` (an individual squad, whose players' match minutes differ).

    ``priors`` fields may be arrays over the draws (``(n_draws,)``: a parameter set per
    draw, as :mod:`twin.sensitivity` runs them); ``draw_ids`` the stream key of each draw
    (default ``0 .. n_draws - 1``), so draws sharing an id share their random numbers.
    """
    keys = np.arange(n_athletes) if athlete_keys is None else np.asarray(athlete_keys)
    draws = np.arange(n_draws) if draw_ids is None else np.asarray(draw_ids)

    def z(j):
        u = uniforms(seed, (keys[:, None], draws[None, :]), 1, channel=PRIOR_CHANNEL + j)
        return ndtri(np.clip(u[..., 0], 1e-12, 1 - 1e-12))

    tau1 = _lognormal(priors.tau1, priors.cv, z(0))
    tau2 = _lognormal(priors.tau2, priors.cv, z(1))
    gain = _lognormal(priors.gain_pct, priors.cv, z(2))
    fit = 1.0 / -np.expm1(-1.0 / tau1)  # steady state of g per unit load
    fat = 1.0 / -np.expm1(-1.0 / tau2)
    ratio = np.minimum(_lognormal(priors.k_ratio, priors.cv, z(3)), 0.9 * fit / fat)
    w = np.asarray(habitual_load, float)
    w = max(float(w), 1e-9) if w.ndim == 0 else np.maximum(w, 1e-9)[:, None]
    k1 = gain / (w * (fit - ratio * fat))
    out = {"p0": np.full_like(k1, 100.0), "k1": k1, "tau1": tau1, "tau2": tau2}
    if model == "banister":
        out["k2"] = ratio * k1
    else:
        tau3 = _lognormal(priors.tau3, priors.cv, z(4))
        out["k3"] = ratio * k1 * -np.expm1(-1.0 / tau3) / w
        out["tau3"] = tau3
    return out


def calibrated_draws(ds, ids, n_draws: int, model: str, fallback: dict
                     ) -> dict[str, np.ndarray]:
    """Replace prior draws by those of a squad calibration dataset
    (:func:`calibration.read_squad_calibration`) where it has them: ``fallback`` maps each
    field of ``model`` (``"banister"``, ``"hazard"``, ...) to its ``(A, N)`` draws."""
    known = [str(a) for a in ds["athlete"].values]
    out = {k: v.copy() for k, v in fallback.items()}
    names = [str(p) for p in ds["parameter"].values]
    for a, aid in enumerate(ids):
        if aid not in known:
            continue
        values = ds["value"].sel(athlete=aid).values  # (draw, parameter)
        take = np.arange(n_draws) % values.shape[0]
        for field in out:
            name = f"{model}.{field}"
            if name in names and np.isfinite(values[:, names.index(name)]).all():
                out[field][a] = values[take, names.index(name)]
    return out
