"""Independent references: the impulse-response models as direct double sums.

These evaluate the published summation forms with dense matrices, O(T^2); the package
evaluates the same models by first-order recursions. Agreement checks the recursions and
the day conventions, not a copy of the same code.
"""

import numpy as np


def kernel_matrix(n_t: int, tau: float, lag: int) -> np.ndarray:
    """K[t, i] = exp(-(t - i) / tau) for i <= t - lag, else 0."""
    t = np.arange(n_t)[:, None]
    i = np.arange(n_t)[None, :]
    return np.where(i <= t - lag, np.exp(-(t - i) / tau), 0.0)


def banister_sum(load, p0, k1, k2, tau1, tau2, lag=0):
    n = len(load)
    return (p0 + k1 * kernel_matrix(n, tau1, lag) @ load
            - k2 * kernel_matrix(n, tau2, lag) @ load)


def busso_sum(load, p0, k1, k3, tau1, tau2, tau3, lag=0):
    """Busso 2003: k2(i) = k3 sum_{j<=i} w_j e^{-(i-j)/tau3}, fixed at session i."""
    n = len(load)
    k2 = k3 * kernel_matrix(n, tau3, 0) @ load
    fatigue = kernel_matrix(n, tau2, lag) @ (k2 * load)
    return p0 + k1 * kernel_matrix(n, tau1, lag) @ load - fatigue, k2


def calvert_sum(load, p0, k1, k2, tau1, tau2, tau3, lag=0):
    n = len(load)
    rise = kernel_matrix(n, tau1, lag) - kernel_matrix(n, tau3, lag)
    return p0 + k1 * rise @ load - k2 * kernel_matrix(n, tau2, lag) @ load


def clarke_skiba_fig6_load() -> np.ndarray:
    """Clarke & Skiba 2013 Fig. 6 load (DESIGN.md): 0 on day 0, 100 on days 1-119,
    then 80, 60, 50, 40, 35, 30, 30 on days 120-126, then 0 to day 200."""
    load = np.zeros(201)
    load[1:120] = 100.0
    load[120:127] = [80, 60, 50, 40, 35, 30, 30]
    return load


def perpot_printed(load_rate, ds, dr, dso, pp0):
    """PerPot's explicit update as printed (Perl 2001; Pfeiffer 2008): the flows of day i
    use SP(i), RP(i), PP(i) before that day's load; returns PP(i+1) for each day."""
    sp = rp = 0.0
    pp = pp0
    out = []
    for lr in load_rate:
        sr = min(min(1.0, sp), max(0.0, pp)) / ds
        rr = min(min(1.0, rp), min(1.0, 1.0 - pp)) / dr
        over = max(0.0, sp - 1.0) / dso
        sp, rp, pp = sp + lr - sr - over, rp + lr - rr, pp + rr - sr - over
        out.append(pp)
    return np.array(out)


def wbal_direct_sum(power, cp, w_prime, tau, dt):
    """Skiba 2012 integral W' balance at the end of each sample, O(n^2): each sample's
    expenditure rate max(P_i - CP, 0), held over [t_i, t_i + dt], integrated against the
    decay kernel up to t_k + dt: tau (e^{-(t_k - t_i)/tau} - e^{-(t_k + dt - t_i)/tau})."""
    n = len(power)
    t = np.arange(n) * dt
    lag = t[:, None] - t[None, :]                    # t_k - t_i
    integral = tau * (np.exp(-np.maximum(lag, 0) / tau) - np.exp(-(lag + dt) / tau))
    weights = np.where(lag >= 0, integral, 0.0)
    return w_prime - weights @ np.maximum(power - cp, 0.0)


#: Clarke & Skiba 2013 Fig. 3 (data of Vanhatalo et al. 2007; DESIGN.md): exhaustion times
#: (s) at constant powers (W). Published linear fit CP = 330.097 W, W' = 19 857.15 J.
FIG3_T = np.array([160.0, 205.0, 260.0, 430.0, 685.0])
FIG3_P = np.array([453.0, 430.0, 405.0, 375.0, 360.0])
