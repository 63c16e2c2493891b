"""The kernel mechanism: one scalar source, two compilers, cached machine code."""

import os
import subprocess
import sys

import numpy as np
import pytest

from physiology.fitness_fatigue import _banister
from physiology.fitness_fatigue._banister import KERNEL as BANISTER
from physiology.kernels import Kernel, run


def test_kernel_refuses_closures():
    def make():
        scale = 2.0

        def step(s, u, c):
            return s, (scale * u[0],)

        return step

    with pytest.raises(TypeError, match="module-level function"):
        Kernel("bad", _banister.prepare, make(), BANISTER.Params, BANISTER.State,
               BANISTER.Inputs, BANISTER.Outputs)


def test_run_broadcasts_inputs_params_and_state(backend):
    """Batch = broadcast of input batch dims, parameter shapes and state shapes."""
    load = np.ones((2, 1, 10))
    params = (0.0, 1.0, 0.0, np.array([5.0, 10.0, 20.0]), 1.0, 0.0)
    out, state = run(BANISTER, (load,), params, (np.zeros(3), 0.0), backend=backend)
    assert out.fitness.shape == (2, 3, 10) and state.g.shape == (2, 3)
    # Fitness of a constant unit load: (1 - d^{t+1}) / (1 - d), d = e^{-1/tau1}.
    d = np.exp(-1 / np.array([5.0, 10.0, 20.0]))
    np.testing.assert_allclose(out.fitness[0, :, -1], (1 - d**10) / (1 - d), rtol=1e-13)
    np.testing.assert_allclose(state.g[1], (1 - d**10) / (1 - d), rtol=1e-13)


def test_final_state_continues_a_run(backend):
    """Running days 0-29 then 30-59 from the returned state equals one 60-day run."""
    load = np.random.default_rng(2).uniform(0, 100, 60)
    params = (500.0, 1.0, 2.0, 27.0, 10.0, 0.0)
    whole, _ = run(BANISTER, (load,), params, backend=backend)
    first, mid = run(BANISTER, (load[:30],), params, backend=backend)
    second, _ = run(BANISTER, (load[30:],), params, tuple(mid), backend=backend)
    np.testing.assert_allclose(np.concatenate([np.stack(first), np.stack(second)], -1),
                               np.stack(whole), rtol=1e-14)


def test_outputs_are_written_into_the_memory_given(backend):
    """``out``: the outputs are views of it and equal those on fresh memory; memory of
    another shape, dtype or layout is refused, naming the shape expected."""
    load = np.random.default_rng(3).uniform(0, 100, (2, 3, 40))
    params = (500.0, 1.0, 2.0, np.array([20.0, 27.0, 35.0]), 10.0, 0.0)
    fresh, s_fresh = run(BANISTER, (load,), params, backend=backend)
    memory = np.full((len(BANISTER.outputs), 2, 3, 40), np.nan)
    given, s_given = run(BANISTER, (load,), params, backend=backend, out=memory)
    for name in BANISTER.outputs:
        assert np.shares_memory(getattr(given, name), memory)
        np.testing.assert_array_equal(getattr(given, name), getattr(fresh, name))
    np.testing.assert_array_equal(np.stack(s_given), np.stack(s_fresh))
    for bad in (memory[:, :1], memory.astype(np.float32), np.asfortranarray(memory)):
        with pytest.raises(ValueError, match=r"out must be a writeable C-contiguous float64 "
                                             r"array of shape \(3, 2, 3, 40\)"):
            run(BANISTER, (load,), params, backend=backend, out=bad)


def test_jax_function_is_differentiable():
    """The JAX form is pure and traceable: d(sum performance)/d k1 = sum of g (linear in k1)."""
    import jax
    import jax.numpy as jnp

    from physiology.kernels import jax_function, x64

    f = jax_function(BANISTER)
    load = np.random.default_rng(4).uniform(0, 100, (1, 1, 50))
    with x64():
        def total(k1):
            p = jnp.stack([jnp.array([500.0]), jnp.reshape(k1, (1,)), jnp.array([2.0]),
                           jnp.array([27.0]), jnp.array([10.0]), jnp.array([0.0])])
            out, _ = f(jnp.asarray(load), p, jnp.zeros((2, 1)))
            return out[0].sum()

        grad = float(jax.grad(total)(1.0))
    g, _ = run(BANISTER, (load[0],), (0.0, 1.0, 0.0, 27.0, 10.0, 0.0))
    assert grad == pytest.approx(g.fitness.sum(), rel=1e-13)


