"""The twin's day kernel: it reduces to the chain of the standalone physiology kernels,
reads its data by name, and matches the one variable table."""

import ast
import inspect
import math
import textwrap

import numpy as np
import pytest

from physiology.fitness_fatigue import MODELS
from physiology.injury import EVENTS_KERNEL, HAZARD_KERNEL
from physiology.kernels import Kernel, flatten, run, tree_map
from physiology.load import EWMA_KERNEL
from physiology.tissue import TISSUE_KERNEL
from tests.test_twin import cached_plan
from twin import engine, prescribe
from twin.model import variables
from twin.model.day_kernel import KERNELS, DayInputs, DayOutputs

N_DAYS = 120


@pytest.fixture(scope="module", params=["banister", "busso"])
def small_plan(request):
    return cached_plan(*([] if request.param == "banister" else ["model.fitness_fatigue=busso"]))


def _shift(series, first):
    """The value carried into each day: ``first`` on day 0, then the previous day's."""
    return np.concatenate([np.broadcast_to(first, series.shape[:-1])[..., None],
                           series[..., :-1]], axis=-1)


def test_day_kernel_with_no_injuries_is_the_chain_of_the_physiology_kernels(small_plan):
    """dynamax-style "reduces to": with injuries impossible (every uniform draw 1), each
    output of the coupled kernel equals what the standalone kernels give when chained by
    hand, bit for bit (the same compiled float64 operations, the same order)."""
    p = small_plan
    params, state0 = p.params, p.state0  # (A, N): the batch of the kernels below
    k = tree_map(lambda x: x[:, :, None], p.params.coupling)  # (A, N, 1) against (A, N, D)
    shape = (p.squad.size, p.draws, N_DAYS)
    rng = np.random.default_rng(7)
    u = DayInputs(
        load_plan=rng.uniform(0, 900, shape),
        run_walk_jog_m=rng.uniform(0, 6000, shape), run_running_m=rng.uniform(0, 1500, shape),
        run_hsr_m=rng.uniform(0, 600, shape), run_sprint_m=rng.uniform(0, 200, shape),
        minutes_plan=rng.choice([0.0, 90.0], shape),
        training_minutes_plan=rng.choice([0.0, 45.0, 90.0], shape),
        w_prime_plan=rng.uniform(0, 1.2, shape),
        body_clock_h=rng.uniform(0, 24, shape), sleep_debt_h=rng.uniform(0, 30, shape),
        sleep_impairment_lapses=rng.uniform(-2, 6, shape),
        u_injury=np.ones(shape), days_out_if_injured=np.full(shape, 5.0),
        injury_type_if_injured=np.zeros(shape))
    got, _ = run(p.kernel, u, p.params, p.state0)

    ff_kernel = MODELS[p.model].kernel
    ff, _ = run(ff_kernel, (u.load_plan,), flatten(params.ff), flatten(state0.ff))
    ewma, _ = run(EWMA_KERNEL, (u.load_plan,), params.ewma, state0.ewma)
    dose = (k.dose_walk_jog * u.run_walk_jog_m + k.dose_running * u.run_running_m
            + k.dose_hsr * u.run_hsr_m + k.dose_sprint * u.run_sprint_m)
    tissue, _ = run(TISSUE_KERNEL, (dose,), params.tissue, state0.tissue)
    acwr_in = _shift(ewma.atl, state0.ewma.atl) / _shift(ewma.ctl, state0.ewma.ctl)
    fatigue_in = _shift(ff.fatigue, state0.fatigue_prev)
    # days since the last match played and since the last return, carried into each day;
    # the residual match fatigue M_{t+1} = decay M_t + m_24 minutes / 90
    since_match = np.empty(shape)
    fresh = np.empty(shape)
    last, m = np.broadcast_to(state0.since_match, shape[:-1]), np.broadcast_to(
        state0.match_fatigue, shape[:-1])
    for t in range(N_DAYS):
        since_match[..., t], fresh[..., t] = last, m
        last = np.where(u.minutes_plan[..., t] > 0, 0.0, last + 1.0)
        m = (k.match_fatigue_decay[..., 0] * m
             + k.match_fatigue_24h[..., 0] * u.minutes_plan[..., t] / 90.0)
    since_return = state0.events.since_return[..., None] + np.arange(N_DAYS)
    hazard, _ = run(HAZARD_KERNEL, (u.training_minutes_plan / 60.0, u.minutes_plan / 60.0,
                                    since_match + 1.0, since_return,
                                    _shift(tissue.damage, state0.tissue.damage), acwr_in,
                                    np.maximum(fatigue_in / k.fatigue_habitual - 1.0, 0.0),
                                    u.sleep_debt_h, u.w_prime_plan), params.hazard)
    events, _ = run(EVENTS_KERNEL, (hazard.probability, u.u_injury, u.days_out_if_injured,
                                    u.injury_type_if_injured), params.events, state0.events)
    assert np.all(events.available == 1.0) and np.all(events.load_factor == 1.0)
    # the cosine of the C library, as the compiled kernel calls it (NumPy's own SIMD cos
    # may differ in the last bit on some processors)
    libm_cos = np.vectorize(math.cos, otypes=[float])
    def time_of_day(body_h):
        return 1.0 - 0.5 * k.tod_amplitude * (1.0 - libm_cos(2.0 * np.pi * (body_h - k.tod_peak_h)
                                                               / 24.0))

    clock = time_of_day(u.body_clock_h) / time_of_day(k.tod_reference_h)
    rested = 1.0 - np.minimum(k.sleep_loss_per_lapse * np.maximum(u.sleep_impairment_lapses,
                                                                  0.0), k.sleep_loss_max)
    want = DayOutputs(
        performance=100.0 * ff.performance / k.perf_habitual * clock * rested * (1.0 - fresh),
        fitness=100.0 * ff.fitness / k.perf_habitual,
        fatigue=100.0 * ff.fatigue / k.perf_habitual, acwr=ewma.atl / ewma.ctl,
        w_prime_depletion=u.w_prime_plan, tissue_damage=tissue.damage,
        injury_probability=hazard.probability, available=events.available,
        minutes_played=u.minutes_plan, load_done=u.load_plan,
        exposure_h=u.training_minutes_plan / 60.0 + u.minutes_plan / 60.0)
    for name in DayOutputs._fields:
        a, b = getattr(got, name), getattr(want, name)
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_with_filtered_state_of_the_steady_state_reproduces_the_first_day(small_plan):
    """The filtered state after today's load, taken from the steady state itself, gives
    back the steady state and the same first day of the season: to 1e-12 relative (the
    division fitness/k1 rounds once; the warm-up is stationary to ~exp(-1095 d/tau2))."""
    p = small_plan
    if p.model != "banister":
        with pytest.raises(ValueError, match="Banister"):
            prescribe.with_filtered_state(p, 0, 1.0, 1.0)
        return
    ff, s = p.params.ff, p.state0
    fitness, fatigue = ff.k1[1] * s.ff.g[1], ff.k2[1] * s.ff.h[1]
    q = prescribe.with_filtered_state(p, 1, fitness=fitness, fatigue=fatigue)
    for a, b in zip(flatten(q.state0), flatten(p.state0), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    # the hazard's fatigue feature is stored raw, as the kernel stores it (not % of habitual)
    np.testing.assert_allclose(q.state0.fatigue_prev[1], s.fatigue_prev[1], rtol=1e-12)
    first, again = (engine.simulate_block(x, slice(1, 2), slice(0, 1)) for x in (p, q))
    for name in DayOutputs._fields:
        np.testing.assert_allclose(getattr(again, name)[..., 0], getattr(first, name)[..., 0],
                                   rtol=1e-12, atol=1e-300, err_msg=name)


def _kernel_functions():
    """Every kernel function of physiology and the twin, and every declared helper."""
    import physiology.circadian as circ
    import physiology.energetics._wbal as wbal
    import physiology.sleep as sleep
    from physiology.kernels.helpers import HELPERS

    kernels = [*(m.kernel for m in MODELS.values()), EWMA_KERNEL, TISSUE_KERNEL,
               HAZARD_KERNEL, EVENTS_KERNEL, wbal.INTEGRAL, wbal.DIFFERENTIAL,
               *KERNELS.values()]
    for module in (circ, sleep):
        for sub in vars(module).values():
            kernels += [v for v in vars(sub).values() if isinstance(v, Kernel)] \
                if inspect.ismodule(sub) else []
    fns = {f for k in kernels for f in (k.prepare, k.step, k.drive, k.rhs) if f}
    fns |= set(HELPERS.values())  # the twin's couplings, Process L, the models' own steps
    return sorted(fns, key=lambda f: f.__module__ + f.__name__)


def test_no_positional_index_into_kernel_tuples():
    """Kernel code reads parameters, constants, state and inputs by field name: no
    subscript at all (``c[8]``, ``s[0:2]``, ``c.ff[0]``), no positional unpacking of a
    name or attribute (``a, b = p``, ``x, y = s.ewma``), no starred unpacking (``*s``).
    Unpacking a call's result (``ff_s, ff = _step(...)``, a kernel's (state, outputs)
    pair) is how a step returns, and stays allowed."""
    offenders = []
    fns = _kernel_functions()
    assert len(fns) >= 40
    for fn in fns:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        for node in ast.walk(tree):
            bad = isinstance(node, ast.Subscript | ast.Starred) or (
                isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)
                and isinstance(node.value, ast.Name | ast.Attribute))
            if bad:
                offenders.append(f"{fn.__module__}.{fn.__name__}: {ast.unparse(node)}")
    assert not offenders, offenders


