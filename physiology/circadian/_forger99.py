r"""Forger, Jewett & Kronauer (1999) "simpler" model of the human circadian pacemaker.

State :math:`(x, x_c, n)`, time in hours, light I in lux. Process L (photoreceptor
activation n) and Process P (a van der Pol oscillator with a cubic term in :math:`x_c`):

.. math::

    \alpha(I) &= \alpha_0 (I / I_0)^p, \qquad
    \frac{dn}{dt} = 60\,[\alpha(I)(1 - n) - \beta n] \\
    B &= G\,\alpha(I)\,(1 - n)\,(1 - 0.4 x)(1 - 0.4 x_c) \\
    \frac{dx}{dt} &= \frac{\pi}{12}\,(x_c + B) \\
    \frac{dx_c}{dt} &= \frac{\pi}{12}\left[\mu\left(x_c - \tfrac{4}{3} x_c^3\right)
        - x\left(\left(\frac{24}{0.99669\,\tau_x}\right)^2 + k B\right)\right]

Default parameters: the Serkh & Forger (2014) refit, as the peer ``circadian`` package
also uses; :data:`FORGER99_ORIGINAL` holds the 1999 Process L values (those of Kronauer
et al. 1999). Phase: :math:`\operatorname{atan2}(-x_c, x)` (the oscillator turns
clockwise in the :math:`(x, x_c)` plane); amplitude :math:`\sqrt{x^2 + x_c^2}`; the core
body temperature minimum (CBTmin) is at the minimum of x (offset 0 h) and DLMO 7 h
before it.

References:
    Forger DB, Jewett ME, Kronauer RE (1999). A simpler model of the human circadian
    pacemaker. J Biol Rhythms 14(6):532-537, doi:10.1177/074873099129000867.
    Serkh K, Forger DB (2014). Optimal schedules of light exposure for rapidly
    correcting circadian misalignment. PLoS Comput Biol 10(4):e1003523,
    doi:10.1371/journal.pcbi.1003523.
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

_SF14 = "Serkh & Forger 2014 (refit of Forger et al. 1999)"
_F99 = "Forger et al. 1999"
_POS = "(0, inf)"


@dataclass(frozen=True)
class Forger99Params(ParamRecord):
    """Parameters of the Forger 1999 model (module docstring); defaults Serkh & Forger 2014."""

    taux: float = param(24.2, units="h", bounds=(23.5, 25.0), domain=_POS, source=_F99,
                        description="intrinsic period tau_x")
    mu: float = param(0.23, units="1", bounds=(0.05, 0.5), domain=_POS, source=_F99,
                      description="oscillator stiffness mu")
    k: float = param(0.55, units="1", bounds=(0.1, 1.0), domain="[0, inf)", source=_F99,
                     description="light modulation of the period k")
    g: float = param(33.75, units="1", bounds=(5.0, 60.0), domain="[0, inf)", source=_SF14,
                     description="light drive gain G")
    alpha0: float = param(0.05, units="1/min", bounds=(0.01, 0.5), domain=_POS, source=_SF14,
                          description="photoreceptor activation rate alpha0")
    beta: float = param(0.0075, units="1/min", bounds=(0.001, 0.05), domain=_POS,
                        source=_SF14, description="photoreceptor recovery rate beta")
    p: float = param(0.5, units="1", bounds=(0.2, 1.0), domain=_POS, source=_SF14,
                     description="light sensitivity exponent p")
    i0: float = param(9500.0, units="lux", bounds=(1000.0, 20000.0), domain=_POS,
                      source=_F99, description="reference illuminance I0")


#: The original Forger et al. (1999) Process L values (Kronauer et al. 1999's).
FORGER99_ORIGINAL = Forger99Params(g=19.875, alpha0=0.16, beta=0.013, p=0.6)


Params = Forger99Params.kernel_params("dt", module=__name__)


State, Inputs = KronauerState, LightInput  # shared with the other Kronauer model


class Consts(NamedTuple):
    r"""What drive and rhs need: the record's rates, :math:`\omega^2 = (24 / (0.99669
    \tau_x))^2`, Process L's constants and the step dt (h)."""

    mu: float
    k: float
    g: float
    beta: float  # 1/min
    omega2: float
    alpha0: float  # 1/min
    p_exp: float
    i0: float  # lux
    dt: float  # h


def prepare(p, s0):
    omega2 = (24.0 / (0.99669 * p.taux)) ** 2
    return (Consts(p.mu, p.k, p.g, p.beta, omega2, p.alpha0, p.p, p.i0, p.dt),
            State(s0.x, s0.xc, s0.n))


def drive(u, c):
    return kronauer_alpha(u.light, c.alpha0, c.i0, c.p_exp), c, c.dt


def rhs(s, alpha, c):
    x, xc, n = s.x, s.xc, s.n
    b = photic_drive(alpha, n, c.g) * vdp_sensitivity(x, xc)
    dx = (ops.pi / 12.0) * (xc + b)
    dxc = (ops.pi / 12.0) * (c.mu * (xc - 4.0 / 3.0 * xc**3) - x * (c.omega2 + c.k * b))
    return State(dx, dxc, dn_dt(alpha, n, c.beta))


KERNEL = ode_kernel("forger99", prepare, drive, rhs, Params=Params, State=State,
                    Inputs=Inputs)
