r"""W' balance: the work capacity above critical power left at each moment of a session.

Three methods, by name (:data:`METHODS`); samples :math:`P_i` (W) every ``dt`` seconds,
with sample i's power held from :math:`t_i` to :math:`t_i + dt`:

``"skiba-integral"`` (default; Skiba et al. 2012), the integral model

.. math::

    W'_{bal}(t) = W' - \int_0^t W'_{exp}(u)\, e^{-(t-u)/\tau_{W'}}\,du, \qquad
    W'_{exp}(u) = \max(P(u) - CP, 0), \qquad
    \tau_{W'} = 546\, e^{-0.01 D_{CP}} + 316\ \text{s}

where :math:`D_{CP}` is CP minus the mean power of the session's samples below CP (or
given). With power held over each sample the integral is exact as a sum: at the end of
sample k, :math:`W'_{bal} = W' - \sum_{i \le k} \max(P_i - CP, 0)\, \tau (1 -
e^{-dt/\tau})\, e^{-(k-i)dt/\tau}`, evaluated in O(n) by the recursion
:math:`S_k = S_{k-1} e^{-dt/\tau} + \max(P_k - CP, 0)\,\tau(1 - e^{-dt/\tau})`.
(GoldenCheetah weighs each sample by dt instead, which differs at O(dt/tau): 0.1 % at
1 Hz.)

``"skiba-differential"`` (Skiba et al. 2015): expended linearly above CP and recovered
exponentially below it, with a time constant set by the instantaneous recovery depth
:math:`D_{CP} = CP - P`:

.. math::

    \frac{dW'_{bal}}{dt} = -(P - CP) \ (P > CP), \qquad
    \frac{dW'_{bal}}{dt} = \frac{W' - W'_{bal}}{\tau(D_{CP})} \ (P \le CP), \qquad
    \tau = W' / D_{CP}

``"bartram"`` (Bartram et al. 2018): the same differential model with the recovery time
constant refitted for elite cyclists, :math:`\tau = 2287.2\, D_{CP}^{-0.688}` s (their
comparison was against the differential form; pypermod uses it the same way).

Both are integrated exactly over each sample (power is constant within it):
:math:`W'_{bal} \leftarrow W' - (W' - W'_{bal}) e^{-dt/\tau} - \max(P - CP, 0)\,dt`,
with :math:`1/\tau = 0` above CP; written without a branch, as the kernel evaluates it.
(GoldenCheetah's "differential" mode takes a forward-Euler step instead, which differs at
O(dt/tau).)

The balance starts full (:math:`W'_{bal} = W'`) and never exceeds W'; it may fall below
zero when the power above CP outlasts W' (the model's prediction of task failure).

References:
    Skiba PF, Chidnok W, Vanhatalo A, Jones AM (2012). Modeling the expenditure and
    reconstitution of work capacity above critical power. Med Sci Sports Exerc
    44(8):1526-1532, doi:10.1249/MSS.0b013e3182517a80.
    Skiba PF, Fulford J, Clarke DC, Vanhatalo A, Jones AM (2015). Intramuscular
    determinants of the ability to recover work capacity above critical power. Eur J
    Appl Physiol 115(4):703-713, doi:10.1007/s00421-014-3050-3.
    Bartram JC, Thewlis D, Martin DT, Norton KI (2018). Accuracy of W' recovery kinetics
    in high performance cyclists - modeling intermittent work capacity. Int J Sports
    Physiol Perform 13(6):724-728, doi:10.1123/ijspp.2017-0034.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.kernels import Kernel, ops, run

METHODS = ("skiba-integral", "skiba-differential", "bartram")
_BARTRAM = {"skiba-differential": 0.0, "bartram": 1.0}


def tau_skiba(d_cp):
    """Skiba 2012 recovery time constant (s) for a recovery depth D_CP (W)."""
    return 546.0 * np.exp(-0.01 * np.asarray(d_cp, float)) + 316.0


def session_d_cp(power: np.ndarray, cp) -> np.ndarray:
    """CP minus the mean power of the samples below CP, per series (W); 0 if none are."""
    cp = np.asarray(cp, float)[..., None]
    below = power < cp
    n = below.sum(axis=-1)
    total = np.where(below, power, 0.0).sum(axis=-1)
    mean = np.where(n > 0, total / np.maximum(n, 1), cp[..., 0])
    return np.where(n > 0, cp[..., 0] - mean, 0.0)


# --------------------------------------------------------------------------- kernels


class Power(NamedTuple):
    """The input of both kernels: the sample's power, held over dt."""

    power: float  # W


class Balance(NamedTuple):
    """The output of both kernels: W' left at the end of the sample."""

    w_prime_balance: float  # J


class IntegralParams(NamedTuple):
    cp: float  # W
    w_prime: float  # J
    tau: float  # s, the recovery time constant tau_W'
    dt: float  # s


