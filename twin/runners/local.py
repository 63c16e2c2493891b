"""Run a sweep: plan it, execute its chunks, write the cube.

The in-process runner (``runner=local``) executes the chunks one after another; each
chunk is already parallel inside (Numba ``prange`` over its series, or JAX). The Ray
runner (``runner=ray``, :mod:`twin.runners.ray_runner`) runs the same chunks as Ray
tasks. ``runner=auto`` (the apps' default) is the faster of the two for the machine
(:func:`choose_runner`: in process up to :data:`AUTO_LOCAL_MAX_CORES` usable cores, Ray
above, or wherever a ``runner.address`` is given), and says which on stderr. Chunks are
blocks of athletes x a block along the first sweep dimension, sized so each does about
``TARGET_ATHLETE_DAYS`` athlete-days (well over 100 ms of work) unless the config fixes
``runner.chunk_athletes`` / ``runner.chunk_points``. A progress bar shows chunks done and
the time left when the sweep has more than a few chunks; it starts when the first chunk is
in, so the workers' start (Ray) and the kernels' loading do not inflate its estimate.
"""

from __future__ import annotations

import contextlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf
from tqdm import tqdm

from scenarios import ConfigError, parse_number
from twin import engine
from twin.apps.from_config import plan_from_config
from twin.runners.chaos import CHAOS, inject
from twin.store.cube import Layout, ZarrStore, reshape_chunk, write_netcdf
from twin.store.governance import public_config
from twin.store.integrity import StoreLock

TARGET_ATHLETE_DAYS = 3_000_000
#: ``runner=auto`` runs in process up to this many usable cores. Measured on 2 cores: the
#: demo sweep took 14.7 s in process and 24.6 s on a local Ray instance, whose start
#: (GCS, raylet, workers) and per-worker kernel loads cost more than two-way parallelism
#: gains over Numba's own threads (``benchmarks/RESULTS.md`` has the engine's numbers).
AUTO_LOCAL_MAX_CORES = 4
#: With ``keep_draws`` a chunk's result is 64 bytes per athlete-day (not ~2): smaller
#: chunks, so the results in flight to the driver stay near 64 MB each.
TARGET_KEEP_DRAWS = 1_000_000


@dataclass
class RunResult:
    plan: engine.Plan
    store: Path
    layout: Layout
    chunks_run: int


def layout_for(plan: engine.Plan, runner_cfg) -> Layout:
    """Chunk sizes from the config, or automatic (module docstring)."""
    sw = plan.sweep
    inner = int(np.prod(sw.shape[1:])) if sw.dims else 1
    per_lead = inner * plan.draws * plan.season.days  # athlete-days per athlete and lead index
    ca = int(runner_cfg.chunk_athletes) or 1
    target = TARGET_KEEP_DRAWS if plan.keep_draws else TARGET_ATHLETE_DAYS
    cp = int(runner_cfg.chunk_points) or max(1, target // (ca * per_lead))
    return Layout(plan, ca, cp)


def run_sweep(cfg, out_dir, *, progress: bool = True, command: str = "twin-run",
              execute=None) -> RunResult:
    """Simulate the sweep of ``cfg`` and write the cube under ``out_dir``.

    Args:
        cfg: a resolved ``twin-run`` config.
        out_dir: directory of the store (``cube.zarr`` or ``cube.nc``).
        progress: show a progress bar (when there are more than 3 chunks).
        command: recorded in the cube's ``history``.
        execute: ``execute(plan, layout, blocks) -> iterator of (block, result)``; default
            in-process, one chunk after another (the Ray runner passes its own).
    """
    check_runner(cfg.runner)
    if execute is None and choose_runner(cfg.runner)[0] == "ray":
        # Ray's processes start before the plan, whose clocks backend=jax computes with
        # JAX: Ray launches them by fork with a preexec_fn, unsafe once XLA's threads run
        # (JAX warns of a deadlock); and before the progress bar, so its clock does not
        # count Ray's start as the first chunk's work.
        execute = executor(cfg.runner)
    plan = plan_from_config(cfg)
    layout = layout_for(plan, cfg.runner)
    config_text = public_config(cfg, plan.squad, plan.public_ids)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    execute = execute or executor(cfg.runner)
    fmt = cfg.output.format.name
    if fmt == "netcdf":
        path = out_dir / "cube.nc"
        parts = dict(execute(plan, layout, layout.blocks))
        arrays = _assemble(layout, parts)
        write_netcdf(path, layout, arrays, config_text, command)
        return RunResult(plan, path, layout, len(parts))
    path = out_dir / "cube.zarr"
    with StoreLock(path):  # one driver per store; a second fails at once
        store = ZarrStore(path, layout, config_text, command,
                          key_text=_resume_key(cfg, layout))
        todo = [b for b in layout.blocks if not store.done(b)]
        for problem in store.repaired:
            print(f"{command}: {path}: {problem}; recomputing it", file=sys.stderr)
        if todo:
            store.reopen()
        show = progress and len(layout.blocks) > 3
        if show and todo:
            print(f"sweep: {len(todo)} chunks to run; the first starts the workers and loads "
                  "the kernels", file=sys.stderr)
        with contextlib.ExitStack() as stack:
            bar = None
            writer = stack.enter_context(ChunkWriter(store))
            for block, result in execute(plan, layout, todo):
                writer.write(block, result)
                if bar is None:
                    # the bar starts at the first chunk's end: the first carries the workers'
                    # start (Ray) and kernel loading, which would make the rate, and so the
                    # time left, the start's rather than the sweep's
                    bar = stack.enter_context(tqdm(
                        total=len(layout.blocks), initial=len(layout.blocks) - len(todo) + 1,
                        unit="chunk", desc="sweep", disable=not show))
                else:
                    bar.update()
            writer.wait()
        store.finish()
    return RunResult(plan, path, layout, len(todo))


def check_runner(runner_cfg) -> None:
    """The runner's numbers, checked before any work (``ConfigError`` naming the key)."""
    for key, low in (("cpus_per_task", 1), ("max_retries", 0), ("chunk_athletes", 0),
                     ("chunk_points", 0)):
        value = runner_cfg[key]
        if parse_number(f"runner.{key}", value, low, 10**6) != int(value):
            raise ConfigError(f"runner.{key} = {value}: expected a whole number")
    if runner_cfg.num_cpus is not None:
        parse_number("runner.num_cpus", runner_cfg.num_cpus, 1, 10**6)


def _resume_key(cfg, layout: Layout) -> str:
    """What must match for a rerun to resume a store: the config without the runner (local
    or Ray, any address, give the same cube) and without output.plots, plus the chunking."""
    data = OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)
    data.pop("runner", None)
    data.get("output", {}).pop("plots", None)
    return OmegaConf.to_yaml(data) + f"chunks: {layout.ca} x {layout.cp}\n"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def choose_runner(runner_cfg) -> tuple[str, str]:
    """``runner.kind`` with ``auto`` resolved: ``("local" | "ray", why)``, ``why`` the
    line the apps print for ``auto`` (empty for a runner chosen by name).

    ``auto``: Ray where ``runner.address`` names a cluster; otherwise in process on a
    machine of at most :data:`AUTO_LOCAL_MAX_CORES` usable cores, Ray above."""
    kind = runner_cfg.kind.name
    if kind != "auto":
        return kind, ""
    if runner_cfg.address:
        return "ray", (f"runner: ray (runner.address={runner_cfg.address}; runner=local to "
                       "run in process)")
    cores = usable_cores()
    if cores <= AUTO_LOCAL_MAX_CORES:
        return "local", f"runner: local ({cores} cores; runner=ray to use Ray)"
    return "ray", f"runner: ray ({cores} cores; runner=local to run in process)"


