r"""Acute:chronic workload ratio (ACWR), rolling-average and EWMA forms.

Rolling average (Hulin et al. 2016; coupling as in Lolli et al. 2019), with acute
window a and chronic window c (days, a < c), on day t:

.. math::

    A_t = \frac{1}{a}\sum_{i=t-a+1}^{t} w_i, \quad
    C_t^{\text{coupled}} = \frac{1}{c}\sum_{i=t-c+1}^{t} w_i, \quad
    C_t^{\text{uncoupled}} = \frac{1}{c-a}\sum_{i=t-c+1}^{t-a} w_i

The coupled chronic window contains the acute one, so the coupled ratio is bounded,
:math:`A/C \le c/a` (4 for 7:28), and relates to the uncoupled ratio U by
:math:`c\,U / (a\,U + c - a)` (Lolli et al. 2019).

EWMA (Williams et al. 2017): :math:`E_t = E_{t-1} + \lambda (w_t - E_{t-1})`, with
:math:`\lambda = 2/(N+1)` by default (any name of :data:`~physiology.load.DECAYS`), N = a
for the acute and c for the chronic average, both started at 0 before day 0; the coupled
ratio is :math:`E^a_t / E^c_t`, the uncoupled one divides by the chronic EWMA of day
t - a (before the acute window's loads).

Before the chronic window is full (days t < c - 1) the ratio is NaN: the chronic load
is not yet defined by the data. Where the chronic load is 0 the ratio is NaN
(undefined), never an error or a warning.

References:
    Hulin BT et al. (2016). The acute:chronic workload ratio predicts injury. Br J Sports
    Med 50:231-236, doi:10.1136/bjsports-2015-094817.
    Williams S et al. (2017). Br J Sports Med 51:209-210, doi:10.1136/bjsports-2016-096589.
    Lolli L et al. (2019). Mathematical coupling causes spurious correlation within the
    conventional acute-to-chronic workload ratio calculations. Br J Sports Med
    53:921-922, doi:10.1136/bjsports-2017-098110.
"""

from __future__ import annotations

import numpy as np

from physiology import validate
from physiology.kernels.array_fn import run_array
from physiology.load._pmc import DECAYS, ewma_pair
from physiology.load._windows import pad_front, safe_ratio, window_sum

METHODS = ("rolling", "ewma")


def _rolling(xp, x, acute: int, chronic: int, coupled: bool):
    n_t = x.shape[-1]
    acute_mean = window_sum(xp, x, acute)[..., chronic - acute:] / acute
    if coupled:
        chronic_mean = window_sum(xp, x, chronic) / chronic
    else:
        chronic_mean = window_sum(xp, x[..., :n_t - acute], chronic - acute) / (chronic - acute)
    return (pad_front(xp, safe_ratio(xp, acute_mean, chronic_mean), chronic - 1),)


def _ewma_ratio(xp, acute_ewma, chronic_ewma, acute: int, chronic: int, coupled: bool):
    if not coupled:
        acute_ewma = acute_ewma[..., acute:]
        chronic_ewma = chronic_ewma[..., :chronic_ewma.shape[-1] - acute]
    ratio = safe_ratio(xp, acute_ewma, chronic_ewma)
    return (pad_front(xp, ratio[..., chronic - 1 - (0 if coupled else acute):],
                      chronic - 1),)


def acwr(load, acute: int = 7, chronic: int = 28, method: str = "rolling",
         coupled: bool = True, *, decay: str = "2/(N+1)", backend: str = "numba") -> np.ndarray:
    """Daily acute:chronic workload ratio (dimensionless).

    Args:
        load: daily load, shape ``(*batch, T)``, finite and >= 0.
        acute, chronic: window lengths (days), ``1 <= acute < chronic <= T``.
        method: ``"rolling"`` (rolling averages) or ``"ewma"`` (Williams et al. 2017).
        coupled: whether the chronic load includes the acute window (module docstring).
        decay: EWMA decay convention for ``method="ewma"`` (default ``"2/(N+1)"``).
        backend: ``"numba"`` or ``"jax"``.

    Returns:
        Array ``(*batch, T)``; NaN for ``t < chronic - 1`` and where chronic load is 0.
    """
    load = validate.series("load", load)
    n_t = load.shape[-1]
    validate.choice("method", method, METHODS)
    chronic = validate.window("chronic", chronic, n_t)
    acute = validate.window("acute", acute, n_t)
    if acute >= chronic:
        raise ValueError(f"acute = {acute} d: expected shorter than chronic = {chronic} d")
    coupled = validate.flag("coupled", coupled)
    if method == "rolling":
        (ratio,) = run_array(_rolling, backend, load, acute=acute, chronic=chronic,
                             coupled=coupled)
        return ratio
    validate.choice("decay", decay, DECAYS)
    ewma = ewma_pair(load, chronic, acute, decay, backend, names=("chronic", "acute"))
    (ratio,) = run_array(_ewma_ratio, backend, ewma.atl, ewma.ctl, acute=acute,
                         chronic=chronic, coupled=coupled)
    return ratio
