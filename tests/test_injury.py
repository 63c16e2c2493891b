"""Injury hazard and Monte-Carlo injuries: bounds, monotonicity, expectations, determinism."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from physiology.injury import (
    DEFAULT_TYPES,
    HAMSTRING_TYPES,
    HazardParams,
    InjuryType,
    excess_over_habitual,
    injury_probability,
    simulate_injuries,
    time_loss_days,
    uniforms,
)
from tests.strategies import records

FEATURES = ("training_h", "match_h", "damage", "acwr", "fatigue", "sleep_debt_h",
            "w_prime_depletion")
feature = st.floats(0.0, 20.0)
ON = HazardParams(beta_fatigue=np.log(1.5), beta_acwr=2 * np.log(2), beta_damage=np.log(20),
                  beta_sleep=np.log(1.7), beta_w_prime=np.log(2))  # every option on


def test_hazard_closed_form(backend):
    """Per-hour rates times hours, the congestion and return multipliers, the options."""
    p = ON
    got = injury_probability(1.5, 0.0, since_return_days=10.0, damage=0.5, acwr=1.6,
                             fatigue=0.2, sleep_debt_h=1.5, w_prime_depletion=0.4,
                             params=p, backend=backend)
    log_rr = (p.beta_damage * 0.5 + p.beta_acwr * 0.6 + p.beta_fatigue * 0.2
              + p.beta_sleep * 1.5 + p.beta_w_prime * 0.4)
    h = p.rate_training * 1.5 * p.rr_return * np.exp(log_rr)
    assert got[0] == pytest.approx(-np.expm1(-h), rel=1e-14)
    # A 90-min match 3 days after the previous one, never injured, options at default.
    d = HazardParams()
    got = injury_probability(match_h=1.5, recovery_days=3.0, backend=backend)[0]
    assert got == pytest.approx(-np.expm1(-d.rate_match * 1.5 * d.rr_congestion), rel=1e-14)
    # The boundaries: r_C days is congested, s_R days after a return is not "early".
    at = injury_probability(match_h=1.0, recovery_days=d.congestion_days,
                            since_return_days=d.return_days)[0]
    assert at == pytest.approx(-np.expm1(-d.rate_match * d.rr_congestion), rel=1e-14)


def test_no_exposure_no_injury(backend):
    """A day without training or match exposure has no new injury, whatever the features
    (every option on)."""
    got = injury_probability(0.0, 0.0, recovery_days=1.0, since_return_days=0.0, damage=3.0,
                             acwr=2.5, fatigue=1.0, sleep_debt_h=8.0, params=ON,
                             backend=backend)
    assert got[0] == 0.0


def test_default_options_are_neutral():
    """Disputed or unsourced features are off by default: the probability does not
    depend on them (the docs/model.md caveat)."""
    base = injury_probability(1.0, 0.5)[0]
    assert injury_probability(1.0, 0.5, damage=5.0, acwr=3.0, fatigue=2.0, sleep_debt_h=10.0,
                              w_prime_depletion=1.5)[0] == base


@given(values=st.tuples(*(feature,) * 6, st.floats(0.0, 1.0)),
       which=st.sampled_from(FEATURES), bump=st.floats(1e-3, 4.0), data=st.data())
def test_hazard_bounded_and_monotone(values, which, bump, data):
    """p in [0, 1] for any input, and non-decreasing in each exposure and feature; a
    shorter recovery or a more recent return never lowers it."""
    p = data.draw(records(HazardParams))
    base = dict(zip(FEATURES, values, strict=True))
    more = dict(base)
    more[which] = min(more[which] + bump, 1.0) if which == "w_prime_depletion" else (
        more[which] + bump)
    lo = injury_probability(**base, params=p)
    hi = injury_probability(**more, params=p)
    assert 0.0 <= lo[0] <= hi[0] <= 1.0
    sooner = injury_probability(**base, recovery_days=2.0, since_return_days=1.0, params=p)
    assert sooner[0] >= lo[0]
    # atol 1e-300: XLA on CPU flushes subnormal results (below 2.2e-308) to zero
    np.testing.assert_allclose(injury_probability(**base, params=p, backend="jax"), lo,
                               rtol=1e-12, atol=1e-300)


def test_undefined_acwr_adds_nothing():
    assert injury_probability(1.0, acwr=np.nan, params=ON)[0] == injury_probability(
        1.0, acwr=0.5, params=ON)[0]


def test_hazard_errors():
    with pytest.raises(ValueError, match=r"sleep_debt_h = -1.0: expected a sleep debt >= 0 h"):
        injury_probability(sleep_debt_h=-1.0)
    with pytest.raises(ValueError, match=r"w_prime_depletion\[1\] = -1.5"):
        injury_probability(w_prime_depletion=np.array([0.2, -1.5]))
    with pytest.raises(ValueError, match=r"damage\[0\] = nan"):
        injury_probability(damage=np.array([np.nan]))
    with pytest.raises(ValueError, match=r"training_h = 30.0: expected hours in \[0, 24\]"):
        injury_probability(training_h=30.0)
    assert injury_probability(1.0, w_prime_depletion=1.7, params=ON)[0] > injury_probability(
        1.0, w_prime_depletion=1.0, params=ON)[0]          # beyond W': still monotone


def test_excess_over_habitual():
    np.testing.assert_array_equal(excess_over_habitual(np.array([50.0, 150.0]), 100.0),
                                  [0.0, 0.5])

# ---------------------------------------------------------------- random streams


def test_uniforms_are_uniform_and_independent_of_batching():
    u = uniforms(3, np.arange(500), 400)
    assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3
    # Lag-1 correlation along days and across streams: |r| < 4 / sqrt(n) (4 sigma).
    n = u[:, 1:].size
    assert abs(np.corrcoef(u[:, :-1].ravel(), u[:, 1:].ravel())[0, 1]) < 4 / np.sqrt(n)
    assert abs(np.corrcoef(u[:-1].ravel(), u[1:].ravel())[0, 1]) < 4 / np.sqrt(n)
    # The same key gives the same number in any batch or chunk of days.
    np.testing.assert_array_equal(uniforms(3, np.array([[42]]), 100, start=300)[0, 0],
                                  u[42, 300:])
    assert not np.array_equal(uniforms(3, np.arange(5), 10, channel=1),
                              uniforms(3, np.arange(5), 10, channel=0))

# ---------------------------------------------------------------- Monte Carlo


def expected_injuries(p: float, days: int, n_t: int) -> float:
    """Exact expected count by dynamic programming over days still out (an independent
    computation from the kernel's per-draw loop)."""
    dist = np.zeros(days)
    dist[0] = 1.0          # index k: k days still out at the start of the day
    total = 0.0
    for _ in range(n_t):
        new = np.zeros(days)
        total += dist[0] * p
        new[days - 1 if days > 1 else 0] += dist[0] * p
        new[0] += dist[0] * (1 - p)
        new[:-1] += dist[1:]
        dist = new
    return total


def test_monte_carlo_rate_matches_expectation(backend):
    """Fixed 6-day time loss, p = 0.02 for 200 days, 4 000 series: the mean number of
    injuries matches the exact expectation within 4 standard errors."""
    fixed = (InjuryType("fixed", 1.0, 6.0, 0.0, "test"),)
    r = simulate_injuries(np.full((4000, 200), 0.02), seed=11, types=fixed, backend=backend)
    counts = r.injured.sum(axis=-1)
    se = counts.std(ddof=1) / np.sqrt(counts.size)
    assert abs(counts.mean() - expected_injuries(0.02, 6, 200)) < 4 * se
    # First injury by day 29: 1 - 0.98^30 (geometric), within 4 binomial SE.
    first = (r.injured[:, :30].sum(axis=-1) > 0).mean()
    p30 = 1 - 0.98**30
    assert abs(first - p30) < 4 * np.sqrt(p30 * (1 - p30) / 4000)


def test_time_out_and_return_ramp(backend):
    """An injury on day 3 with 6 days out: unavailable days 3-8, then load 1/4, 2/4, ...
    (ramp_days 4); the injury type is reported while out."""
    p = np.zeros((1, 30))
    p[0, 3] = 1.0
    fixed = (InjuryType("fixed", 1.0, 6.0, 0.0, "test"),)
    r = simulate_injuries(p, seed=1, types=fixed, ramp_days=4.0, backend=backend)
    np.testing.assert_array_equal(r.injured[0, :5], [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(r.available[0, :12], [1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(r.load_factor[0, 8:14], [0, 0.25, 0.5, 0.75, 1, 1])
    np.testing.assert_array_equal(r.injury_type[0, :10], [-1, -1, -1, 0, 0, 0, 0, 0, 0, -1])
    assert r.injured.sum() == 1               # p = 0 elsewhere


def test_draws_do_not_depend_on_the_batch():
    p = np.full((6, 100), 0.05)
    whole = simulate_injuries(p, seed=5)
    part = simulate_injuries(p[2:4], seed=5, stream=np.array([2, 3]))
    for a, b in zip(whole[:-1], part[:-1], strict=True):
        np.testing.assert_array_equal(a[2:4], b)
    np.testing.assert_array_equal(whole.state[:, 2:4], part.state)
    # Keys as (athlete, draw) tuples: adding draws does not change the existing ones.
    few = simulate_injuries(p[:2], seed=5, stream=(np.array([0, 1]), np.array([0, 0])))
    many = simulate_injuries(np.full((2, 3, 100), 0.05), seed=5,
                             stream=(np.arange(2)[:, None], np.arange(3)[None, :]))
    np.testing.assert_array_equal(few.injured, many.injured[:, 0])


def test_chunks_of_days_continue_the_run(backend):
    """Days 0-59 in one call equal days 0-29 and 30-59 with start and state0."""
    p = np.full((50, 60), 0.04)
    whole = simulate_injuries(p, seed=2, backend=backend)
    first = simulate_injuries(p[:, :30], seed=2, backend=backend)
    second = simulate_injuries(p[:, 30:], seed=2, start=30, state0=first.state,
                               backend=backend)
    for a, b, c in zip(whole[:-1], first[:-1], second[:-1], strict=True):
        np.testing.assert_array_equal(a, np.concatenate([b, c], axis=-1))
    assert whole.injured.sum() > 10                       # the split crosses absences


def test_events_backends_agree_on_random_probabilities():
    p = uniforms(4, np.arange(30), 120) * 0.2
    a = simulate_injuries(p, seed=8, types=HAMSTRING_TYPES)
    b = simulate_injuries(p, seed=8, types=HAMSTRING_TYPES, backend="jax")
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_event_inputs_are_checked():
    with pytest.raises(ValueError, match=r"probability\[0, 3\] = nan"):
        simulate_injuries(np.array([[0.1, 0.1, 0.1, np.nan]]), seed=1)
    with pytest.raises(ValueError, match=r"median_days = -3.0"):
        InjuryType("bad", 1.0, -3.0, 0.5, "test")
    with pytest.raises(ValueError, match=r"seed = 1.5: expected an integer"):
        uniforms(1.5, np.arange(3), 10)
    with pytest.raises(ValueError, match=r"expected keys of shape \(2,\)"):
        simulate_injuries(np.zeros((2, 5)), seed=1, stream=np.arange(3))


def test_time_loss_distributions():
    """Default: muscle injuries 31 % of injuries and 27 % of the days lost, at the mean
    absence of 18 d (Ekstrand et al. 2011, AJSM and BJSM): exact for the lognormal means;
    drawn shares within 4 binomial SE. Whole days rounded up, so the share of absences up
    to k days equals the continuous CDF at k (4 binomial SE); the hamstring grades are
    drawn in their published shares (4 binomial SE)."""
    mean = [t.median_days * np.exp(t.sigma**2 / 2) for t in DEFAULT_TYPES]
    shares = [t.share for t in DEFAULT_TYPES]
    assert [t.name for t in DEFAULT_TYPES] == ["muscle", "other"]
    assert shares[0] == pytest.approx(0.31, rel=1e-15)
    assert np.dot(shares, mean) == pytest.approx(18.0, rel=1e-14)
    assert shares[0] * mean[0] / np.dot(shares, mean) == pytest.approx(0.27, rel=1e-14)
    u = uniforms(9, np.arange(2), 50_000)
    kind, days = time_loss_days(u[0], u[1])
    assert abs(np.mean(kind == 0) - 0.31) < 4 * np.sqrt(0.31 * 0.69 / 50_000)
    t = DEFAULT_TYPES[1]
    other = days[kind == 1]
    for k in (7, 28):
        cdf = stats.lognorm.cdf(k, t.sigma, scale=t.median_days)
        assert abs(np.mean(other <= k) - cdf) < 4 * np.sqrt(cdf * (1 - cdf) / other.size)
    kind, days = time_loss_days(u[0], u[1], HAMSTRING_TYPES)
    for k, ty in enumerate(HAMSTRING_TYPES):
        share = np.mean(kind == k)
        assert abs(share - ty.share) < 4 * np.sqrt(ty.share * (1 - ty.share) / 50_000)
    assert days.min() >= 1
    with pytest.raises(ValueError, match="must be >= 0 and sum to 1"):
        time_loss_days(u[0], u[1], (InjuryType("x", 0.5, 5.0, 0.3, "test"),))
