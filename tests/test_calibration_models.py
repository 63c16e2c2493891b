"""Power-duration, circadian and prior calibration against published values."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calibration import (
    RECORDS,
    fit_circadian,
    fit_power_duration,
    msf_sc,
    power_duration_prior,
    record_prior,
)
from physiology.circadian import Forger99Params
from tests.oracles import FIG3_P as POWERS
from tests.oracles import FIG3_T as DURATIONS


def test_power_duration_matches_published_fit_and_correlation():
    fit = fit_power_duration(DURATIONS, POWERS, n_draws=300, rng=np.random.default_rng(1))
    # Published linear fit CP = 330.097 W, W' = 19 857.15 J (3 decimals printed).
    assert fit.point["cp"] == pytest.approx(330.097, abs=1e-3)
    assert fit.point["w_prime"] == pytest.approx(19857.15, abs=1e-2)
    # P = CP + W'/t: a higher CP must be paid for with a lower W' (strong negative
    # correlation of the estimates, which the bootstrap draws keep).
    assert np.corrcoef(fit.draws["cp"], fit.draws["w_prime"])[0, 1] < -0.8
    assert abs(np.median(fit.draws["cp"]) - 330.097) < 3.0  # unbiased to ~1 SE (~2 W)


def test_too_few_bests_for_uncertainty():
    with pytest.raises(ValueError, match="need at least 3"):
        fit_power_duration(DURATIONS[:2], POWERS[:2])


def test_msf_sc_worked_example():
    # Roenneberg 2012 correction by hand: work days 23:00-07:00 (8 h), free days
    # 01:00-11:00 (10 h). MSF = 06:00; SD_week = (5*8 + 2*10)/7 = 8.571 h;
    # MSFsc = 6 - (10 - 8.571)/2 = 5.2857 h.
    onset = [23.0] * 5 + [1.0] * 2
    offset = [7.0] * 5 + [11.0] * 2
    free = [False] * 5 + [True] * 2
    assert msf_sc(onset, offset, free) == pytest.approx(6 - (10 - 60 / 7) / 2, abs=1e-12)


def test_measured_dlmo_wins_over_sleep_timing():
    fit = fit_circadian([23.0, 1.0], [7.0, 11.0], [False, True], dlmo_h=[21.5, 21.0],
                        rng=np.random.default_rng(0))
    assert fit.point["dlmo_h"] == pytest.approx(21.25) and fit.source == "measured DLMO"
    # Measured across midnight: 23:30 and 00:30 average to 24:00, not 12:00.
    late = fit_circadian(dlmo_h=[23.5, 0.5], rng=np.random.default_rng(0))
    assert late.point["dlmo_h"] == pytest.approx(24.0)
    # No DLMO, no sleep: the record's prior, period centred on Forger99's default.
    prior = fit_circadian(rng=np.random.default_rng(0))
    assert prior.point["taux"] == Forger99Params().taux and prior.source == "population prior"


@given(st.floats(40.0, 120.0))
def test_power_duration_prior_scales_with_body_mass(mass):
    out = power_duration_prior(mass, 50, np.random.default_rng(0))
    assert out["cp"][0] == pytest.approx(4.0 * mass)  # 4 W/kg (assumption, documented)
    assert out["w_prime"][0] == pytest.approx(250.0 * mass)


@pytest.mark.parametrize("model", ["tissue", "hazard"])
def test_record_priors_stay_in_bounds(model):
    (record,) = RECORDS[model]
    prior = record_prior(record, 500, np.random.default_rng(0))
    for name, (median, draws) in prior.items():
        lo, hi = record.spec()[name].bounds
        assert median == record.spec()[name].default
        assert np.all((draws >= lo) & (draws <= hi))
