"""Bad input raises ValueError naming the argument and the offending index or value."""

import numpy as np
import pytest

from physiology.fitness_fatigue import BanisterParams, banister, busso, calvert, perpot
from physiology.load import acwr, monotony, pmc, session_rpe, strain, trimp_banister

SERIES_FUNCTIONS = [banister, busso, calvert, perpot, pmc, acwr, monotony, strain]


@pytest.mark.parametrize("fn", SERIES_FUNCTIONS)
def test_negative_load_names_index(fn):
    load = np.full((2, 40), 50.0)
    load[1, 17] = -2.0
    with pytest.raises(ValueError, match=r"load\[1, 17\] = -2.0: expected a non-negative"):
        fn(load)


@pytest.mark.parametrize("fn", SERIES_FUNCTIONS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_load_names_index(fn, bad):
    load = np.full(40, 50.0)
    load[3] = bad
    with pytest.raises(ValueError, match=r"load\[3\] = (nan|inf): expected a finite"):
        fn(load)


@pytest.mark.parametrize("fn", SERIES_FUNCTIONS)
def test_wrong_shapes(fn):
    with pytest.raises(ValueError, match="load: expected an array with time as its last axis"):
        fn(5.0)
    with pytest.raises(ValueError, match="load: expected an array of numbers"):
        fn([["a", "b"]])


def test_non_positive_time_constants():
    with pytest.raises(ValueError, match=r"BanisterParams.tau1 = 0.0: expected a value in \(0"):
        banister(np.ones(10), BanisterParams(tau1=0.0))
    with pytest.raises(ValueError, match=r"ctl_days = -42.0: expected a finite value > 0"):
        pmc(np.ones(10), ctl_days=-42)
    with pytest.raises(ValueError, match=r"atl_days\[1\] = 0.0"):
        pmc(np.ones((2, 10)), atl_days=np.array([7.0, 0.0]))


def test_windows_longer_than_series():
    with pytest.raises(ValueError, match=r"chronic = 28 d: longer than the series \(20 d\)"):
        acwr(np.ones(20))
    with pytest.raises(ValueError, match=r"window = 7 d: longer than the series \(5 d\)"):
        monotony(np.ones(5))
    with pytest.raises(ValueError, match=r"acute = 28 d: expected shorter than chronic = 7 d"):
        acwr(np.ones(40), acute=28, chronic=7)
    with pytest.raises(ValueError, match=r"window = 2.5: expected a whole number"):
        strain(np.ones(40), window=2.5)


def test_unknown_names():
    with pytest.raises(ValueError, match=r"convention='tomorrow': expected one of"):
        banister(np.ones(5), convention="tomorrow")
    with pytest.raises(ValueError, match=r"backend='torch': expected one of"):
        banister(np.ones(5), backend="torch")
    with pytest.raises(ValueError, match=r"decay='linear': expected one of"):
        pmc(np.ones(5), decay="linear")
    with pytest.raises(ValueError, match=r"method='sma': expected one of"):
        acwr(np.ones(40), method="sma")


def test_session_inputs():
    with pytest.raises(ValueError, match=r"rpe\[1\] = 11.0: expected a CR-10 rating"):
        session_rpe([5, 11], [60, 60])
    with pytest.raises(ValueError, match=r"hr_exercise"):
        trimp_banister(60, 200, 60, 190)
    with pytest.raises(ValueError, match=r"hr_max > hr_rest"):
        trimp_banister(60, 100, 190, 60)


@pytest.mark.parametrize("fn", [banister, busso, calvert, perpot])
def test_params_must_be_the_models_record(fn):
    from physiology.fitness_fatigue import CalvertParams

    other = BanisterParams() if fn is not banister else CalvertParams()
    with pytest.raises(ValueError, match=r"params: expected a .*Params, got"):
        fn(np.ones(5), other)
    with pytest.raises(ValueError, match=r"params: expected a .*Params, got dict"):
        fn(np.ones(5), {"tau1": 0.0})


def test_param_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"load \(batch dims\) \(2,\), tau1 \(3,\)"):
        banister(np.ones((2, 30)), BanisterParams(tau1=np.array([20.0, 30.0, 40.0])))
    with pytest.raises(ValueError, match=r"lam_c \(3,\)"):
        pmc(np.ones((2, 30)), ctl_days=np.array([30.0, 40.0, 50.0]))


def test_pmc_weights_and_initial_values():
    message = (r"ctl_days \(as the weight 1/N\) = 2.0: expected a weight in \(0, 1\]; "
               r"for decay='1/N' use ctl_days >= 1 d")
    with pytest.raises(ValueError, match=message):
        pmc(np.ones(10), ctl_days=0.5, decay="1/N")
    with pytest.raises(ValueError, match=r"ctl0 = nan: expected a finite load >= 0"):
        pmc(np.ones(10), ctl0=np.nan)
    with pytest.raises(ValueError, match=r"atl0 = -5.0"):
        pmc(np.ones(10), atl0=-5.0)


@pytest.mark.parametrize("bad", [None, np.nan, np.inf, "7", True, 0])
def test_window_values(bad):
    with pytest.raises(ValueError, match=r"window = .*: expected a whole number of days >= 1"):
        monotony(np.ones(40), window=bad)


def test_flags_and_choices_are_checked():
    with pytest.raises(ValueError, match="coupled = 'no': expected True or False"):
        acwr(np.ones(40), coupled="no")
    with pytest.raises(ValueError, match="sex='other': expected one of"):
        trimp_banister(60, 150, 60, 190, "other", coefficients=(0.64, 1.92))
