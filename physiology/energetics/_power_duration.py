r"""Power-duration models fitted to (duration, power) bests: CP, W' and Pmax.

Models, by name (:data:`MODELS`):

``"2p"`` (default), linear in :math:`1/t` (Moritani et al. 1981; Clarke & Skiba 2013,
Fig. 3): :math:`P = CP + W'/t`, ordinary least squares of P on 1/t.
``"2p-work"``, linear in t (Monod & Scherrer 1965):
    :math:`W = P t = W' + CP\,t`, ordinary least squares of work on time.
``"2p-nonlinear"``, the hyperbola with time as the response (Hill 1993):
    :math:`t = W'/(P - CP)`, bounded nonlinear least squares of t.
``"3p"`` (Morton 1996), with a finite power at zero duration:
    :math:`t = W'/(P - CP) + W'/(CP - P_{max})`, bounded nonlinear least squares of t.
``"exp"`` (Hopkins et al. 1989), exponential decay to CP:
    :math:`P = CP + (P_{max} - CP)\,e^{-t/\tau}`, bounded least squares of P. Its W' is
    the most work above CP that any one maximal effort does under the model,
    :math:`\max_t (P(t) - CP)\,t = (P_{max} - CP)\tau/e` (at :math:`t = \tau`); the area
    :math:`(P_{max} - CP)\tau` between the curve and CP is not a work capacity. (Hopkins et
    al. fitted this form to treadmill inclination; the power form is its usual adaptation.)

Nonlinear fits are bounded so they cannot return non-physical values (CP >= 0, W' >= 0,
Pmax above the highest power and at most :data:`PMAX_CAP` times it, CP below the lowest),
the known failure of unbounded fits in other tools; a parameter that ends on a bound is
named in ``at_bound``. Standard errors come from the residual variance times
:math:`(J^T J)^{-1}` at the solution (exact for the linear fits); they are NaN when the
data have no degrees of freedom left (as many points as parameters).

References:
    Clarke DC, Skiba PF (2013). Adv Physiol Educ 37:134-152, doi:10.1152/advan.00078.2011.
    Monod H, Scherrer J (1965). The work capacity of a synergic muscular group.
    Ergonomics 8(3):329-338.
    Moritani T, Nagata A, deVries HA, Muro M (1981). Critical power as a measure of
    physical work capacity and anaerobic threshold. Ergonomics 24(5):339-350.
    Hill DW (1993). The critical power concept. Sports Med 16:237-254.
    Morton RH (1996). A 3-parameter critical power model. Ergonomics 39(4):611-619,
    doi:10.1080/00140139608964484.
    Hopkins WG, Edmond IM, Hamilton BH, Macfarlane DJ, Ross BH (1989). Relation between
    power and endurance for treadmill running of short duration. Ergonomics
    32(12):1565-1571, doi:10.1080/00140138908966925.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology import validate

MODELS = ("2p", "2p-work", "2p-nonlinear", "3p", "exp")
#: Pmax is searched up to this multiple of the highest observed power (assumption: a
#: human's instantaneous peak power is a few times a maximal effort of a few minutes).
PMAX_CAP = 10.0
_N_PARAMS = {"2p": 2, "2p-work": 2, "2p-nonlinear": 2, "3p": 3, "exp": 3}


@dataclass(frozen=True)
class CriticalPowerFit:
    """A fitted power-duration model. Powers in W, energy in J, times in s.

    ``p_max`` is NaN for the 2-parameter models and ``tau`` for all but ``"exp"``; every
    ``se_*`` is the standard error of that estimate (NaN with no residual degrees of
    freedom). ``sse`` is in the units of the fitted response (W^2, J^2 or s^2).
    ``at_bound`` names the parameters that ended on a bound of a nonlinear fit: the data
    do not determine them (for example a 3-parameter fit whose Pmax runs to its cap
    because the efforts are all long), so read them as limits, not estimates.
    """

    model: str
    cp: float
    w_prime: float
    p_max: float
    tau: float
    se_cp: float
    se_w_prime: float
    se_p_max: float
    se_tau: float
    sse: float
    n: int
    at_bound: tuple[str, ...] = ()

    def power(self, duration_s) -> np.ndarray:
        """The model's sustainable power (W) for durations (s)."""
        t = np.asarray(duration_s, dtype=float)
        if self.model == "exp":
            return self.cp + (self.p_max - self.cp) * np.exp(-t / self.tau)
        if self.model == "3p":
            # Solve t = W'/(P - CP) + W'/(CP - Pmax) for P.
            return self.cp + self.w_prime / (t + self.w_prime / (self.p_max - self.cp))
        return self.cp + self.w_prime / t


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Intercept and slope of y on x, their standard errors, and the SSE."""
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return coef, _standard_errors(design, resid), float(resid @ resid)


def _covariance(jac: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """Residual variance times (J^T J)^-1; NaN with no residual degrees of freedom."""
    n, k = jac.shape
    if n <= k:
        return np.full((k, k), np.nan)
    sigma2 = float(resid @ resid) / (n - k)
    return sigma2 * np.linalg.pinv(jac.T @ jac)


def _standard_errors(jac: np.ndarray, resid: np.ndarray) -> np.ndarray:
    return np.sqrt(np.clip(np.diag(_covariance(jac, resid)), 0.0, None))


def _nonlinear(fun, jac, x0, lower, upper, names):
    from scipy.optimize import least_squares  # on use: 0.16 s to import, and a sweep fits nothing

    sol = least_squares(fun, x0, jac=jac, bounds=(lower, upper), method="trf",
                        x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=10_000)
    # active_mask: the bounds the trust-region solver holds active at its solution.
    at_bound = tuple(n for n, hit in zip(names, sol.active_mask, strict=True) if hit)
    return sol.x, _covariance(sol.jac, sol.fun), float(sol.fun @ sol.fun), at_bound


def fit_critical_power(duration_s, power_w, model: str = "2p") -> CriticalPowerFit:
    """Fit a power-duration model to maximal efforts.

    Args:
        duration_s: effort durations (s), > 0, at least two distinct values.
        power_w: mean power of each effort (W), > 0, same length.
        model: one of :data:`MODELS` (module docstring).

    Returns:
        :class:`CriticalPowerFit`.

    Raises:
        ValueError: naming the argument and index of a non-finite or non-positive value;
            when there are fewer points than the model has parameters, when all durations
            are equal, or when the powers do not fall with duration as the model needs.
    """
    validate.choice("model", model, MODELS)
    t = validate.in_range("duration_s", duration_s, 1e-300, np.inf, "a duration > 0 s")
    p = validate.in_range("power_w", power_w, 1e-300, np.inf, "a power > 0 W")
    if t.ndim != 1 or p.shape != t.shape:
        raise ValueError(f"duration_s {t.shape} and power_w {p.shape}: expected two 1-D "
                         "arrays of equal length")
    k = _N_PARAMS[model]
    if t.size < k:
        raise ValueError(f"model={model!r} has {k} parameters: expected at least {k} efforts, "
                         f"got {t.size}")
    if np.unique(t).size < max(k, 2):
        raise ValueError(f"duration_s: {np.unique(t).size} distinct duration(s); model="
                         f"{model!r} needs at least {max(k, 2)} distinct durations")
    nan = float("nan")
    lin, lin_se, lin_sse = _ols(1.0 / t, p)
    if lin[0] < 0 or lin[1] <= 0:
        raise ValueError(f"power_w: the powers do not fall with duration (P on 1/t gives "
                         f"CP = {lin[0]:.4g} W, W' = {lin[1]:.4g} J); expected powers that "
                         "fall with duration, as every power-duration model needs")
    if model == "2p":
        (cp, wp), (se_cp, se_wp) = lin, lin_se
        return CriticalPowerFit(model, cp, wp, nan, nan, se_cp, se_wp, nan, nan, lin_sse,
                                t.size)
    if model == "2p-work":
        (wp, cp), (se_wp, se_cp), sse = _ols(t, p * t)
        return CriticalPowerFit(model, cp, wp, nan, nan, se_cp, se_wp, nan, nan, sse, t.size)
    if model == "exp":
        lo = [0.0, p.max(), 1e-3]
        hi = [p.min(), PMAX_CAP * p.max(), np.inf]
        x0 = [0.9 * p.min(), 1.2 * p.max(), float(np.median(t))]

        def fun(x):
            cp, pmax, tau = x
            return cp + (pmax - cp) * np.exp(-t / tau) - p

        def jac(x):
            cp, pmax, tau = x
            e = np.exp(-t / tau)
            return np.column_stack([1 - e, e, (pmax - cp) * e * t / tau**2])

        (cp, pmax, tau), cov, sse, edge = _nonlinear(fun, jac, x0, lo, hi,
                                                     ("cp", "p_max", "tau"))
        # W' = (Pmax - CP) tau / e; its SE by the delta method, gradient (-tau, tau, Pmax - CP)/e.
        grad = np.array([-tau, tau, pmax - cp]) / np.e
        se_wp = float(np.sqrt(max(grad @ cov @ grad, 0.0)))
        se_cp, se_pmax, se_tau = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        return CriticalPowerFit(model, cp, (pmax - cp) * tau / np.e, pmax, tau, se_cp, se_wp,
                                se_pmax, se_tau, sse, t.size, edge)
    # Hyperbolic fits with time as the response; CP stays below the lowest power.
    top = np.nextafter(p.min(), 0.0)
    cp0 = float(np.clip(lin[0], 0.0, 0.99 * p.min()))
    wp0 = float(max(lin[1], 1.0))
    if model == "2p-nonlinear":
        def fun(x):
            return x[1] / (p - x[0]) - t

        def jac(x):
            d = p - x[0]
            return np.column_stack([x[1] / d**2, 1.0 / d])

        (cp, wp), cov, sse, edge = _nonlinear(
            fun, jac, [cp0, wp0], [0.0, 0.0], [top, np.inf], ("cp", "w_prime"))
        se_cp, se_wp = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        return CriticalPowerFit(model, cp, wp, nan, nan, se_cp, se_wp, nan, nan, sse, t.size,
                                edge)

    def fun(x):
        cp, wp, pmax = x
        return wp / (p - cp) + wp / (cp - pmax) - t

    def jac(x):
        cp, wp, pmax = x
        return np.column_stack([wp / (p - cp) ** 2 - wp / (cp - pmax) ** 2,
                                1.0 / (p - cp) + 1.0 / (cp - pmax),
                                np.full_like(t, wp / (cp - pmax) ** 2)])

    x0 = [cp0, wp0, 2.0 * p.max()]
    (cp, wp, pmax), cov, sse, edge = _nonlinear(
        fun, jac, x0, [0.0, 0.0, np.nextafter(p.max(), np.inf)],
        [top, np.inf, PMAX_CAP * p.max()], ("cp", "w_prime", "p_max"))
    se_cp, se_wp, se_pmax = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return CriticalPowerFit(model, cp, wp, pmax, nan, se_cp, se_wp, se_pmax, nan, sse, t.size,
                            edge)
