"""The Ray runner: the same chunks as the in-process runner, as Ray tasks.

- Connection: with ``runner.address`` unset, a local Ray instance starts, sized to the
  machine (``runner.num_cpus`` to cap it); ``auto``, ``host:port`` or ``ray://host:port``
  connect to an existing cluster (inside a Ray job, ``auto`` finds it); an address where
  nothing accepts a TCP connection within :data:`CONNECT_TIMEOUT_S` is a config error
  naming ``runner.address`` (Ray alone retries for minutes).
- Governance: the plan shipped to workers carries public ids and no names, and a local
  instance starts without the pseudonymisation keys in its environment
  (:mod:`twin.store.governance`). A local instance listens on 127.0.0.1 only (every
  server Ray starts; its token authentication, on by default, stays on).
- Data: the plan's shared arrays go into the object store once (``ray.put``); each task
  gets a reference and its block, runs :func:`twin.engine.run_chunk`, and returns the
  reduced arrays. The driver keeps twice as many tasks in flight (plus one) as the
  cluster runs at once (CPUs / CPUs per task, read again as tasks finish, so an
  autoscaling cluster's queue makes it grow and its new workers are used), collects
  results with ``ray.wait`` as they finish and writes each into its region of the store,
  so its memory is bounded by the chunks in flight,
  not by the cube.
- Threads: a task asks for ``runner.cpus_per_task`` CPUs and sets Numba's threads to
  them (XLA's CPU threads likewise, through the worker environment), so tasks do not
  oversubscribe the cores. Workers are reused: kernels load from the on-disk cache once
  per worker process and stay loaded.
- Faults: a task whose worker dies is retried by Ray (``max_retries``); a task that raises
  fails the run with its chunk named, and the store stays unfinished; a rerun on the same
  store resumes from the chunks already marked done (:mod:`twin.store.cube`).

Results do not depend on the number of workers or the chunking: a chunk is a pure
function of (plan, block) and random numbers are counter-based (DESIGN.md principle 5).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket

from scenarios import ConfigError
from twin import engine
from twin.runners.chaos import CHAOS, inject
from twin.store.governance import public_squad

#: Environment of worker processes: no nested thread pools beyond the task's CPUs.
WORKER_ENV = {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
              "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


#: Ray's prompts that would otherwise interleave with the progress bar (set where unset;
#: the prompt only: whether usage statistics are sent stays Ray's and the user's choice).
QUIET_ENV = {"RAY_USAGE_STATS_PROMPT_ENABLED": "0"}


class ChunkError(RuntimeError):
    """A chunk's task raised; the message names the chunk."""


CONNECT_TIMEOUT_S = 10.0


