r"""Data assimilation: the Banister model as a linear-Gaussian state-space model.

State :math:`x_t = (\text{fitness}_t, \text{fatigue}_t)` in performance units after day
t's load; daily load :math:`w_t`; tests :math:`y_t` (and optional readiness scores):

.. math::

    x_t = A x_{t-1} + B w_t + \eta_t,\ \eta_t \sim N(0, Q); \qquad
    y_t = H x_t + D w_t + c + v_t,\ v_t \sim N(0, R).

A, B, H, D and c are not re-derived here: :func:`state_space` takes them as the exact
Jacobians (JAX) of one day of the model's own kernel, which is linear, so the Jacobian is
the model (A = diag of the daily decays, B = the gains; H = (1, -1); D = 0 for the
same-day convention and :math:`k_2 - k_1` for next-day; c = p0). The process noise lets
the athlete's true fitness and fatigue wander from the deterministic model (Kolossa et al.
2017), so each test corrects the state rather than only the parameters.

:func:`kalman_filter` (Kalman 1960) updates the state and its covariance day by day and
returns the filtered state at the last day, the state a forecast starts from;
:func:`rts_smoother` (Rauch, Tung & Striebel 1965) gives every day's state given all the
data; :func:`forecast` runs the kernel forward from the filtered state and propagates the
covariance.

References:
    Kalman RE (1960). A new approach to linear filtering and prediction problems. J Basic
    Eng 82(1):35-45, doi:10.1115/1.3662552.
    Rauch HE, Tung F, Striebel CT (1965). Maximum likelihood estimates of linear dynamic
    systems. AIAA J 3(8):1445-1450, doi:10.2514/3.3166.
    Kolossa D, Bin Azhar MA, Rasche C, Endler S, Hanakam F, Ferrauti A, Pfeiffer M (2017).
    Performance estimation using the fitness-fatigue model with Kalman filter feedback.
    Int J Comput Sci Sport 16(2):117-129, doi:10.1515/ijcss-2017-0010.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from calibration._models import lag_of
from physiology import validate
from physiology.fitness_fatigue import MODELS, BanisterParams
from physiology.kernels import jax_function, run, x64

KERNEL = MODELS["banister"].kernel
#: Rows of the kernel's stacked outputs: performance, and the (fitness, fatigue) state.
_PERF = KERNEL.outputs.index("performance")
_FIT_FAT = [KERNEL.outputs.index("fitness"), KERNEL.outputs.index("fatigue")]


class StateSpace(NamedTuple):
    """Matrices of the model (module docstring); ``scale`` maps the kernel's state (g, h)
    to (fitness, fatigue): ``x = scale * s``."""

    A: np.ndarray
    B: np.ndarray
    H: np.ndarray
    D: float
    c: float
    scale: np.ndarray


@functools.cache
def _one_day_jacobians():
    """Jitted: kernel parameters p (6,) -> Jacobians of one day at zero state and load."""
    f = jax_function(KERNEL)

    def day(s0, w, p):
        out, s1 = f(w.reshape(1, 1, 1), p[:, None], s0[:, None])
        return out[:, 0, 0], s1[:, 0]

    def jacobians(p):
        zs, zw = jnp.zeros(2, p.dtype), jnp.zeros(1, p.dtype)
        (d_out_s, d_out_w), (d_s_s, d_s_w) = jax.jacfwd(day, argnums=(0, 1))(zs, zw, p)
        out0, _ = day(zs, zw, p)
        return d_out_s, d_out_w[:, 0], d_s_s, d_s_w[:, 0], out0

    return jax.jit(jacobians)


def _one_day(params: BanisterParams, lag: float):
    """Jacobians of one kernel day: (outputs, final state) w.r.t. (state0, load)."""
    p = np.array([*map(float, params.values()), lag])
    with x64():
        return tuple(np.asarray(a) for a in _one_day_jacobians()(p))


def state_space(params: BanisterParams, convention: str = "same-day") -> StateSpace:
    """The state-space matrices of :class:`BanisterParams` from the kernel's Jacobians."""
    params = validate.record("params", params, BanisterParams)
    if params.batch_shape():
        raise ValueError("params: expected one parameter set (scalar fields)")
    # Scale of the state: the same-day outputs (fitness, fatigue) per unit of kernel state.
    _, d_out_w0, _, d_s_w0, _ = _one_day(params, 0.0)
    scale = d_out_w0[_FIT_FAT] / d_s_w0
    d_out_s, d_out_w, d_s_s, d_s_w, out0 = _one_day(params, lag_of(convention))
    S, S_inv = np.diag(scale), np.diag(1.0 / scale)
    A = S @ d_s_s @ S_inv
    B = S @ d_s_w
    C = d_out_s[_PERF] @ S_inv                 # y_t = C x_{t-1} + d_out_w w_t + c
    H = C @ np.linalg.inv(A)                   # ... = H x_t + (d_out_w - H B) w_t + c
    return StateSpace(A, B, H, float(d_out_w[_PERF] - H @ B), float(out0[_PERF]), scale)


