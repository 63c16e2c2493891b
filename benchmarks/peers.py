"""The solvers our RK4 kernels are measured against, on the same model and the same light.

Each circadian model's right-hand side is the kernel's own scalar code (principle 1): the
plain Python version for SciPy (:func:`physiology.kernels.helpers.python_version`), the
JAX rebinding for diffrax. The light is piecewise constant on a grid of step ``light_dt``
(``light[i]`` holds from ``i light_dt`` to ``(i + 1) light_dt``), so an adaptive solver must
not step across a change of light as if the right-hand side were smooth:

- :func:`solve_ivp_piecewise`: ``scipy.integrate.solve_ivp`` restarted at every change of
  light, states read at the sample times through its dense output (``t_eval``);
- :func:`diffrax_solver`: one ``diffrax.diffeqsolve`` over the whole span with the light
  changes as ``jump_ts`` (the controller steps to just before and just after each), a PID
  controller, states saved at the sample times (dense output);
- :func:`circadian_peer`: the Arcascope ``circadian`` package (PyPI), its own fixed-step
  RK4 in NumPy, fed the same light (its ``integrate`` applies ``input[i]`` over the step
  that ends at ``time[i]``, so the light is passed one step later).

diffrax and circadian are benchmark-only dependencies (the ``bench`` extra); without them
:func:`missing` says so and the sections report "not installed".
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
from collections.abc import Callable

import numpy as np
from scipy.integrate import solve_ivp

from physiology.circadian import MODELS
from physiology.kernels import python_version

#: Steps (accepted and rejected) before diffrax gives up: 40 x the most a solve here takes.
MAX_STEPS = 100_000
#: Our model name -> the ``circadian`` package's class and parameter names (same defaults).
PEER_CLASSES = {"forger99": "Forger99", "jewett99": "Jewett99", "hannay19": "Hannay19"}


def missing(package: str) -> str | None:
    """None where ``package`` imports, else the reason it does not (for the tables)."""
    try:
        importlib.import_module(package)
    except Exception as exc:  # any import failure means "not usable here"
        if isinstance(exc, ModuleNotFoundError) and exc.name == package:
            return f"{package} not installed (pip install -e '.[bench]')"
        return f"{package} does not import: {type(exc).__name__}: {exc}"
    return None


def jax_platforms() -> list[str]:
    """The platforms to time JAX rows on: the default (a GPU where JAX sees one), then
    the CPU as well when the default is not the CPU."""
    import jax

    default = jax.default_backend()
    return [default] if default == "cpu" else [default, "cpu"]


def jax_note() -> str:
    """One line on what JAX sees, for the section text."""
    import jax

    devices = ", ".join(f"{d.platform}:{d.device_kind}" for d in jax.devices())
    gpu = "" if jax.default_backend() != "cpu" else " No GPU visible to JAX: JAX rows are CPU."
    return f"JAX default backend {jax.default_backend()} ({devices}).{gpu}"


def load_note() -> str:
    """The machine's load when the section ran (timings on a shared machine vary)."""
    import os

    one, five, _ = os.getloadavg()
    return (f"Load average when the section ran: {one:.1f} (1 min), {five:.1f} (5 min) on "
            f"{os.cpu_count()} cores; times are minima of repeats for that reason.")


def on_platform(platform: str):
    """Context manager placing JAX work on the first device of ``platform``."""
    import jax

    return jax.default_device(jax.devices(platform)[0])