def check_address(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """A ``host:port`` (or ``ray://host:port``) address must accept a TCP connection within
    ``timeout_s``; ``ConfigError`` naming ``runner.address`` otherwise (Ray itself retries
    for minutes). ``auto`` is left to Ray."""
    if address == "auto":
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    try:
        port_n = int(port)
    except ValueError:
        raise ConfigError(f"runner.address = {address!r}: expected auto, host:port or "
                          "ray://host:port") from None
    try:
        socket.create_connection((host or "127.0.0.1", port_n), timeout=timeout_s).close()
    except OSError as exc:
        raise ConfigError(f"runner.address = {address!r}: nothing accepts connections there "
                          f"within {timeout_s:g} s ({exc.strerror or exc}); start the "
                          "cluster (ray start --head) or leave runner.address unset for a "
                          "local instance") from None


#: Ray's switch for single-node instances (read by ``ray._private.services``): off, the
#: node's address is the loopback one, and Ray's servers (GCS, raylet, workers, agents)
#: listen on 127.0.0.1 only. Named for Windows and macOS, where it is off by default.
_CLUSTER_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


@contextlib.contextmanager
def _loopback_only():
    """A local Ray instance bound to 127.0.0.1: the switch off for the processes Ray
    starts (environment) and for this one (the constant Ray read at import), restored
    after, so a later connection to a real cluster is unaffected."""
    from ray._private import ray_constants

    saved_env, saved_const = os.environ.get(_CLUSTER_SWITCH), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[_CLUSTER_SWITCH] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved_const
        if saved_env is None:
            os.environ.pop(_CLUSTER_SWITCH, None)
        else:
            os.environ[_CLUSTER_SWITCH] = saved_env


@contextlib.contextmanager
def _without(names):
    """The process environment without ``names`` (restored after), so processes started
    meanwhile (Ray's raylet and its workers) do not inherit them."""
    saved = {n: os.environ.pop(n) for n in list(names) if n in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _token_auth_on() -> None:
    """Token authentication for a local instance, Ray's default, switched on the way Ray
    does it (``RAY_AUTH_MODE=token`` and Ray's config re-read) but explicitly, so Ray
    prints no notice that it is on into the console. ``RAY_AUTH_MODE`` set by the user
    (``disabled`` to opt out) is left as it is."""
    if "RAY_AUTH_MODE" in os.environ:
        return
    try:
        from ray._private.authentication.authentication_token_setup import _enable_token_auth
    except ImportError:  # a Ray without token authentication
        return
    _enable_token_auth()


def connect(address: str | None = None, num_cpus: int | None = None) -> None:
    """Start or join Ray (module docstring); a no-op when already connected. A local
    instance starts without the pseudonymisation keys in its environment."""
    import ray

    from twin.store.governance import secret_env_names

    if ray.is_initialized():
        return
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    # Workers' output stays in Ray's session logs; Ray's own records go to the handler
    # Ray installs (stderr; warnings and errors) and, through the apps' logging, nowhere
    # else: nothing reaches stdout or splices into the progress bar.
    kwargs = {"runtime_env": {"env_vars": dict(WORKER_ENV)}, "log_to_driver": False,
              "configure_logging": False}
    if address:
        check_address(address)
        try:
            ray.init(address=address, **kwargs)
        except ConnectionError:  # "auto" with no cluster to find
            raise ConfigError(
                f"runner.address = {address!r}: no running Ray cluster found (none started "
                "by `ray start --head` on this machine, and RAY_ADDRESS unset); expected "
                "a running cluster, or runner.address unset for a local Ray instance"
            ) from None
    else:
        _token_auth_on()
        with _without(secret_env_names()), _loopback_only():
            ray.init(num_cpus=num_cpus, include_dashboard=False, **kwargs)


#: The kernel's output memory of this worker process, reused by its tasks (a Ray worker
#: runs one task at a time): :class:`twin.engine.Workspace`.
_WORKSPACE: list = []


def sweep_chunk(plan: engine.Plan, slices):
    """A sweep's chunk (the default task body): :func:`twin.engine.run_chunk`."""
    a_sl, _, flat = slices
    if not _WORKSPACE:
        _WORKSPACE.append(engine.Workspace())
    return engine.run_chunk(plan, a_sl, flat, workspace=_WORKSPACE[0])


def _task(plan: engine.Plan, block, slices, cpus: int, chaos: str | None, chunk=sweep_chunk):
    import numba

    from physiology.kernels import numba_backend

    numba.set_num_threads(max(1, min(int(cpus), numba.config.NUMBA_NUM_THREADS)))
    inject(chaos, block)
    loaded = len(numba_backend._loaded)
    result = chunk(plan, slices)
    stats = {"pid": os.getpid(), "threads": numba.get_num_threads(),
             "kernels_loaded": len(numba_backend._loaded) - loaded}
    return result, stats


def _where(layout, block) -> str:
    """The athletes and points (or what the layout says) of a block, for messages."""
    if hasattr(layout, "describe"):
        return layout.describe(block)
    a_sl, p_sl, _ = layout.slices(block)
    return (f"athletes {a_sl.start}:{a_sl.stop}, "
            f"{layout.sweep_dims[0] if layout.sweep_dims else 'points'} "
            f"{p_sl.start}:{p_sl.stop}")


def execute_ray(plan: engine.Plan, layout, blocks, *, address: str | None = None,
                num_cpus: int | None = None, cpus_per_task: int = 1, max_retries: int = 3,
                stats: list | None = None, chunk=sweep_chunk):
    """Run ``blocks`` as Ray tasks; yield ``(block, result)`` as they finish.

    ``stats``: a list that receives, per task, the worker's pid, its Numba threads and
    how many kernels it had to load (0 on a warm worker). ``chunk``: the task's body,
    ``chunk(plan, layout.slices(block))`` (a module-level function; default a sweep's
    chunk, :func:`twin.engine.run_chunk`; :mod:`twin.sensitivity` passes its own).
    """
    import ray

    connect(address, num_cpus)
    chaos = os.environ.get(CHAOS)
    remote = ray.remote(_task).options(num_cpus=cpus_per_task, max_retries=max_retries,
                                       retry_exceptions=False)
    # The sub-daily series stay with the driver; raw ids and names never leave it.
    slim = dataclasses.replace(plan, clock=None,
                               squad=public_squad(plan.squad, plan.public_ids))
    plan_ref = ray.put(slim)
    todo = list(blocks)
    pending: dict = {}
    try:
        while todo or pending:
            # The cluster's size is read again each time a task finishes: on an
            # autoscaling cluster (KubeRay, ``ray up``) the queued tasks beyond today's
            # CPUs are the demand that adds workers, and the workers that joined are
            # then kept busy. Twice the capacity in flight bounds the driver's queue.
            capacity = max(1, int(ray.cluster_resources().get("CPU", 1) // cpus_per_task))
            while todo and len(pending) < 2 * capacity + 1:
                block = todo.pop(0)
                ref = remote.remote(plan_ref, block, layout.slices(block), cpus_per_task, chaos,
                                    chunk)
                pending[ref] = block
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                block = pending.pop(ref)
                try:
                    result, task_stats = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    raise ChunkError(f"chunk {block} ({_where(layout, block)}) failed: "
                                     f"{exc.cause!r}") from exc
                if stats is not None:
                    stats.append({"block": block, **task_stats})
                yield block, result
    finally:
        for ref in pending:
            ray.cancel(ref)
