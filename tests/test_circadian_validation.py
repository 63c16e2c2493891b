"""Validation against published human data (written up in docs/validation.md).

Khalsa et al. (2003), J Physiol 549:945-952: phase shifts of the melatonin rhythm after a
single 6.7-h bright-light stimulus (~10 000 lux) given at different circadian phases,
against a dim background. Published: a type 1 phase-response curve, delays when the
stimulus is centred before CBTmin and advances after it, no shift at a critical phase
near CBTmin, no dead zone in the subjective day, and a peak-to-trough amplitude of
5.02 h.

Protocol simulated here: entrained to 16 h of 150 lux and 8 h of darkness (sleep
23:00-07:00), then dim light (10 lux) from the second day, the 6.7-h 10 000-lux pulse on
the third day centred at each whole hour, and the shift read from the last CBTmin
against a control without the pulse. Differences from the experiment: a fixed dim level
instead of the laboratory's constant routines and sleep episodes, and CBTmin instead of
the melatonin midpoint, so agreement to within about an hour of amplitude is what the
models can be asked for.
"""

import numpy as np
import pytest

from physiology.circadian import MODELS, cbtmin_times, equilibrate, simulate

DT = 0.1
PER_DAY = 240
HOME = np.r_[np.full(70, 0.0), np.full(160, 150.0), np.full(10, 0.0)]
KHALSA_AMPLITUDE_H = 5.02
#: Per-model bands on the amplitude: the macroscopic model reproduces it, the van der Pol
#: models underestimate it by about a third (see docs/validation.md).
AMPLITUDE_BAND = {"hannay19": (4.2, 5.8), "forger99": (3.0, 4.0), "jewett99": (3.0, 4.0)}


def phase_response(model):
    centres = np.arange(0.0, 24.0, 1.0)
    light = np.tile(HOME, 6).astype(float)
    light[PER_DAY:] = 10.0
    runs = [light]
    half = round(6.7 / 2 / DT)
    for c in centres:
        pulsed = light.copy()
        mid = 2 * PER_DAY + round(c / DT)
        pulsed[mid - half:mid + half] = 10_000.0
        runs.append(pulsed)
    states = simulate(np.stack(runs), DT, model, state0=equilibrate(HOME, DT, model))
    control = cbtmin_times(states[0], DT, model)
    shifts = np.array([control[-1] - cbtmin_times(s, DT, model)[-1] for s in states[1:]])
    return centres, shifts, control[2] % 24        # CBTmin of the pulse day


@pytest.mark.parametrize("model", list(MODELS))
def test_khalsa_2003_phase_response(model):
    centres, shifts, cbt = phase_response(model)
    amplitude = shifts.max() - shifts.min()
    lo, hi = AMPLITUDE_BAND[model]
    assert lo < amplitude < hi, (model, amplitude, KHALSA_AMPLITUDE_H)
    # Type 1, crossing from delay to advance within 1 h of CBTmin.
    rel = (centres - cbt + 12) % 24 - 12            # pulse centre relative to CBTmin (h)
    order = np.argsort(rel)
    rel, shifts = rel[order], shifts[order]
    i = np.flatnonzero((shifts[:-1] < 0) & (shifts[1:] >= 0))
    assert i.size == 1
    crossing = rel[i] - shifts[i] * (rel[i + 1] - rel[i]) / (shifts[i + 1] - shifts[i])
    assert abs(crossing[0]) < 1.0                              # interpolated zero
    assert np.all(shifts[(rel > -8) & (rel < -2)] < 0)       # delays before CBTmin
    assert np.all(shifts[(rel > 2) & (rel < 8)] > 0)         # advances after
    # No dead zone: the subjective day (8-14 h after CBTmin) still shifts by > 0.3 h.
    assert np.all(np.abs(shifts[(rel >= 8) & (rel <= 14)]) > 0.3)


CZEISLER_PERIOD_H = 24.18


@pytest.mark.parametrize("model", list(MODELS))
def test_intrinsic_period_under_forced_desynchrony(model):
    """Czeisler et al. (1999), Science 284:2177-2181: in forced desynchrony (28-h days,
    dim light while awake, darkness while asleep) the intrinsic period averaged 24.18 h.
    Simulated: 3 entrained days, then 30 forced-desynchrony days of 18.67 h awake at
    1.5 lux and 9.33 h of darkness; the period is the slope of CBTmin times after two
    settling days. Tolerance 0.05 h, a quarter of the 0.2-h spread of individual periods
    in the same protocol (Duffy et al. 2011, PNAS 108:15602)."""
    wake = round(18.67 / DT)
    fd_day = np.r_[np.full(wake, 1.5), np.zeros(round(28 / DT) - wake)]
    light = np.r_[np.tile(HOME, 3), np.tile(fd_day, 30)]
    cbt = cbtmin_times(simulate(light, DT, model), DT, model)
    cbt = cbt[cbt > 3 * 24 + 48]
    period = np.polyfit(np.arange(cbt.size), cbt, 1)[0]
    assert period == pytest.approx(CZEISLER_PERIOD_H, abs=0.05)
