r"""Banister's training impulse (TRIMP) from session heart rate.

.. math::

    \text{TRIMP} = D \cdot \Delta HR \cdot a\, e^{b\, \Delta HR}, \qquad
    \Delta HR = \frac{HR_{ex} - HR_{rest}}{HR_{max} - HR_{rest}}

with D the duration in minutes and the sex-specific weighting of the heart-rate reserve
fraction: a = 0.64, b = 1.92 for men; a = 0.86, b = 1.67 for women (:data:`TRIMP_COEFFICIENTS`).
GoldenCheetah uses a = 0.64 for both sexes; pass ``coefficients=(0.64, 1.67)`` to match.
Computed from the session's mean heart rate; summing per-sample TRIMP gives a larger
number because the weighting is convex.

References:
    Morton RH, Fitz-Clarke JR, Banister EW (1990). Modeling human performance in
    running. J Appl Physiol 69(3):1171-1177, doi:10.1152/jappl.1990.69.3.1171.
    Banister EW (1991). Modeling elite athletic performance. In MacDougall JD, Wenger HA,
    Green HJ (eds), Physiological Testing of the High-Performance Athlete, 2nd ed.
    Human Kinetics, pp. 403-424.
"""

from __future__ import annotations

import numpy as np

from physiology import validate

#: (a, b) of the heart-rate weighting, by sex (Morton et al. 1990; Banister 1991).
TRIMP_COEFFICIENTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}


def trimp_banister(duration_min, hr_exercise, hr_rest, hr_max, sex: str = "male", *,
                   coefficients: tuple[float, float] | None = None) -> np.ndarray:
    """Banister TRIMP (AU) of sessions, elementwise over broadcastable arrays.

    Args:
        duration_min: session duration (min), >= 0.
        hr_exercise: mean heart rate of the session (beats/min).
        hr_rest, hr_max: resting and maximal heart rate (beats/min), ``hr_rest < hr_max``.
        sex: ``"male"`` or ``"female"`` (selects :data:`TRIMP_COEFFICIENTS`).
        coefficients: ``(a, b)`` overriding the sex's coefficients.

    Raises:
        ValueError: naming the argument and index when a heart rate lies outside
            ``[hr_rest, hr_max]`` or a value is not finite.
    """
    a, b = TRIMP_COEFFICIENTS[validate.choice("sex", sex, TRIMP_COEFFICIENTS)]
    if coefficients is not None:
        a, b = (float(c) for c in coefficients)
    duration = validate.in_range("duration_min", duration_min, 0.0, np.inf, "a duration >= 0 min")
    rest = validate.in_range("hr_rest", hr_rest, 0.0, np.inf, "a heart rate >= 0 beats/min")
    top = validate.in_range("hr_max", hr_max, 0.0, np.inf, "a heart rate >= 0 beats/min")
    validate.in_range("hr_max - hr_rest", top - rest, 1e-9, np.inf, "hr_max > hr_rest")
    hr = np.asarray(hr_exercise, dtype=float)
    reserve = validate.in_range("heart-rate reserve fraction of hr_exercise",
                                 (hr - rest) / (top - rest), 0.0, 1.0,
                                 "hr_rest <= hr_exercise <= hr_max")
    return duration * reserve * a * np.exp(b * reserve)
