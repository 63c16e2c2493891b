r"""Session-RPE load, and Foster's training monotony and strain.

Session-RPE load (Foster et al. 2001): the session's rating of perceived exertion on
the CR-10 scale (0-10, asked about 30 min after the session) times its duration in
minutes, in arbitrary units (AU).

Monotony and strain (Foster 1998), over a trailing window of w days (default 7) ending
on day t:

.. math::

    \text{monotony}_t = \frac{\bar w_t}{s_t}, \qquad
    \text{strain}_t = \Big(\sum_{i=t-w+1}^{t} w_i\Big)\, \text{monotony}_t

with :math:`\bar w_t` the window's mean daily load and :math:`s_t` its standard
deviation. Foster 1998 does not say which standard deviation; the default ``ddof=1``
(sample SD) matches spreadsheet ``STDEV`` and pandas; ``ddof=0`` gives the population SD,
which is smaller, so monotony is larger by :math:`\sqrt{w/(w-1)}`. For non-negative
loads, monotony is at least :math:`1/\sqrt{w-1}` (ddof 0) or :math:`1/\sqrt{w}` (ddof 1),
reached when all the window's load falls on one day.

Days before the first full window, and windows with zero SD (identical loads, including
all rest), give NaN: monotony is undefined there.

References:
    Foster C (1998). Monitoring training in athletes with reference to overtraining
    syndrome. Med Sci Sports Exerc 30(7):1164-1168.
    Foster C et al. (2001). A new approach to monitoring exercise training. J Strength
    Cond Res 15(1):109-115.
"""

from __future__ import annotations

import numpy as np

from physiology import validate
from physiology.kernels.array_fn import run_array
from physiology.load._windows import pad_front, safe_ratio, window_mean_cv, window_sum


def session_rpe(rpe, duration_min) -> np.ndarray:
    """Session-RPE load (AU) = CR-10 rating (0-10) x duration (min), elementwise."""
    rpe = validate.in_range("rpe", rpe, 0.0, 10.0, "a CR-10 rating in [0, 10]")
    duration = validate.in_range("duration_min", duration_min, 0.0, np.inf,
                                  "a duration >= 0 min")
    return rpe * duration


def _monotony_strain(xp, x, window: int, ddof: int):
    _, cv = window_mean_cv(xp, x, window, ddof)
    mono = safe_ratio(xp, xp.ones_like(cv), cv)    # mean / SD = 1 / CV
    strain = window_sum(xp, x, window) * mono
    return pad_front(xp, mono, window - 1), pad_front(xp, strain, window - 1)


def _foster(load, window, ddof, backend):
    load = validate.series("load", load)
    window = validate.window("window", window, load.shape[-1])
    if ddof not in (0, 1):
        raise ValueError(f"ddof = {ddof!r}: expected 0 (population SD) or 1 (sample SD)")
    if window - ddof < 1 or window < 2:
        raise ValueError(f"window = {window} d: expected at least 2 days for an SD")
    return run_array(_monotony_strain, backend, load, window=window, ddof=ddof)


def monotony(load, window: int = 7, *, ddof: int = 1, backend: str = "numba") -> np.ndarray:
    """Foster training monotony (dimensionless), daily over a trailing window.

    Args:
        load: daily load (AU), shape ``(*batch, T)``, finite and >= 0.
        window: window length in days (default 7, Foster's week), ``2 <= window <= T``.
        ddof: 1 (sample SD, default) or 0 (population SD).
        backend: ``"numba"`` (NumPy) or ``"jax"``.

    Returns:
        Array ``(*batch, T)``; NaN before the first full window and where SD is 0.
    """
    return _foster(load, window, ddof, backend)[0]


def strain(load, window: int = 7, *, ddof: int = 1, backend: str = "numba") -> np.ndarray:
    """Foster training strain (AU): window load sum x monotony; arguments as :func:`monotony`."""
    return _foster(load, window, ddof, backend)[1]
