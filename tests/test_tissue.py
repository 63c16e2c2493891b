"""Spring-mass running and tissue fatigue damage: closed forms and the S-N/Miner laws."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import trapezoid

from physiology.tissue import (
    BONE,
    TENDON,
    G,
    GaitParams,
    TissueParams,
    daily_dose,
    running_loads,
    spring_mass,
    tissue_damage,
)
from tests.strategies import loads, records


def test_spring_mass_hand_computed():
    """Morin et al. 2005 formulas at v 5 m/s, tc 0.2 s, tf 0.12 s, m 70 kg, L 0.95 m,
    evaluated by hand: Fmax = m g (pi/2)(1.6), dy = Fmax tc^2/(m pi^2) - g tc^2/8."""
    r = spring_mass(5.0, 0.2, 0.12, 70.0, 0.95)
    f_max = 70 * G * np.pi / 2 * 1.6
    dy = f_max * 0.04 / (70 * np.pi**2) - G * 0.04 / 8
    dl = 0.95 - np.sqrt(0.95**2 - 0.5**2) + dy
    assert r.f_max_n == pytest.approx(f_max, rel=1e-15)
    assert r.delta_y_m == pytest.approx(dy, rel=1e-15)
    assert (r.k_vert_n_per_m, r.k_leg_n_per_m) == pytest.approx((f_max / dy, f_max / dl),
                                                                 rel=1e-15)


def test_spring_mass_sine_force_displacement():
    """Delta y is the centre-of-mass drop of a half-sine force over contact: integrating
    a = F_max sin(pi t / tc) / m - g twice (velocity zero at mid-stance) gives it."""
    m, tc, tf = 70.0, 0.2, 0.12
    f_max = spring_mass(5.0, tc, tf, m, 0.95).f_max_n
    t = np.linspace(0.0, tc / 2, 200_001)
    velocity = -(f_max * tc / (m * np.pi)) * np.cos(np.pi * t / tc) - G * (t - tc / 2)
    drop = -trapezoid(velocity, t)
    assert spring_mass(5.0, tc, tf, m, 0.95).delta_y_m == pytest.approx(drop, rel=1e-9)


def test_spring_mass_errors():
    with pytest.raises(ValueError, match=r"contact_s = 0.0"):
        spring_mass(5.0, 0.0, 0.1, 70, 0.9)
    with pytest.raises(ValueError, match="half contact length shorter than the leg"):
        spring_mass(10.0, 0.5, 0.1, 70, 0.9)


def test_running_loads_counts_strides():
    """10 km at 4 m/s with f = 2.4 + 0.15 v = 3.0 Hz: 10 000 x 3.0 / 4 = 7 500 steps,
    3 750 cycles per leg; force from the spring-mass model at tc = 0.9 / 4 s."""
    r = running_loads(np.array([10_000.0]), np.array([4.0]), 0.95)
    assert r.cycles_per_leg[0] == pytest.approx(3750.0, rel=1e-15)
    tc = 0.9 / 4.0
    tf = 1 / 3.0 - tc
    assert r.peak_force_bw[0] == pytest.approx(np.pi / 2 * (tf / tc + 1), rel=1e-14)
    faster = running_loads(np.array([1.0, 1.0]), np.array([3.0, 7.0]), 0.95, GaitParams())
    assert faster.peak_force_bw[1] > faster.peak_force_bw[0]


@given(s=st.floats(0.5, 4.0), k=st.floats(1.0, 100.0))
def test_damage_per_cycle_follows_s_n_slope(s, k):
    """log-log slope of damage per cycle against load is the exponent b."""
    d1 = daily_dose(np.array([[1.0]]), np.array([s]), BONE)[0]
    d2 = daily_dose(np.array([[1.0]]), np.array([s * 1.1]), BONE)[0]
    assert np.log(d2 / d1) / np.log(1.1) == pytest.approx(BONE.b, rel=1e-10)
    assert daily_dose(np.array([[k]]), np.array([s]), BONE)[0] == pytest.approx(k * d1,
                                                                                 rel=1e-12)


def test_miner_sum_reaches_one_at_predicted_cycles(backend):
    """No repair, no adaptation, constant load: D reaches 1 after N(F) cycles."""
    p = TissueParams(tau_repair=1e12, cap_min=1.0, cap_max=1.0)
    force = 3.0
    n_fail = p.n_ref * (force / p.f_ref) ** -p.b
    per_day = n_fail / 100.0
    dose = np.full(120, daily_dose(np.array([[per_day]]), np.array([force]), p)[0])
    d = tissue_damage(dose, p, backend=backend).damage
    assert d[98] < 1.0 <= d[99] * (1 + 1e-9)
    assert d[99] == pytest.approx(1.0, rel=1e-9)       # repair factor e^{-1e-12} per day


def test_repair_relaxes_with_its_time_constant(backend):
    p = TissueParams(tau_repair=30.0, cap_min=1.0, cap_max=1.0)
    d = tissue_damage(np.zeros(91), p, damage0=0.5, backend=backend).damage
    np.testing.assert_allclose(d, 0.5 * np.exp(-np.arange(1, 92) / 30.0), rtol=1e-13)


def test_adaptation_raises_capacity_under_sustained_load(backend):
    """Tripled habitual dose: capacity rises towards (3)^{1/b} with tau_a; damage per day
    then falls below the unadapted increment."""
    dose = np.full(1500, 3 * BONE.u_ref)
    r = tissue_damage(dose, BONE, backend=backend)
    assert r.capacity[0] == 1.0
    assert r.capacity[-1] == pytest.approx(3 ** (1 / BONE.b), rel=1e-4)
    assert np.all(np.diff(r.capacity) >= 0)
    assert r.increment[-1] < r.increment[0]
    # Disuse: the chronic dose decays by (1 - lambda) a day, capacity as its 1/b power,
    # down to the floor.
    rest = tissue_damage(np.zeros(800), BONE, backend=backend).capacity
    t = np.arange(800)
    expected = np.maximum(np.exp(-t / BONE.tau_adapt) ** (1 / BONE.b), BONE.cap_min)
    np.testing.assert_allclose(rest, expected, rtol=1e-12)
    assert rest[-1] == BONE.cap_min


@pytest.mark.parametrize("params", [BONE, TENDON], ids=["bone", "tendon"])
def test_increment_is_the_power_law_through_both_bounds(params):
    """The step's increment u / clip(ubar / u_ref, kappa_min^b, kappa_max^b) against the
    model's equation u kappa^{-b}, kappa = clip((ubar / u_ref)^{1/b}, ...), evaluated
    here in NumPy on the chronic dose the kernel reports: a ramp of doses from rest to
    4x the ceiling's, so the floor, the free range and the ceiling are all crossed.
    Tolerance 1e-13 relative: the two forms differ by the rounding of the power and its
    inverse (a few ulp)."""
    days = 4000
    dose = params.u_ref * np.concatenate([np.zeros(600), np.linspace(0.0, 4.0, days - 600)
                                          * params.cap_max ** params.b])
    r = tissue_damage(dose, params)
    capacity = r.capacity
    assert capacity.min() == params.cap_min and capacity.max() == params.cap_max
    assert np.any((capacity > params.cap_min) & (capacity < params.cap_max))
    np.testing.assert_allclose(r.increment, dose * capacity ** (-params.b), rtol=1e-13,
                               atol=0)


@given(dose=loads(shapes=((40,), (2, 40))), data=st.data())
def test_damage_backends_agree_and_stay_non_negative(dose, data):
    p = data.draw(records(TissueParams, dose.shape[:-1]))
    dose = dose * 1e-5
    a = tissue_damage(dose, p)
    b = tissue_damage(dose, p, backend="jax")
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-300)
    assert np.all(a.damage >= 0) and np.all(a.capacity >= p.cap_min if np.ndim(p.cap_min) == 0
                                            else a.capacity >= p.cap_min[..., None])


def test_tendon_exponent_from_schechtman_bader():
    """b = S ln 10 / 14.8 at S = 40 % UTS (local slope of S = 101.3 - 14.8 log10 N),
    and the tendon record cites that source, not bone's."""
    assert TENDON.b == pytest.approx(40 * np.log(10) / 14.8, abs=0.05)
    assert "Schechtman" in TENDON.spec()["b"].source
    assert isinstance(TENDON, TissueParams)
    with pytest.raises(ValueError, match="cap_min must not exceed cap_max"):
        TissueParams(cap_min=1.2, cap_max=1.1)


def test_daily_dose_batches_tissues_per_athlete():
    """(athletes, days, bands) with a tissue per athlete: each equals its own call, even
    when the number of athletes equals the number of days."""
    rng = np.random.default_rng(4)
    cycles = rng.uniform(0, 3000, (3, 3, 2))
    force = np.array([2.0, 3.2])
    p = TissueParams(b=np.array([8.0, 12.0, 15.0]), n_ref=np.array([1e6, 2e6, 5e5]))
    got = daily_dose(cycles, force, p)
    for i in range(3):
        one = daily_dose(cycles[i], force, TissueParams(b=p.b[i], n_ref=p.n_ref[i]))
        np.testing.assert_allclose(got[i], one, rtol=1e-14)
    with pytest.raises(ValueError, match=r"cycles\[0, 1, 0\] = nan"):
        daily_dose(np.where(cycles == cycles[0, 1, 0], np.nan, cycles), force, p)
