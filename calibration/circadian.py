r"""Circadian phase and period from sleep timing (MSFsc) or a measured DLMO.

Chronotype as mid-sleep on free days corrected for sleep debt (Roenneberg et al. 2003,
2012):

.. math::

    \mathrm{MSF} = \text{mid-sleep on free days}, \qquad
    \mathrm{MSF_{sc}} = \mathrm{MSF} - \tfrac{1}{2}\big(SD_f - SD_{week}\big)
    \ \text{if}\ SD_f > SD_w,\qquad SD_{week} = \tfrac{5 SD_w + 2 SD_f}{7},

with :math:`SD_f`, :math:`SD_w` the mean sleep durations on free and work days. Phase:
DLMO = MSFsc - :data:`MSF_TO_DLMO_H` (Kantermann et al. 2015 found MSFsc the best
questionnaire predictor of DLMO; assumption: a 6.0 h mean interval, residual SD
:data:`DLMO_SD_H` h). A measured DLMO (tests of kind ``dlmo``, clock hours) replaces the
estimate, with an assay SD of :data:`DLMO_ASSAY_SD_H` h. Sleep timing does not identify
the intrinsic period; ``taux`` draws come from its population distribution (Duffy et al.
2011: 24.15 +- 0.20 h in 157 adults), centred on the Forger99 record's default.

References:
    Roenneberg T, Wirz-Justice A, Merrow M (2003). Life between clocks: daily temporal
    patterns of human chronotypes. J Biol Rhythms 18(1):80-90.
    Roenneberg T et al. (2012). Social jetlag and obesity. Curr Biol 22(10):939-943.
    Kantermann T, Sung H, Burgess HJ (2015). Comparing the Morningness-Eveningness
    Questionnaire and Munich ChronoType Questionnaire to the dim light melatonin onset.
    J Biol Rhythms 30(5):449-453.
    Duffy JF et al. (2011). Sex difference in the near-24-hour intrinsic period of the
    human circadian timing system. PNAS 108(Suppl 3):15602-15608.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.records import CircadianPhaseParams
from physiology.circadian import Forger99Params

MSF_TO_DLMO_H = 6.0   # assumption (module docstring)
DLMO_SD_H = 1.0       # assumption: residual SD of DLMO about the MSFsc prediction
DLMO_ASSAY_SD_H = 0.25  # assumption: salivary DLMO assay and sampling resolution
TAUX_SD_H = 0.20      # Duffy et al. 2011


@dataclass(frozen=True)
class CircadianFit:
    """``point`` and ``draws`` for ``taux`` and ``dlmo_h``; ``msf_sc`` (h, NaN when a
    DLMO was measured or no free days); ``source`` of the phase."""

    point: dict[str, float]
    draws: dict[str, np.ndarray]
    msf_sc: float
    source: str


def msf_sc(onset_h, offset_h, free_day) -> float:
    """Mid-sleep on free days, sleep-corrected (Roenneberg 2012), in clock hours.

    ``onset_h``, ``offset_h``: local clock hours of the sleep ending on each day (onset
    may be the previous evening); ``free_day``: bool per day. Days without both times are
    skipped. Returns NaN without free days.
    """
    on = np.asarray(onset_h, float)
    off = np.asarray(offset_h, float)
    free = np.asarray(free_day, bool)
    ok = np.isfinite(on) & np.isfinite(off)
    on, off, free = on[ok], off[ok], free[ok]
    dur = (off - on) % 24.0
    mid = (on + dur / 2.0) % 24.0
    if not free.any():
        return float("nan")
    # circular mean of the free-day mid-sleep times
    ang = mid[free] * 2 * np.pi / 24
    msf = (np.arctan2(np.sin(ang).mean(), np.cos(ang).mean()) * 24 / (2 * np.pi)) % 24
    sd_f = dur[free].mean()
    sd_w = dur[~free].mean() if (~free).any() else sd_f
    if sd_f > sd_w:
        msf -= 0.5 * (sd_f - (5 * sd_w + 2 * sd_f) / 7)
    return float(msf)


def fit_circadian(onset_h=(), offset_h=(), free_day=(), dlmo_h=(), *, n_draws: int = 200,
                  rng: np.random.Generator | None = None) -> CircadianFit:
    """Phase (DLMO) and period draws for one athlete (module docstring)."""
    rng = rng or np.random.default_rng(0)
    spec = CircadianPhaseParams.spec()["dlmo_h"]
    measured = np.asarray(dlmo_h, float)
    measured = measured[np.isfinite(measured)]
    chrono = msf_sc(onset_h, offset_h, free_day) if len(onset_h) else float("nan")
    if measured.size:
        # Unwrap evening clock times around 21 h so 23:30 and 00:30 average correctly.
        centre = float(np.mean((measured - 9.0) % 24.0 + 9.0))
        sd, source = DLMO_ASSAY_SD_H / np.sqrt(measured.size), "measured DLMO"
    elif np.isfinite(chrono):
        centre = (chrono - MSF_TO_DLMO_H - 9.0) % 24.0 + 9.0
        sd, source = DLMO_SD_H, "MSFsc (Roenneberg 2012) - 6.0 h"
    else:
        centre, sd, source = spec.default, DLMO_SD_H * 1.5, "population prior"
    lo, hi = spec.bounds
    dlmo = np.clip(centre + sd * rng.standard_normal(n_draws), lo, hi)
    t_spec = Forger99Params.spec()["taux"]
    taux = np.clip(t_spec.default + TAUX_SD_H * rng.standard_normal(n_draws), *t_spec.bounds)
    return CircadianFit({"taux": t_spec.default, "dlmo_h": float(np.clip(centre, lo, hi))},
                        {"taux": taux, "dlmo_h": dlmo}, chrono, source)
