"""Kalman filter on the Banister state-space model: against batch estimates and the model."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calibration import forecast, kalman_filter, rts_smoother, state_space
from physiology.fitness_fatigue import BanisterParams, banister

PARAMS = BanisterParams(p0=300.0, k1=0.2, k2=0.5, tau1=40.0, tau2=8.0)
OBS_SD, PROCESS_SD = 2.0, (1.5, 1.0)


def simulate(rng, n_t=120, convention="same-day", test_every=7):
    """Truth with process noise, and noisy tests every ``test_every`` days."""
    ss = state_space(PARAMS, convention)
    load = rng.gamma(3.0, 30.0, n_t) * (rng.random(n_t) > 0.25)
    x = np.zeros(2)
    perf = np.empty(n_t)
    for t in range(n_t):
        x = ss.A @ x + ss.B * load[t] + np.asarray(PROCESS_SD) * rng.standard_normal(2)
        perf[t] = ss.H @ x + ss.D * load[t] + ss.c
    tests = np.full(n_t, np.nan)
    days = np.arange(test_every - 1, n_t, test_every)
    tests[days] = perf[days] + OBS_SD * rng.standard_normal(days.size)
    return load, tests, perf


def batch_posterior(load, tests, convention, m0, P0):
    """Posterior of every state by the normal equations of the whole linear-Gaussian
    problem (one dense solve over x_{-1}, ..., x_{T-1}); independent of the recursions."""
    ss = state_space(PARAMS, convention)
    n_t = len(load)
    n = 2 * (n_t + 1)
    info = np.zeros((n, n))
    vec = np.zeros(n)
    P0i = np.linalg.inv(P0)
    info[:2, :2] += P0i
    vec[:2] += P0i @ m0
    Qi = np.diag(1.0 / np.asarray(PROCESS_SD) ** 2)
    for t in range(n_t):
        cur, prev = slice(2 * t + 2, 2 * t + 4), slice(2 * t, 2 * t + 2)
        # (x_t - A x_{t-1} - B w_t)' Qi (...): blocks of [I, -A]
        M = np.hstack([-ss.A, np.eye(2)])
        idx = np.r_[np.arange(prev.start, prev.stop), np.arange(cur.start, cur.stop)]
        info[np.ix_(idx, idx)] += M.T @ Qi @ M
        vec[idx] += M.T @ Qi @ (ss.B * load[t])
        if np.isfinite(tests[t]):
            h = ss.H
            info[cur, cur] += np.outer(h, h) / OBS_SD**2
            vec[cur] += h * (tests[t] - ss.D * load[t] - ss.c) / OBS_SD**2
    cov = np.linalg.inv(info)
    mean = cov @ vec
    return mean[2:].reshape(n_t, 2), np.array(
        [cov[2 * t + 2:2 * t + 4, 2 * t + 2:2 * t + 4] for t in range(n_t)])


@pytest.mark.parametrize("convention", ["same-day", "next-day"])
def test_filter_equals_batch_estimate_of_todays_state(convention):
    rng = np.random.default_rng(1)
    load, tests, _ = simulate(rng, n_t=90, convention=convention)
    m0, P0 = np.array([5.0, 3.0]), np.diag([16.0, 9.0])
    f = kalman_filter(load, tests, PARAMS, obs_sd=OBS_SD, process_sd=PROCESS_SD,
                      convention=convention, mean0=m0, cov0=P0)
    means, covs = batch_posterior(load, tests, convention, m0, P0)
    # Same linear-Gaussian posterior by recursion and by one dense solve: equal to
    # rounding (states ~1e2 W, condition of the dense system ~1e6): 1e-8 as the issue.
    np.testing.assert_allclose(f.mean, means[-1], rtol=0, atol=1e-8)
    np.testing.assert_allclose(f.cov, covs[-1], rtol=0, atol=1e-8)
    sm, sc = rts_smoother(f)
    np.testing.assert_allclose(sm, means, rtol=0, atol=1e-8)
    np.testing.assert_allclose(sc, covs, rtol=0, atol=1e-8)


@pytest.mark.parametrize("convention", ["same-day", "next-day"])
def test_without_noise_or_tests_the_filter_is_the_model(convention):
    rng = np.random.default_rng(2)
    load = rng.uniform(0, 200, 100)
    f = kalman_filter(load, np.full(100, np.nan), PARAMS, obs_sd=OBS_SD, process_sd=(0, 0),
                      convention=convention)
    ref = banister(load, PARAMS, convention=convention)
    # The matrices are the kernel's Jacobians: the same arithmetic up to rounding.
    np.testing.assert_allclose(f.predicted_obs, ref.performance, rtol=1e-12)
    if convention == "same-day":  # the state is the same-day fitness and fatigue
        np.testing.assert_allclose(f.means[:, 0], ref.fitness, rtol=1e-12)
        np.testing.assert_allclose(f.means[:, 1], ref.fatigue, rtol=1e-12)


def test_forecast_starts_from_the_filtered_state():
    rng = np.random.default_rng(4)
    load, tests, _ = simulate(rng)
    f = kalman_filter(load, tests, PARAMS, obs_sd=OBS_SD, process_sd=PROCESS_SD)
    future = rng.uniform(0, 150, 30)
    fc = forecast(f, future, PARAMS, obs_sd=OBS_SD, process_sd=PROCESS_SD)
    # Kernel from the filtered state == the state-space recursion from it (linear model).
    ss = f.model
    x = f.mean.copy()
    for t in range(30):
        x = ss.A @ x + ss.B * future[t]
        assert fc.performance[t] == pytest.approx(ss.H @ x + ss.c, rel=1e-12)
    assert np.all(np.diff(fc.performance_sd) > 0)  # uncertainty grows without tests


def test_filter_forecasts_held_out_tests_better_than_open_loop():
    rng = np.random.default_rng(7)
    err_filter, err_open = [], []
    for _ in range(20):
        load, tests, _ = simulate(rng)
        f = kalman_filter(load, tests, PARAMS, obs_sd=OBS_SD, process_sd=PROCESS_SD)
        open_loop = banister(load, PARAMS).performance
        days = np.flatnonzero(np.isfinite(tests))[3:]  # each test before it is seen
        err_filter.append(f.predicted_obs[days] - tests[days])
        err_open.append(open_loop[days] - tests[days])
    rmse_f = np.sqrt(np.mean(np.concatenate(err_filter) ** 2))
    rmse_o = np.sqrt(np.mean(np.concatenate(err_open) ** 2))
    # Process noise lets the true state drift from the model; the filter tracks it.
    assert rmse_f < 0.8 * rmse_o


@given(st.floats(0.5, 5.0), st.floats(0.1, 3.0))
def test_covariance_stays_symmetric_positive_definite(obs_sd, q):
    rng = np.random.default_rng(0)
    load, tests, _ = simulate(rng, n_t=40)
    f = kalman_filter(load, tests, PARAMS, obs_sd=obs_sd, process_sd=(q, q))
    assert np.allclose(f.covs, np.swapaxes(f.covs, 1, 2))
    assert np.all(np.linalg.eigvalsh(f.covs) > 0)


def test_readiness_scores_are_assimilated():
    rng = np.random.default_rng(9)
    load, tests, perf = simulate(rng)
    readiness = (perf - 300.0) / 10.0 + rng.standard_normal(perf.size)  # daily, noisy
    with_r = kalman_filter(load, tests, PARAMS, obs_sd=OBS_SD, process_sd=PROCESS_SD,
                           readiness=(readiness, np.array([0.1, -0.1]), 0.0, 1.0))
    without = kalman_filter(load, tests, PARAMS, obs_sd=OBS_SD, process_sd=PROCESS_SD)
    # More data, smaller posterior variance of today's performance.
    h = without.model.H
    assert h @ with_r.cov @ h < h @ without.cov @ h


@pytest.mark.parametrize("obs_sd", [-1.0, 0.0, float("nan")])
def test_a_bad_observation_sd_names_the_argument(obs_sd):
    load = np.full(10, 100.0)
    with pytest.raises(ValueError, match=r"obs_sd = .*: expected an SD > 0"):
        kalman_filter(load, np.full(10, np.nan), BanisterParams(), obs_sd=obs_sd)
