"""One kernel source, two compilers: the public kernel API of the athlete twin.

A model declares its physics once, as scalar Python (:class:`Kernel`: ``prepare`` and
``step``, or ``drive`` and ``rhs`` for an ODE model, :func:`ode_kernel`), reading its
named ``typing.NamedTuple`` parameters, state, inputs and outputs by field
(:mod:`.structure`); math goes through :mod:`ops`, shared equations through
:func:`helper`. :func:`run` is the single entry point, with ``backend="numba"`` (a
generated batch loop, ``prange`` over the batch, machine code cached on disk in
:func:`cache_dir`) or ``backend="jax"`` (``lax.scan`` with the batch as lanes, float64
inside the call only). :func:`jax_function` is the pure, differentiable JAX form, for
calibration and planning; :func:`run_array` evaluates array-expression models (window
statistics) on either backend.

Modules: ``spec`` (the declaration), ``structure`` (named tuples and their leaves),
``ops`` and ``jax_ops`` (the math namespace as each compiler sees it), ``helpers``
(shared equations), ``sincos`` (a sine and cosine from arithmetic, for SIMD),
``cache_key`` (what compiled code freezes), ``ode`` (the RK4 step), ``lanes`` (the
trajectories-as-SIMD-lanes layout of the Numba loop), ``numba_backend``, ``jax_backend``,
``array_fn`` and ``run``.
"""

from physiology.kernels import ops
from physiology.kernels.array_fn import run_array
from physiology.kernels.helpers import helper, python_version
from physiology.kernels.numba_backend import cache_dir
from physiology.kernels.run import run
from physiology.kernels.spec import BACKENDS, Backend, Kernel, ode_kernel
from physiology.kernels.structure import flatten, paths, subtypes, tree_map, unflatten


def jax_function(kernel: Kernel):
    """The pure JAX function of a kernel (:func:`physiology.kernels.jax_backend.jax_function`;
    JAX is imported on first use)."""
    from physiology.kernels.jax_backend import jax_function as make

    return make(kernel)


def jax_helper(fn):
    """A declared helper (:func:`helper`) as JAX traces it: the same code with the JAX
    ops, for objectives built around a kernel's own equations (JAX is imported on first
    use)."""
    from physiology.kernels.helpers import original
    from physiology.kernels.jax_backend import _rebind

    py = original(fn)
    if py is None:
        raise TypeError(f"jax_helper: {fn!r} is not a declared helper")
    return _rebind(py)


def keep_jax_compilations() -> str:
    """Keep JAX's compiled executables on disk, beside the Numba kernels
    (``cache_dir() / "jax"``), unless ``JAX_COMPILATION_CACHE_DIR`` names a place already;
    returns the directory.

    JAX's persistent compilation cache (compilations over 1 s, its default threshold):
    the tools' next runs, Ray's local workers and the processes a tool starts (they
    inherit the environment variable) load what one process compiled instead of
    compiling again; the same executables, so the same numbers. Called by the tools'
    entry points and the test suite, never on import (importing this package changes no
    global JAX setting).
    """
    import os

    directory = os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(cache_dir() / "jax"))
    import sys

    if "jax" in sys.modules:  # already imported: it read the environment then
        sys.modules["jax"].config.update("jax_compilation_cache_dir", directory)
    return directory


def x64():
    """Context manager enabling JAX float64 inside it only (imports JAX on first use)."""
    from physiology.kernels.jax_backend import x64 as make

    return make()


__all__ = [
    "BACKENDS",
    "Backend",
    "Kernel",
    "cache_dir",
    "flatten",
    "helper",
    "jax_function",
    "jax_helper",
    "keep_jax_compilations",
    "ode_kernel",
    "ops",
    "paths",
    "python_version",
    "run",
    "run_array",
    "subtypes",
    "tree_map",
    "unflatten",
    "x64",
]