def test_numba_machine_code_is_cached_on_disk(tmp_path):
    """A second process loads the compiled batch loop from the cache instead of compiling."""
    code = ("import numpy as np; from physiology.fitness_fatigue import banister; "
            "banister(np.ones(5))")
    env = {**os.environ, "TWIN_KERNEL_CACHE": str(tmp_path), "NUMBA_DEBUG_CACHE": "1"}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True)
    assert "data saved" in first.stdout
    generated = list(tmp_path.glob("_twin_kernel_banister_*.py"))
    assert len(generated) == 1
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert "data loaded" in second.stdout and "data saved" not in second.stdout


def test_a_planted_line_in_the_kernel_cache_never_runs(tmp_path):
    """A cached module whose text is not the generated text is written again before it
    is imported (issue 22: a planted line ran on the next call); a cache directory that
    others may write is not used (the run falls back to a private one)."""
    marker = tmp_path / "planted.txt"
    cache = tmp_path / "cache"
    code = ("import numpy as np; from physiology.fitness_fatigue import banister; "
            "print(banister(np.ones(5)).performance[-1])")
    env = {**os.environ, "TWIN_KERNEL_CACHE": str(cache)}
    clean = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout
    (generated,) = cache.glob("_twin_kernel_banister_*.py")
    text = generated.read_text()
    generated.write_text(f"open({str(marker)!r}, 'w').write('ran')\n" + text)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout
    assert not marker.exists() and generated.read_text() == text and again == clean
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    env = {**os.environ, "TWIN_KERNEL_CACHE": str(shared)}
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                   check=True)
    assert not list(shared.glob("_twin_kernel_*.py"))  # nothing imported from there


def test_guarded_division_and_kernels_keyed_by_identity(backend):
    """``ops.where`` runs both branches under Numba, so 1/0 must give inf, not an error
    (error_model="numpy"); and a kernel sharing a name with another gets its own loop."""
    from tests.kernels_for_tests import GUARDED

    out, state = run(GUARDED, (np.array([2.0, 0.0, 4.0]),), (1.0,), backend=backend)
    np.testing.assert_array_equal(out.inverse, [0.5, 0.0, 0.25])
    assert state.total == 0.75
    assert run(BANISTER, (np.ones(3),), (0.0, 1.0, 0.0, 1.0, 1.0, 0.0),
               backend=backend)[0].fitness.shape == (3,)


def test_shape_mismatch_names_the_arrays():
    with pytest.raises(ValueError, match=r"batch shapes do not broadcast: load \(batch dims\) "
                                         r"\(2,\), tau1 \(3,\)"):
        run(BANISTER, (np.ones((2, 5)),), (500.0, 1.0, 2.0, np.ones(3), 10.0, 0.0))


def test_ode_kernels_compile_their_generated_rk4_step(tmp_path):
    """An ODE kernel's Numba module carries the RK4 step from the one template, and a
    second process loads it from the cache."""
    code = ("import numpy as np; from physiology.circadian import simulate; "
            "simulate(np.zeros(24), 0.1, state0=np.array([1.0, 0.0, 0.0]))")
    env = {**os.environ, "TWIN_KERNEL_CACHE": str(tmp_path), "NUMBA_DEBUG_CACHE": "1"}
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                   check=True)
    (generated,) = tmp_path.glob("_twin_kernel_forger99_*.py")
    assert "def _ode_step(s, u, c):" in generated.read_text()
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert "data loaded" in second.stdout and "data saved" not in second.stdout


def test_cache_key_covers_constants_and_called_functions(monkeypatch):
    """Numba freezes globals into cached code: the key must change with a constant the
    kernel reads, and include the source of the helpers it calls (else a stale cache
    would silently disagree with JAX)."""
    import tests.kernels_for_tests as k
    from physiology.circadian import _forger99
    from physiology.circadian._process_l import kronauer_alpha
    from physiology.kernels.cache_key import dependencies

    assert "_process_l.kronauer_alpha:" in dependencies(_forger99.drive)   # a helper
    assert kronauer_alpha.py_func.__code__.co_code.hex() in dependencies(_forger99.drive)
    before = dependencies(k.step)
    assert "OFFSET=0.0" in before
    monkeypatch.setattr(k, "OFFSET", 1.0)
    assert dependencies(k.step) != before


def test_helpers_must_use_ops_and_kernels_only_call_helpers():
    import types

    from physiology.kernels import helper, ops
    from physiology.kernels.jax_backend import _rebind

    scope = {"ops": types.SimpleNamespace(exp=lambda x: x)}
    exec("def f(x):\n    return ops.exp(x)\n", scope)
    with pytest.raises(TypeError, match=r"must import ops from physiology\.kernels"):
        helper(scope["f"])
    from numba import njit

    scope = {"ops": ops, "g": njit(lambda x: x)}
    exec("def f(x):\n    return g(x)\n", scope)
    with pytest.raises(TypeError, match="not a declared helper"):
        _rebind(scope["f"])


