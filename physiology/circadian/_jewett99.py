r"""Jewett, Forger & Kronauer (1999) revised Kronauer model, with its non-cubic term.

State :math:`(x, x_c, n)`, time in hours, light I in lux; Process L as Kronauer et al.
(1999), Process P a van der Pol oscillator with the higher-order term in x:

.. math::

    \alpha(I) &= \alpha_0 (I / I_0)^p, \qquad
    \frac{dn}{dt} = 60\,[\alpha(I)(1 - n) - \beta n] \\
    B &= G\,\alpha(I)\,(1 - n)\,(1 - 0.4 x)(1 - 0.4 x_c) \\
    \frac{dx}{dt} &= \frac{\pi}{12}\left[x_c + \mu\left(\tfrac{1}{3}x + \tfrac{4}{3}x^3
        - \tfrac{256}{105}x^7\right) + B\right] \\
    \frac{dx_c}{dt} &= \frac{\pi}{12}\left[q B x_c
        - x\left(\left(\frac{24}{0.99729\,\tau_x}\right)^2 + k B\right)\right]

Phase :math:`\operatorname{atan2}(-x_c, x)`, amplitude :math:`\sqrt{x^2 + x_c^2}`; CBTmin
0.8 h after the minimum of x (Jewett et al. 1999), DLMO 7 h before CBTmin.

References:
    Jewett ME, Forger DB, Kronauer RE (1999). Revised limit cycle oscillator model of
    human circadian pacemaker. J Biol Rhythms 14(6):493-499,
    doi:10.1177/074873049901400608.
    Kronauer RE, Forger DB, Jewett ME (1999). Quantifying human circadian pacemaker
    response to brief, extended, and repeated light stimuli over the phototopic range.
    J Biol Rhythms 14(6):500-515, doi:10.1177/074873099129001073.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from physiology.circadian._process_l import (
    KronauerState,
    LightInput,
    dn_dt,
    kronauer_alpha,
    photic_drive,
    vdp_sensitivity,
)
from physiology.kernels import ode_kernel, ops
from physiology.params import ParamRecord, param

_J99 = "Jewett et al. 1999"
_K99 = "Kronauer et al. 1999 (Process L)"
_POS = "(0, inf)"


@dataclass(frozen=True)
class Jewett99Params(ParamRecord):
    """Parameters of the Jewett 1999 model (module docstring)."""

    taux: float = param(24.2, units="h", bounds=(23.5, 25.0), domain=_POS, source=_J99,
                        description="intrinsic period tau_x")
    mu: float = param(0.13, units="1", bounds=(0.02, 0.5), domain=_POS, source=_J99,
                      description="oscillator stiffness mu")
    q: float = param(1.0 / 3.0, units="1", bounds=(0.0, 1.0), domain="[0, inf)", source=_J99,
                     description="light effect on the amplitude q")
    k: float = param(0.55, units="1", bounds=(0.1, 1.0), domain="[0, inf)", source=_J99,
                     description="light modulation of the period k")
    g: float = param(19.875, units="1", bounds=(5.0, 60.0), domain="[0, inf)", source=_K99,
                     description="light drive gain G")
    alpha0: float = param(0.16, units="1/min", bounds=(0.01, 0.5), domain=_POS, source=_K99,
                          description="photoreceptor activation rate alpha0")
    beta: float = param(0.013, units="1/min", bounds=(0.001, 0.05), domain=_POS, source=_K99,
                        description="photoreceptor recovery rate beta")
    p: float = param(0.6, units="1", bounds=(0.2, 1.0), domain=_POS, source=_K99,
                     description="light sensitivity exponent p")
    i0: float = param(9500.0, units="lux", bounds=(1000.0, 20000.0), domain=_POS,
                      source=_K99, description="reference illuminance I0")


Params = Jewett99Params.kernel_params("dt", module=__name__)


State, Inputs = KronauerState, LightInput  # shared with the other Kronauer model


class Consts(NamedTuple):
    r"""What drive and rhs need: the record's rates, :math:`\omega^2 = (24 / (0.99729
    \tau_x))^2`, Process L's constants and the step dt (h)."""

    mu: float
    q: float
    k: float
    g: float
    beta: float  # 1/min
    omega2: float
    alpha0: float  # 1/min
    p_exp: float
    i0: float  # lux
    dt: float  # h


def prepare(p, s0):
    omega2 = (24.0 / (0.99729 * p.taux)) ** 2
    return (Consts(p.mu, p.q, p.k, p.g, p.beta, omega2, p.alpha0, p.p, p.i0, p.dt),
            State(s0.x, s0.xc, s0.n))


def drive(u, c):
    return kronauer_alpha(u.light, c.alpha0, c.i0, c.p_exp), c, c.dt


def rhs(s, alpha, c):
    x, xc, n = s.x, s.xc, s.n
    b = photic_drive(alpha, n, c.g) * vdp_sensitivity(x, xc)
    stiffness = c.mu * (x / 3.0 + 4.0 / 3.0 * x**3 - 256.0 / 105.0 * x**7)
    dx = (ops.pi / 12.0) * (xc + stiffness + b)
    dxc = (ops.pi / 12.0) * (c.q * b * xc - x * (c.omega2 + c.k * b))
    return State(dx, dxc, dn_dt(alpha, n, c.beta))


KERNEL = ode_kernel("jewett99", prepare, drive, rhs, Params=Params, State=State,
                    Inputs=Inputs)