_SAID: set[str] = set()


def executor(runner_cfg, chunk=None):
    """The chunk executor of ``runner.kind`` (``auto`` resolved by :func:`choose_runner`,
    its choice printed on stderr): in process, or Ray tasks (``chunk``: the Ray task's
    body, default a sweep's chunk; see :func:`execute_ray`). For Ray it connects at once
    (a config error naming ``runner.address`` where there is no cluster)."""
    kind, why = choose_runner(runner_cfg)
    if why and why not in _SAID:  # once a process (twin-run's sensitivity lines reuse it)
        _SAID.add(why)
        print(why, file=sys.stderr)
    if kind == "local":
        return _in_process
    from twin.runners.ray_runner import connect, execute_ray, sweep_chunk

    connect(runner_cfg.address, runner_cfg.num_cpus)

    def execute(plan, layout, blocks):
        return execute_ray(plan, layout, blocks, address=runner_cfg.address,
                           num_cpus=runner_cfg.num_cpus,
                           cpus_per_task=int(runner_cfg.cpus_per_task),
                           max_retries=int(runner_cfg.max_retries),
                           chunk=chunk or sweep_chunk)

    return execute


class ChunkWriter(contextlib.AbstractContextManager):
    """Writes chunks into the store on a thread of its own, one at a time, while the next
    chunk is computed (the kernels release the GIL): at most one write in flight, so the
    results held stay bounded, and a failed write is raised at the next chunk or at
    :meth:`wait`. A chunk is marked done only after its data are written
    (:meth:`twin.store.cube.ZarrStore.write`), so a run stopped at any moment leaves no
    chunk looking complete that is not."""

    def __init__(self, store):
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twin-write")
        self.pending = None

    def write(self, block, result) -> None:
        self.wait()
        self.pending = self.pool.submit(self.store.write, block, result)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self.pool.shutdown(wait=True)


def _in_process(plan, layout, blocks):
    chaos = os.environ.get(CHAOS)
    workspace = engine.Workspace()  # the kernel's output memory, reused chunk to chunk
    for block in blocks:
        inject(chaos, block)
        a_sl, _, flat = layout.slices(block)
        yield block, engine.run_chunk(plan, a_sl, flat, workspace=workspace)


def _assemble(layout: Layout, parts: dict) -> dict:
    """Whole-cube arrays from chunk results (for netCDF)."""
    out = {}
    for block, result in parts.items():
        a_sl, p_sl, _ = layout.slices(block)
        shaped = reshape_chunk(layout, result, a_sl, p_sl)
        for name, value in shaped.items():
            if name not in out:
                shape = (layout.plan.squad.size, *layout.plan.sweep.shape, *value.shape[
                    1 + len(layout.sweep_dims):]) if layout.sweep_dims else (
                    layout.plan.squad.size, *value.shape[1:])
                out[name] = np.full(shape, np.nan)
            index = (a_sl, p_sl) if layout.sweep_dims else (a_sl,)
            out[name][index] = value
    return out