def test_cache_key_follows_the_live_code_not_the_file(monkeypatch):
    """Numba compiles the code as imported: the key is taken from the live code objects,
    so editing a file after import cannot store old machine code under a new key."""
    import types

    from physiology.fitness_fatigue import _banister
    from physiology.kernels.cache_key import dependencies

    before = dependencies(_banister.step)
    scope = dict(_banister.step.__globals__)
    exec("def step(s, u, c):\n    return s, (0.0,)\n", scope)
    edited = types.FunctionType(scope["step"].__code__, _banister.step.__globals__, "step")
    assert dependencies(edited) != before


def test_nested_named_tuples_flow_through_both_backends(backend):
    """Nested parameters, state and outputs (what a coupled kernel composes): leaf paths
    in field order, named results, and the closed form of the two running sums."""
    from physiology.kernels import paths, unflatten
    from tests.kernels_for_tests import NESTED, Inner, NestedParams, NestedState, State

    assert NESTED.params == ("first.gain", "first.offset", "second.gain", "second.offset",
                             "weight")
    assert NESTED.outputs == ("a.total", "b.total", "mix")
    load = np.arange(1.0, 6.0)
    params = NestedParams(Inner(2.0, 0.5), Inner(np.array([1.0, 3.0]), 0.0), 10.0)
    out, state = run(NESTED, (load,), params, NestedState(State(0.0), State(1.0)),
                     backend=backend)
    np.testing.assert_array_equal(out.a.total[0], np.cumsum(2.0 * load + 0.5))
    np.testing.assert_array_equal(out.b.total[1], 1.0 + np.cumsum(3.0 * load))
    np.testing.assert_array_equal(out.mix, 10.0 * out.a.total + out.b.total)
    assert state.b.total.shape == (2,) and state.a.total[0] == out.a.total[0, -1]
    assert unflatten(NestedParams, range(5)).second.offset == 3
    assert paths(NestedState) == ("a.total", "b.total")
    with pytest.raises(ValueError, match=r"expected Params \(first.gain, first.offset"):
        run(NESTED, (load,), (1.0, 2.0), backend=backend)


def test_a_renamed_field_changes_the_cache_key(monkeypatch):
    """Numba freezes field access into machine code: the generated module's text and the
    cache key carry every field name, so renaming one recompiles."""
    from typing import NamedTuple

    import tests.kernels_for_tests as k
    from physiology.kernels.cache_key import dependencies
    from physiology.kernels.numba_backend import _source_text

    text, _ = _source_text(k.GUARDED)
    assert "y.inverse" in text and "s.total" in text and "('scale',)" in text
    before = dependencies(k.step)
    class Outputs(NamedTuple):  # the same outputs, the first renamed
        reciprocal: float
        total: float

    Outputs.__qualname__ = "Outputs"  # as the module-level class's: only the field differs
    monkeypatch.setattr(k, "Outputs", Outputs)
    after = dependencies(k.step)
    assert after != before and "reciprocal" in after and "reciprocal" not in before


def test_cache_key_refuses_modules_and_hashes_global_arrays():
    """What Numba freezes must be in the key: a global array's bytes; and a module reached
    from kernel code is refused (its attributes would escape the key, as JAX refuses it)."""
    from physiology.kernels.cache_key import dependencies

    scope = {"np": np, "TABLE": np.arange(3.0)}
    exec("def f(x):\n    return np.exp(x)\n\ndef g(x):\n    return TABLE[0] + x\n", scope)
    with pytest.raises(TypeError, match="kernel code reaches module 'np'"):
        dependencies(scope["f"])
    before = dependencies(scope["g"])
    scope["TABLE"] = np.arange(3.0) + 1.0
    assert dependencies(scope["g"]) != before


def test_the_readme_kernel_example_runs_on_both_backends():
    """The README's example kernel, as written there, run as a script (its functions are
    then module-level in ``__main__``), on JAX as shown and on Numba; the result is the
    closed form of the decaying sum, level_T = sum_k e^{-k/tau} for a unit load."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = re.search(r"```python\n(from typing import NamedTuple\n.*?)```", readme, re.S)
    assert code, "README: the kernel example is missing"
    script = code.group(1) + (
        "want = sum(np.exp(-k / 7.0) for k in range(365))\n"
        "assert abs(out.level[0, -1] - want) < 1e-12 * want, out.level[0, -1]\n"
        "out, _ = run(KERNEL, (np.ones((25, 365)),), Params(1.0, 7.0), backend='numba')\n"
        "assert abs(out.level[0, -1] - want) < 1e-12 * want\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