class Filtered(NamedTuple):
    """Result of :func:`kalman_filter`.

    ``mean`` (2,) and ``cov`` (2, 2): fitness and fatigue (performance units) after the
    last day's load, given every observation up to it: the state "today".
    ``means`` (T, 2), ``covs`` (T, 2, 2): the same for every day. ``predicted_obs`` (T,)
    and ``predicted_var`` (T,): each day's test forecast before that day's data (the
    one-step-ahead forecast). ``prior_means``/``prior_covs``: the predicted state each
    day, before its data (what :func:`rts_smoother` needs).
    """

    mean: np.ndarray
    cov: np.ndarray
    means: np.ndarray
    covs: np.ndarray
    predicted_obs: np.ndarray
    predicted_var: np.ndarray
    prior_means: np.ndarray
    prior_covs: np.ndarray
    model: StateSpace


def _obs_rows(ss: StateSpace, performance, obs_sd, readiness):
    """Per-day observation rows: (values (T, m), H (m, 2), offsets (T, m), variances (m,))."""
    perf = np.asarray(performance, dtype=float)
    rows_y, rows_h, rows_var = [perf], [ss.H], [float(obs_sd) ** 2]
    offsets = [None]
    if readiness is not None:
        values, h, offset, sd = readiness
        rows_y.append(np.asarray(values, dtype=float))
        rows_h.append(np.asarray(h, dtype=float))
        rows_var.append(float(sd) ** 2)
        offsets.append(float(offset))
    return np.stack(rows_y, axis=1), np.stack(rows_h), offsets, np.array(rows_var)


