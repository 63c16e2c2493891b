r"""Process L, the light input shared by the circadian models (Kronauer et al. 1999).

Photoreceptors activate at rate :math:`\alpha(I)` and recover at rate :math:`\beta`
(per minute, hence the factor 60 for hours); the drive on the pacemaker is the rate at
which ready photoreceptors are used:

.. math::

    \frac{dn}{dt} = 60\,[\alpha(I)(1 - n) - \beta n], \qquad \hat B = G\,\alpha(I)(1 - n)

with :math:`\alpha(I) = \alpha_0 (I/I_0)^p` in the Kronauer family (Forger 1999, Jewett
1999). The van der Pol models modulate the drive by the pacemaker's state,
:math:`B = \hat B (1 - 0.4 x)(1 - 0.4 x_c)` (circadian sensitivity). Written once here as
kernel helpers, compiled with each model that calls them.

Reference:
    Kronauer RE, Forger DB, Jewett ME (1999). Quantifying human circadian pacemaker
    response to brief, extended, and repeated light stimuli over the phototopic range.
    J Biol Rhythms 14(6):500-515, doi:10.1177/074873099129001073.
"""

from typing import NamedTuple

from physiology.kernels import helper


class LightInput(NamedTuple):
    """The one input of the light-driven pacemakers: illuminance over the step (lux)."""

    light: float


class KronauerState(NamedTuple):
    """State of the van der Pol pacemakers with Process L (Forger 1999, Jewett 1999):
    the oscillator :math:`(x, x_c)` and the activated photoreceptor fraction n (all 1)."""

    x: float
    xc: float
    n: float


@helper
def kronauer_alpha(light, alpha0, i0, p):
    """Photoreceptor activation rate alpha(I) = alpha0 (I / I0)^p (1/min)."""
    return alpha0 * (light / i0) ** p


@helper
def dn_dt(alpha, n, beta):
    """Rate of change of the activated fraction n (1/h)."""
    return 60.0 * (alpha * (1.0 - n) - beta * n)


@helper
def photic_drive(alpha, n, g):
    """Drive on the pacemaker, B-hat = G alpha (1 - n)."""
    return g * alpha * (1.0 - n)


@helper
def vdp_sensitivity(x, xc):
    """Circadian modulation of the drive in the van der Pol models, (1 - 0.4x)(1 - 0.4xc)."""
    return (1.0 - 0.4 * x) * (1.0 - 0.4 * xc)