class IntegralState(NamedTuple):
    """The decayed sum of expenditures above CP, :math:`S_k` (J)."""

    spent: float


class IntegralConsts(NamedTuple):
    r"""CP (W), W' (J), the per-sample decay :math:`e^{-dt/\tau}` and the weight of a
    sample's expenditure, :math:`\tau (1 - e^{-dt/\tau})` (s)."""

    cp: float
    w_prime: float
    decay: float
    weight: float


def prepare_integral(p, s0):
    # A sample's expenditure, held over dt and decaying within it, weighs tau (1 - e^{-dt/tau}).
    return (IntegralConsts(p.cp, p.w_prime, ops.exp(-p.dt / p.tau),
                           -p.tau * ops.expm1(-p.dt / p.tau)),
            IntegralState(s0.spent))


def step_integral(s, u, c):
    spent = s.spent * c.decay + ops.maximum(u.power - c.cp, 0.0) * c.weight
    return IntegralState(spent), Balance(c.w_prime - spent)


class DifferentialParams(NamedTuple):
    """CP (W), W' (J), dt (s), and 1 for Bartram's recovery time constant (0: Skiba
    2015's); also the constants the step reads."""

    cp: float
    w_prime: float
    dt: float
    bartram: float


class DifferentialState(NamedTuple):
    balance: float  # J, W' balance


def prepare_differential(p, s0):
    return (DifferentialParams(p.cp, p.w_prime, p.dt, p.bartram),
            DifferentialState(s0.balance))


def step_differential(s, u, c):
    power = u.power
    cp, w_prime, bartram = c.cp, c.w_prime, c.bartram
    depth = ops.maximum(cp - power, 0.0)
    # 1/tau: D_CP / W' (Skiba 2015) or D_CP^0.688 / 2287.2 (Bartram 2018); 0 above CP.
    # The power is taken of a safe positive base, so its JAX gradient at D_CP = 0 is
    # finite (d/dx x^0.688 is infinite at 0, and 0 * inf would poison grad with NaN).
    positive = depth > 0.0
    safe = ops.where(positive, depth, 1.0)
    rate = (1.0 - bartram) * depth / w_prime + bartram * ops.where(
        positive, safe**0.688, 0.0) / 2287.2
    recovered = w_prime - (w_prime - s.balance) * ops.exp(-rate * c.dt)
    balance = recovered - ops.maximum(power - cp, 0.0) * c.dt
    return DifferentialState(balance), Balance(balance)


INTEGRAL = Kernel(name="wbal_integral", prepare=prepare_integral, step=step_integral,
                  Params=IntegralParams, State=IntegralState, Inputs=Power, Outputs=Balance)
DIFFERENTIAL = Kernel(name="wbal_differential", prepare=prepare_differential,
                      step=step_differential, Params=DifferentialParams,
                      State=DifferentialState, Inputs=Power, Outputs=Balance)


def w_prime_balance(power, cp, w_prime, method: str = "skiba-integral", dt: float = 1.0, *,
                    d_cp=None, backend: str = "numba") -> np.ndarray:
    """W' balance (J) at the end of each sample of a session.

    Args:
        power: power (W), shape ``(*batch, n)``, finite and >= 0, sampled every ``dt``.
        cp: critical power (W), > 0; scalar or broadcastable to the batch.
        w_prime: W' (J), > 0; scalar or broadcastable to the batch.
        method: ``"skiba-integral"`` (default), ``"skiba-differential"`` or ``"bartram"``.
        dt: sample interval (s), > 0.
        d_cp: recovery depth D_CP (W) for ``"skiba-integral"``; default from the session
            (:func:`session_d_cp`). The differential methods use the instantaneous depth.
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        W' at the end of each sample (J): shape ``(*batch, n)``, with ``batch`` the
        broadcast of the leading dimensions of ``power`` and the shapes of ``cp``,
        ``w_prime`` and ``d_cp`` (one parameter set per series, or many per series).
    """
    validate.choice("method", method, METHODS)
    power = validate.series("power", power, units="W")
    cp = validate.positive("cp", cp)
    w_prime = validate.positive("w_prime", w_prime)
    if np.ndim(dt) != 0:
        raise ValueError(f"dt: expected one sample interval (s) for the session, got shape "
                         f"{np.shape(dt)}")
    dt = float(validate.positive("dt", dt))
    if method != "skiba-integral":
        out, _ = run(DIFFERENTIAL, (power,), (cp, w_prime, dt, _BARTRAM[method]),
                     (w_prime,), backend=backend)
        return out.w_prime_balance
    if d_cp is None:
        d_cp = session_d_cp(power, cp)
    d_cp = validate.in_range("d_cp", d_cp, 0.0, np.inf, "a recovery depth >= 0 W")
    out, _ = run(INTEGRAL, (power,), (cp, w_prime, tau_skiba(d_cp), dt), backend=backend)
    return out.w_prime_balance