@contextlib.contextmanager
def numba_threads(n: int):
    """Numba's thread count set to ``n`` inside the block. One series per call uses one
    thread anyway; with more, every call pays the OpenMP fork and join, which on a shared
    machine (the other core busy) cost 3-12 ms a call here instead of 0.1-0.2 ms."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _python_model(model: str, params=None):
    spec = MODELS[model]
    kernel = spec.kernel
    params = spec.params() if params is None else params
    prepare = python_version(kernel.prepare)
    c, _ = prepare(kernel.Params(*params.values(), 1.0), kernel.State(*spec.start))
    return python_version(kernel.drive), python_version(kernel.rhs), c


def solve_ivp_piecewise(model: str, light: np.ndarray, light_dt: float, y0, t_sample,
                        method: str, rtol: float, atol: float,
                        params=None) -> tuple[np.ndarray, int]:
    """States ``(len(t_sample), 3)`` from solve_ivp, restarted at each change of light,
    and the number of right-hand-side evaluations.

    ``t_sample`` must start at 0 (the initial state) and end within the light's span.
    """
    drive, rhs, c = _python_model(model, params)
    kernel = MODELS[model].kernel
    change = np.flatnonzero(np.diff(light)) + 1
    edges = np.r_[0, change, light.size] * light_dt
    t_sample = np.asarray(t_sample, float)
    out = np.empty((t_sample.size, 3))
    out[0] = y0
    y = np.asarray(y0, float)
    nfev = 0
    for a, b in itertools.pairwise(edges):
        d, k, _ = drive(kernel.Inputs(float(light[round(a / light_dt)])), c)
        inside = (t_sample > a) & (t_sample < b)
        t_eval = np.r_[t_sample[inside], b]  # the segment's end: the next one's start
        sol = solve_ivp(lambda t, s, d=d, k=k: rhs(kernel.State(*s), d, k), (a, b), y,
                        method=method, rtol=rtol, atol=atol, t_eval=t_eval)
        out[inside] = sol.y[:, :-1].T
        y = sol.y[:, -1]
        out[t_sample == b] = y
        nfev += sol.nfev
    return out, nfev


def diffrax_solver(model: str, light: np.ndarray, light_dt: float, t_sample, solver: str,
                   params=None) -> Callable:
    """A jitted ``f(y0, rtol, atol) -> (states (len(t_sample), 3), steps, ok)``, steps
    counting rejected ones, ok False where the solve failed (:data:`MAX_STEPS` reached:
    at rtol 1e-3 on hannay19 every step after the light change at 95 h of the
    work-precision schedule is rejected, though a fresh solve from that state succeeds, and
    so does the whole solve with PID coefficients (0.2, 0.4); seen with diffrax 0.7.2, not
    investigated further); ``y0`` may be batched ``(B, 3)`` (vmapped:
    every output gains a leading B). Call it under
    :func:`physiology.kernels.x64`."""
    import diffrax
    import jax
    import jax.numpy as jnp

    from physiology.kernels.jax_backend import _rebind

    spec = MODELS[model]
    params = spec.params() if params is None else params
    _, _, c = _python_model(model, params)
    kernel = spec.kernel
    drive, rhs = _rebind(kernel.drive), _rebind(kernel.rhs)
    lux = jnp.asarray(light, dtype=jnp.float64)
    jumps = (np.flatnonzero(np.diff(light)) + 1) * light_dt
    t1 = light.size * light_dt
    ts = jnp.asarray(t_sample, dtype=jnp.float64)

    def field(t, y, args):
        i = jnp.clip(jnp.floor(t / light_dt).astype(int), 0, lux.size - 1)
        d, k, _ = drive(kernel.Inputs(lux[i]), c)
        return jnp.stack(rhs(kernel.State(y[0], y[1], y[2]), d, k))

    method = {"Tsit5": diffrax.Tsit5, "Dopri5": diffrax.Dopri5}[solver]()

    def one(y0, rtol, atol):
        pid = diffrax.PIDController(rtol=rtol, atol=atol, pcoeff=0.3, icoeff=0.3)
        control = diffrax.ClipStepSizeController(pid, jump_ts=jnp.asarray(jumps, jnp.float64))
        sol = diffrax.diffeqsolve(diffrax.ODETerm(field), method, 0.0, t1, 0.01, y0,
                                  stepsize_controller=control, saveat=diffrax.SaveAt(ts=ts),
                                  max_steps=MAX_STEPS, throw=False)
        return sol.ys, sol.stats["num_steps"], sol.result == diffrax.RESULTS.successful

    def f(y0, rtol, atol):
        if y0.ndim == 1:
            return one(y0, rtol, atol)
        return jax.vmap(one, in_axes=(0, None, None))(y0, rtol, atol)

    return jax.jit(f)


def circadian_peer(model: str, light: np.ndarray, light_dt: float, y0) -> np.ndarray:
    """States ``(T + 1, 3[, B])`` from the ``circadian`` package's RK4 at step
    ``light_dt`` (its default parameters equal ours); ``y0`` ``(3,)`` or ``(3, B)``."""
    import circadian.models

    peer = getattr(circadian.models, PEER_CLASSES[model])()
    time = np.arange(light.size + 1) * light_dt
    shifted = np.r_[light[0], light]  # input[i] drives the step ending at time[i]
    return peer.integrate(time, np.asarray(y0, float), shifted).states
