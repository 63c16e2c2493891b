"""Training-load metrics: closed forms, published conventions and algebraic invariants."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from physiology.load import (
    acwr,
    decay_rate,
    monotony,
    pmc,
    session_rpe,
    strain,
    trimp_banister,
)
from tests.strategies import loads

# ---------------------------------------------------------------- session load


def test_session_rpe_is_rating_times_minutes():
    np.testing.assert_array_equal(session_rpe([5, 7, 0], [60, 90, 45]), [300, 630, 0])


def test_trimp_banister_hand_computed():
    """60 min at HR 150 (rest 60, max 190): reserve 90/130; men 0.64 e^{1.92 x}, women
    0.86 e^{1.67 x} (Morton et al. 1990; Banister 1991)."""
    x = 90 / 130
    assert trimp_banister(60, 150, 60, 190) == pytest.approx(60 * x * 0.64 * np.exp(1.92 * x),
                                                               rel=1e-15)
    assert trimp_banister(60, 150, 60, 190, "female") == pytest.approx(
        60 * x * 0.86 * np.exp(1.67 * x), rel=1e-15)
    assert trimp_banister(30, 60, 60, 190) == 0.0   # at rest, no impulse

# ---------------------------------------------------------------- PMC


def test_decay_conventions():
    assert decay_rate(42, "exp") == pytest.approx(1 - np.exp(-1 / 42), rel=1e-15)
    assert decay_rate(42, "1/N") == 1 / 42
    assert decay_rate(7, "2/(N+1)") == 0.25


@pytest.mark.parametrize("decay", ["exp", "1/N", "2/(N+1)"])
def test_pmc_step_response_closed_form(backend, decay):
    """Constant load L from zero: CTL_t = L (1 - (1 - lambda)^{t+1}); TSB_t uses day t-1."""
    t = np.arange(200)
    r = pmc(np.full(200, 80.0), 42, 7, decay=decay, backend=backend)
    lc, la = decay_rate(42, decay), decay_rate(7, decay)
    np.testing.assert_allclose(r.ctl, 80 * (1 - (1 - lc) ** (t + 1)), rtol=1e-12)
    np.testing.assert_allclose(r.atl, 80 * (1 - (1 - la) ** (t + 1)), rtol=1e-12)
    np.testing.assert_allclose(r.tsb[1:], r.ctl[:-1] - r.atl[:-1], rtol=1e-15)
    assert r.tsb[0] == 0.0


def test_pmc_goldencheetah_exp_equals_banister_filter():
    """The "exp" CTL is the Banister fitness filter scaled by 1 - e^{-1/N}."""
    from physiology.fitness_fatigue import BanisterParams, banister

    load = np.random.default_rng(0).uniform(0, 150, 120)
    ctl = pmc(load).ctl
    g = banister(load, BanisterParams(p0=0.0, k1=1.0, k2=0.0, tau1=42.0)).fitness
    np.testing.assert_allclose(ctl, -np.expm1(-1 / 42) * g, rtol=1e-12)


@given(load=loads(), c=st.floats(0.01, 100.0))
def test_pmc_invariants(load, c):
    """EWMAs of non-negative loads stay within [0, max load], and are linear in the load."""
    r = pmc(load)
    top = load.max(axis=-1, keepdims=True)
    assert np.all(r.ctl >= 0) and np.all(r.ctl <= top * (1 + 1e-12) + 1e-12)
    assert np.all(r.atl >= 0) and np.all(r.atl <= top * (1 + 1e-12) + 1e-12)
    np.testing.assert_allclose(pmc(c * load).ctl, c * r.ctl, rtol=1e-12, atol=1e-12)

# ---------------------------------------------------------------- ACWR


@pytest.mark.parametrize("method", ["rolling", "ewma"])
@pytest.mark.parametrize("coupled", [True, False])
def test_acwr_window_and_zero_conventions(backend, method, coupled):
    load = np.full(60, 100.0)
    r = acwr(load, method=method, coupled=coupled, backend=backend)
    assert np.all(np.isnan(r[:27])) and np.all(np.isfinite(r[27:]))
    if method == "rolling":
        np.testing.assert_allclose(r[27:], 1.0, rtol=1e-15)  # steady load: ratio exactly 1
    zero = acwr(np.zeros(40), method=method, coupled=coupled, backend=backend)
    assert np.all(np.isnan(zero))                           # chronic 0: undefined


def test_acwr_rolling_hand_computed():
    """Days 0-20 at 100 AU, days 21-27 at 200 AU: acute 200, coupled chronic (2100 +
    1400) / 28 = 125 (ratio 1.6), uncoupled chronic 100 (ratio 2)."""
    load = np.r_[np.full(21, 100.0), np.full(7, 200.0)]
    assert acwr(load)[27] == pytest.approx(1.6, rel=1e-15)
    assert acwr(load, coupled=False)[27] == pytest.approx(2.0, rel=1e-15)


def test_acwr_ewma_williams_2017():
    """EWMA with lambda = 2/(N+1), started at 0 (Williams et al. 2017)."""
    load = np.random.default_rng(5).uniform(0, 500, 50)
    ea, ec, la, lc = 0.0, 0.0, 2 / 8, 2 / 29
    acute, chronic = [], []
    for w in load:
        ea, ec = w * la + (1 - la) * ea, w * lc + (1 - lc) * ec
        acute.append(ea)
        chronic.append(ec)
    acute, chronic = np.array(acute), np.array(chronic)
    np.testing.assert_allclose(acwr(load, method="ewma")[27:], acute[27:] / chronic[27:],
                               rtol=1e-12)
    # Uncoupled: divide by the chronic EWMA of day t - 7, before the acute week's loads.
    np.testing.assert_allclose(acwr(load, method="ewma", coupled=False)[27:],
                               acute[27:] / chronic[20:-7], rtol=1e-12)


@given(load=loads(), c=st.floats(1e-3, 1e3))
def test_acwr_ewma_invariants(load, c):
    """Scale-free; the coupled EWMA ratio is at most lambda_a / lambda_c = (2/8)/(2/29) =
    3.625 (term by term, the acute weights decay faster than the chronic ones)."""
    r = acwr(load, method="ewma")
    np.testing.assert_allclose(acwr(c * load, method="ewma"), r, rtol=1e-12)
    assert np.nanmax(r, initial=0.0) <= 3.625 * (1 + 1e-12)


@given(load=loads(), c=st.floats(1e-3, 1e3))
def test_acwr_invariants(load, c):
    """Scale-free; the coupled rolling ratio is at most chronic/acute = 4 and equals
    c U / (a U + c - a) of the uncoupled ratio U (Lolli et al. 2019)."""
    r = acwr(load)
    u = acwr(load, coupled=False)
    np.testing.assert_allclose(acwr(c * load), r, rtol=1e-12)
    assert np.nanmax(r, initial=0.0) <= 4.0 + 1e-12
    both = np.isfinite(r) & np.isfinite(u)
    np.testing.assert_allclose(r[both], 28 * u[both] / (7 * u[both] + 21), rtol=1e-12)

# ---------------------------------------------------------------- monotony, strain


def test_monotony_hand_computed():
    """Week 300, 0, 400, 0, 500, 300, 0 AU: mean 214.2857, sample SD 211.5701 -> 1.012836;
    population SD 195.8758 -> 1.093987 (hand computed; given to 7 digits, hence 1e-6)."""
    week = np.array([300, 0, 400, 0, 500, 300, 0], float)
    expected = 1.012836
    assert monotony(week)[-1] == pytest.approx(expected, rel=1e-6)
    assert monotony(week, ddof=0)[-1] == pytest.approx(1.093987, rel=1e-6)
    assert strain(week)[-1] == pytest.approx(1500 * expected, rel=1e-6)
    assert np.all(np.isnan(monotony(week)[:6]))
    assert np.isnan(monotony(np.full(7, 100.0))[-1])       # SD 0: undefined


@given(load=loads(), c=st.floats(1e-3, 1e3), ddof=st.sampled_from([0, 1]))
def test_monotony_invariants(load, c, ddof):
    """Scale-free; >= 1/sqrt(w - 1 + ddof) for non-negative loads (equality when one day
    carries the whole week); strain = weekly sum x monotony."""
    assume(load.max() > 0)
    m = monotony(load, ddof=ddof)
    ok = np.isfinite(m)
    assert np.all(m[ok] >= 1 / np.sqrt(6 + ddof) * (1 - 1e-12))
    np.testing.assert_allclose(monotony(c * load, ddof=ddof), m, rtol=1e-10)
    weekly = np.stack([load[..., max(0, t - 6):t + 1].sum(-1) for t in range(load.shape[-1])], -1)
    np.testing.assert_allclose(strain(load, ddof=ddof)[ok], (weekly * m)[ok], rtol=1e-12)


def test_monotony_lower_bound_is_attained():
    week = np.array([0, 0, 0, 700, 0, 0, 0], float)
    assert monotony(week)[-1] == pytest.approx(1 / np.sqrt(7), rel=1e-14)