def test_the_variable_table_matches_the_kernel_and_the_cube(small_plan):
    kernel = small_plan.kernel
    assert kernel.inputs == tuple(variables.INPUTS)
    from scenarios import BANDS
    from twin.model.day_kernel import Coupling

    assert Coupling._fields[:len(BANDS)] == tuple(f"dose_{b}" for b in BANDS)
    kernel_outputs = [n for n, v in variables.DAILY.items() if v.reduce != "none"]
    assert kernel.outputs == tuple(kernel_outputs)
    assert set(small_plan.feeds()) | {"u_injury", "days_out_if_injured",
                                      "injury_type_if_injured"} == set(variables.INPUTS)
    result = engine.run_chunk(small_plan, slice(0, 1), slice(0, 2))
    assert set(result) == set(variables.DAILY) | {f"summary/{n}" for n in variables.SUMMARY} \
        | {f"draws/{n}" for n in variables.SEASON_DRAWS}
    for name, var in variables.DAILY.items():
        want = 3 if var.reduce == "none" or var.reduce == "mean" else 4
        assert result[name].ndim == want, name


def test_an_input_fed_over_dims_it_does_not_declare_is_refused(small_plan, monkeypatch):
    """Principle 4 both ways: the engine broadcasts each input from the dims its source
    varies over, and refuses a source that varies where the table says it does not."""
    from dataclasses import replace

    narrow = replace(variables.INPUTS["minutes_plan"], dims=("date",))
    monkeypatch.setitem(variables.INPUTS, "minutes_plan", narrow)
    with pytest.raises(ValueError, match=r"input minutes_plan: varies over \('point', "
                                         r"'date'\), declared only over \('date',\)"):
        engine.block_inputs(small_plan, slice(0, 1), slice(0, 1))
