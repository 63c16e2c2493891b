r"""The impulse-response models as calibration sees them: kernels, records, JAX residuals.

Calibration never re-writes a model's equation. It runs the model's own kernel
(from :data:`physiology.fitness_fatigue.MODELS`): with Numba for
batches of candidate time constants, and through
:func:`physiology.kernels.jax_function` for exact derivatives.

Both models are linear in their baseline and gains once the time constants are fixed
(Banister: :math:`p = p_0 + k_1 F_{\tau_1} - k_2 G_{\tau_2}`; Busso: :math:`p = p_0 +
k_1 F_{\tau_1} - k_3 G_{\tau_2,\tau_3}`). The *basis responses* F and G are the kernel's own
``fitness`` and ``fatigue`` outputs with ``p0 = 0`` and unit gains, so the search
can solve the linear parameters exactly at every candidate (variable projection,
Golub & Pereyra 1973) without a second copy of the recursion.

Series are padded with zero load to a multiple of :data:`PAD` days before they reach JAX,
so one compiled function serves every athlete whose record falls in the same bucket (the
models are causal: padding after the last day changes nothing before it).

References:
    Golub GH, Pereyra V (1973). The differentiation of pseudo-inverses and nonlinear least
    squares problems whose variables separate. SIAM J Numer Anal 10(2):413-432.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numba
import numpy as np

from physiology.fitness_fatigue import CONVENTIONS
from physiology.fitness_fatigue import MODELS as FITNESS_FATIGUE
from physiology.kernels import Kernel, jax_function, run, x64
from physiology.params import ParamRecord

#: Series are padded to a multiple of this many days (one JAX compilation per bucket).
PAD = 64


@dataclass(frozen=True)
class ModelSpec:
    """A fitness-fatigue model for calibration.

    ``linear``: fields the response is linear in, given the others (baseline first, then
    the gain of the ``fitness`` output, then the gain of the ``fatigue`` output, which
    enters with a minus sign). ``log_fields``: fields fitted and approximated on a log
    scale (the time constants, positive scale parameters).
    """

    name: str
    kernel: Kernel
    record: type[ParamRecord]
    linear: tuple[str, str, str]
    log_fields: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.record.names()

    @property
    def nonlinear(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if n not in self.linear)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Plausible bounds of every field, read from the parameter record."""
        spec = self.record.spec()
        low = np.array([spec[n].bounds[0] for n in self.names])
        high = np.array([spec[n].bounds[1] for n in self.names])
        return low, high

    def units(self) -> dict[str, str]:
        return {n: p.units for n, p in self.record.spec().items()}


MODELS: dict[str, ModelSpec] = {
    "banister": ModelSpec("banister", FITNESS_FATIGUE["banister"].kernel,
                          FITNESS_FATIGUE["banister"].record, ("p0", "k1", "k2"),
                          ("tau1", "tau2")),
    "busso": ModelSpec("busso", FITNESS_FATIGUE["busso"].kernel,
                       FITNESS_FATIGUE["busso"].record, ("p0", "k1", "k3"),
                       ("tau1", "tau2", "tau3")),
}


def model_spec(name: str) -> ModelSpec:
    if name not in MODELS:
        raise ValueError(f"model={name!r}: expected one of {tuple(MODELS)}")
    return MODELS[name]


def lag_of(convention: str) -> float:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention={convention!r}: expected one of {tuple(CONVENTIONS)}")
    return CONVENTIONS[convention]


def padded_length(n_t: int) -> int:
    return -(-n_t // PAD) * PAD


def basis(spec: ModelSpec, load: np.ndarray, nonlinear: np.ndarray, lag: float):
    """Basis responses (F, G), each ``(B, T)``, for B sets of the non-linear parameters.

    ``nonlinear`` has shape ``(B, len(spec.nonlinear))``. Runs the model's kernel with
    Numba, baseline 0 and unit gains; ``F`` is its ``fitness`` output, ``G`` its
    ``fatigue`` output.
    """
    values = {n: np.ones(len(nonlinear)) for n in spec.linear}
    values[spec.linear[0]] = np.zeros(len(nonlinear))
    for j, n in enumerate(spec.nonlinear):
        values[n] = nonlinear[:, j]
    params = [values[n] for n in spec.names]
    # One thread: these batches take microseconds to a few milliseconds, and with more
    # threads every call pays the fork and join, 3-12 ms a call on a shared machine
    # (benchmarks/peers.py measured it); a squad is parallel across athletes, not here.
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        out, _ = run(spec.kernel, (load[None, :],), (*params, lag), backend="numba")
    finally:
        numba.set_num_threads(before)
    return out.fitness, out.fatigue


@functools.cache
def _jax_residuals(name: str):
    """Jitted ``(theta (n_p,), load (T,), y (T,), sw (T,), lag) -> (r, J)``.

    ``r = sw * (p(theta) - y)`` on every (padded) day, with ``sw`` the square root of the
    weight (0 on days without a test); ``J = dr/dtheta`` by forward-mode JAX.
    """
    spec = MODELS[name]
    f = jax_function(spec.kernel)
    n_s = len(spec.kernel.state)

    def resid(theta, load, y, sw, lag):
        p = jnp.concatenate([theta, jnp.atleast_1d(lag)])[:, None]
        out, _ = f(load[None, None, :], p, jnp.zeros((n_s, 1)))
        return sw * (out[0, 0] - y)

    def value_and_jac(theta, load, y, sw, lag):
        def with_aux(th):
            r = resid(th, load, y, sw, lag)
            return r, r

        jac, r = jax.jacfwd(with_aux, has_aux=True)(theta)
        return r, jac

    return jax.jit(value_and_jac)


class Problem:
    """One athlete's weighted least-squares problem, padded for JAX.

    ``r(theta) = sqrt(w) (p(theta) - y)`` on the test days; :meth:`residual_and_jacobian`
    returns it on test days only, with the exact Jacobian from JAX.
    """

    def __init__(self, spec: ModelSpec, load: np.ndarray, perf: np.ndarray,
                 weights: np.ndarray, lag: float):
        self.spec, self.lag = spec, float(lag)
        self.n_t = load.shape[0]
        n_pad = padded_length(self.n_t)
        self.tests = np.flatnonzero(np.isfinite(perf))
        self.load = np.zeros(n_pad)
        self.load[: self.n_t] = load
        self.y = np.zeros(n_pad)
        self.y[self.tests] = perf[self.tests]
        self.sw = np.zeros(n_pad)
        self.sw[self.tests] = np.sqrt(weights[self.tests])
        self._device = None

    def _args(self):
        if self._device is None:  # converted once: per-call conversion costs more than a solve
            self._device = (jnp.asarray(self.load), jnp.asarray(self.y), jnp.asarray(self.sw),
                            jnp.asarray(self.lag))
        return self._device

    def residual_and_jacobian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        value_and_jac = _jax_residuals(self.spec.name)
        with x64():
            r, jac = value_and_jac(np.asarray(theta, dtype=np.float64), *self._args())
            return np.asarray(r)[self.tests], np.asarray(jac)[self.tests]

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """Model performance on every day (Numba kernel), shape ``(T,)``."""
        out, _ = run(self.spec.kernel, (self.load[None, : self.n_t],),
                     (*theta, self.lag), backend="numba")
        return out.performance[0]
