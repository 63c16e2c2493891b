r"""Spring-mass running: ground-reaction force and stiffness, and strides from GPS volume.

Morin et al. (2005) "sine-wave" method, from speed v, contact time :math:`t_c`, flight
time :math:`t_f`, body mass m and leg length L (:math:`L \approx 0.53 \times` height,
Winter 1979):

.. math::

    F_{max} = m g \frac{\pi}{2}\left(\frac{t_f}{t_c} + 1\right), \quad
    \Delta y = \frac{F_{max} t_c^2}{m \pi^2} - \frac{g t_c^2}{8}, \quad
    k_{vert} = \frac{F_{max}}{\Delta y}, \quad
    \Delta L = L - \sqrt{L^2 - \left(\frac{v t_c}{2}\right)^2} + \Delta y, \quad
    k_{leg} = \frac{F_{max}}{\Delta L}

(:math:`\Delta y` is printed with the opposite sign in the paper, a downward
displacement; its magnitude is used here.) Validated at 3.3-6.7 m/s on a treadmill and
from 4 m/s to maximal speed overground.

GPS gives distance per speed band, not contact times. :func:`running_loads` turns it
into loading cycles and peak force per band through a gait relation
(:class:`GaitParams`): step frequency :math:`f = f_0 + f_1 v`, contact time
:math:`t_c = L_c / v` (a constant contact length), flight time
:math:`t_f = \max(1/f - t_c, 0)`; steps = distance x f / v, and each leg takes every other
step. The gait relation's defaults are labelled assumptions; replace them with the
athlete's own measurements where they exist.

References:
    Morin JB, Dalleau G, Kyrolainen H, Jeannin T, Belli A (2005). A simple method for
    measuring stiffness during running. J Appl Biomech 21(2):167-180,
    doi:10.1123/jab.21.2.167.
    Winter DA (1979). Biomechanics of Human Movement. Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physiology import validate
from physiology.params import ParamRecord, param

G = 9.80665  # m/s^2, standard gravity


class SpringMass(NamedTuple):
    """Spring-mass readouts (broadcast shape of the inputs)."""

    f_max_n: np.ndarray
    delta_y_m: np.ndarray
    k_vert_n_per_m: np.ndarray
    delta_l_m: np.ndarray
    k_leg_n_per_m: np.ndarray


def spring_mass(speed_m_s, contact_s, flight_s, mass_kg, leg_length_m) -> SpringMass:
    """Morin et al. (2005) spring-mass readouts, elementwise over broadcastable arrays.

    Raises:
        ValueError: naming the argument for non-positive or non-finite values, a negative
            flight time, or a contact so long that the leg would sweep past horizontal
            (``v * t_c / 2 >= L``).
    """
    v = validate.in_range("speed_m_s", speed_m_s, 1e-9, np.inf, "a speed > 0 m/s")
    tc = validate.in_range("contact_s", contact_s, 1e-9, np.inf, "a contact time > 0 s")
    tf = validate.in_range("flight_s", flight_s, 0.0, np.inf, "a flight time >= 0 s")
    m = validate.in_range("mass_kg", mass_kg, 1e-9, np.inf, "a body mass > 0 kg")
    leg = validate.in_range("leg_length_m", leg_length_m, 1e-9, np.inf, "a leg length > 0 m")
    half_sweep = v * tc / 2.0
    validate.in_range("speed_m_s * contact_s / 2 relative to leg_length_m", half_sweep / leg,
                       0.0, 1.0 - 1e-12, "a half contact length shorter than the leg")
    f_max = m * G * (np.pi / 2.0) * (tf / tc + 1.0)
    dy = f_max * tc**2 / (m * np.pi**2) - G * tc**2 / 8.0
    dl = leg - np.sqrt(leg**2 - half_sweep**2) + dy
    return SpringMass(f_max, dy, f_max / dy, dl, f_max / dl)


_GAIT = ("assumption: a simple gait relation, typical of distance running at 3-6 m/s; "
         "measure it per athlete where possible")


@dataclass(frozen=True)
class GaitParams(ParamRecord):
    """Gait relation turning speed into step frequency and contact time (module docstring)."""

    step_freq0: float = param(2.4, units="Hz", bounds=(1.8, 3.2), domain="(0, inf)",
                              source=_GAIT, description="step frequency at zero speed f0")
    step_freq_slope: float = param(0.15, units="Hz/(m/s)", bounds=(0.0, 0.3),
                                   domain="[0, inf)", source=_GAIT,
                                   description="rise of step frequency with speed f1")
    contact_length: float = param(0.9, units="m", bounds=(0.6, 1.2), domain="(0, inf)",
                                  source=_GAIT,
                                  description="distance travelled during one contact L_c")


class RunningLoads(NamedTuple):
    """Per speed band: loading cycles per leg and peak vertical force (body weights)."""

    cycles_per_leg: np.ndarray
    peak_force_bw: np.ndarray


def running_loads(distance_m, band_speed_m_s, leg_length_m: float,
                  gait: GaitParams | None = None) -> RunningLoads:
    """Cycles per leg and peak force per speed band from GPS distance per band.

    Args:
        distance_m: distance covered in each speed band (m), shape ``(..., K)``, >= 0.
        band_speed_m_s: representative speed of each band (m/s), shape ``(K,)``, > 0.
        leg_length_m: leg length (m).
        gait: a :class:`GaitParams` (default: its defaults).

    Returns:
        :class:`RunningLoads`: cycles per leg ``(..., K)`` and peak force ``(K,)`` in body
        weights (the spring-mass F_max divided by m g, so body mass cancels).
    """
    gait = validate.record("gait", gait, GaitParams)
    distance = validate.in_range("distance_m", distance_m, 0.0, np.inf, "a distance >= 0 m")
    v = validate.in_range("band_speed_m_s", band_speed_m_s, 1e-9, np.inf, "a speed > 0 m/s")
    freq = gait.step_freq0 + gait.step_freq_slope * v
    contact = gait.contact_length / v
    flight = np.maximum(1.0 / freq - contact, 0.0)
    loads = spring_mass(v, contact, flight, 1.0, leg_length_m)
    steps = distance * freq / v
    return RunningLoads(steps / 2.0, loads.f_max_n / G)