def kalman_filter(load, performance, params: BanisterParams, *, obs_sd: float,
                  process_sd=(1.0, 1.0), convention: str = "same-day", mean0=(0.0, 0.0),
                  cov0=None, readiness=None) -> Filtered:
    """Filter fitness and fatigue through an athlete's days.

    Args:
        load: daily load (AU), ``(T,)``.
        performance: tests (performance units), NaN on days without one.
        params: the athlete's :class:`BanisterParams` (e.g. ``fit_banister(...).params``).
        obs_sd: SD of a test about the model (performance units), e.g. ``fit.sigma``.
        process_sd: daily SD of the random walk of fitness and fatigue (performance
            units), diagonal of :math:`Q^{1/2}`.
        convention: ``"same-day"`` or ``"next-day"``.
        mean0, cov0: state before day 0 (default zero with zero covariance: a cold start
            from no training).
        readiness: optional ``(values (T,), h (2,), offset, sd)``: a daily score modelled
            as ``offset + h @ x_t + noise`` (NaN on days without one).

    Returns:
        :class:`Filtered`.
    """
    load = validate.series("load", load)
    obs_sd = float(validate.in_range("obs_sd", obs_sd, 1e-300, np.inf,
                                     "an SD > 0 in performance units"))
    ss = state_space(params, convention)
    ys, hs, offsets, rvar = _obs_rows(ss, performance, obs_sd, readiness)
    if ys.shape[0] != load.shape[0]:
        raise ValueError(f"performance: expected {load.shape[0]} days like load")
    q = np.diag(np.asarray(process_sd, dtype=float) ** 2)
    m = np.asarray(mean0, dtype=float).copy()
    P = np.zeros((2, 2)) if cov0 is None else np.asarray(cov0, dtype=float).copy()
    n_t = load.shape[0]
    out = {k: np.empty(s) for k, s in (("means", (n_t, 2)), ("covs", (n_t, 2, 2)),
                                         ("prior_means", (n_t, 2)),
                                         ("prior_covs", (n_t, 2, 2)),
                                         ("pred", (n_t,)), ("var", (n_t,)))}
    eye = np.eye(2)
    for t in range(n_t):
        m = ss.A @ m + ss.B * load[t]
        P = ss.A @ P @ ss.A.T + q
        out["prior_means"][t], out["prior_covs"][t] = m, P
        out["pred"][t] = ss.H @ m + ss.D * load[t] + ss.c
        out["var"][t] = ss.H @ P @ ss.H + rvar[0]
        for j in np.flatnonzero(np.isfinite(ys[t])):
            h = hs[j]
            offset = ss.D * load[t] + ss.c if offsets[j] is None else offsets[j]
            s = h @ P @ h + rvar[j]
            k = P @ h / s
            m = m + k * (ys[t, j] - h @ m - offset)
            ikh = eye - np.outer(k, h)
            P = ikh @ P @ ikh.T + rvar[j] * np.outer(k, k)  # Joseph form
        out["means"][t], out["covs"][t] = m, P
    return Filtered(m, P, out["means"], out["covs"], out["pred"], out["var"],
                    out["prior_means"], out["prior_covs"], ss)


def rts_smoother(filtered: Filtered) -> tuple[np.ndarray, np.ndarray]:
    """Every day's state given all the data (Rauch, Tung & Striebel 1965).

    Returns means ``(T, 2)`` and covariances ``(T, 2, 2)``.
    """
    A = filtered.model.A
    ms, Ps = filtered.means.copy(), filtered.covs.copy()
    for t in range(len(ms) - 2, -1, -1):
        Pp = filtered.prior_covs[t + 1]
        G = filtered.covs[t] @ A.T @ np.linalg.inv(Pp)
        ms[t] = filtered.means[t] + G @ (ms[t + 1] - filtered.prior_means[t + 1])
        Ps[t] = filtered.covs[t] + G @ (Ps[t + 1] - Pp) @ G.T
    return ms, Ps


class Forecast(NamedTuple):
    """Forecast from the filtered state: ``performance``, ``fitness``, ``fatigue`` (T,)
    means; ``performance_sd`` (T,) SD of a test on each day (state and test noise);
    ``state_cov`` (T, 2, 2)."""

    performance: np.ndarray
    fitness: np.ndarray
    fatigue: np.ndarray
    performance_sd: np.ndarray
    state_cov: np.ndarray


def forecast(filtered: Filtered, future_load, params: BanisterParams, *, obs_sd: float,
             process_sd=(1.0, 1.0), convention: str = "same-day") -> Forecast:
    """Run the model over ``future_load`` starting from the filtered state ("today").

    Means come from the model's kernel started at the filtered state (the same code every
    sweep runs); the covariance is propagated with A and Q.
    """
    load = validate.series("future_load", future_load)
    ss = filtered.model
    state0 = filtered.mean / ss.scale              # kernel state (g, h)
    out, _ = run(KERNEL, (load,), (*params.values(), lag_of(convention)), tuple(state0))
    q = np.diag(np.asarray(process_sd, dtype=float) ** 2)
    P = filtered.cov
    covs = np.empty((load.shape[0], 2, 2))
    sd = np.empty(load.shape[0])
    for t in range(load.shape[0]):
        P = ss.A @ P @ ss.A.T + q
        covs[t] = P
        sd[t] = np.sqrt(ss.H @ P @ ss.H + obs_sd**2)
    return Forecast(out.performance, out.fitness, out.fatigue, sd, covs)
