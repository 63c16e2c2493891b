"""The Ray runner on a local Ray instance: identical cubes, warm workers, faults."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import ray
import xarray as xr

import twin
from tests.test_twin import TINY, tiny_cfg
from twin.apps.from_config import plan_from_config
from twin.runners import local as runner
from twin.runners.chaos import CHAOS
from twin.runners.ray_runner import ChunkError, execute_ray
from twin.store.cube import Layout, ZarrStore


def test_ray_workers_see_public_ids_only_and_no_pseudonym_key(monkeypatch):
    """Before the module's Ray instance: a local instance started by the runner does not
    inherit the pseudonymisation key, and the plan it ships holds public ids and no names
    (issue 22). The driver keeps its key."""
    from tests.test_twin import eu_cfg
    from twin.runners.ray_runner import connect

    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    plan = plan_from_config(eu_cfg())
    assert not ray.is_initialized()
    shipped = []
    put = ray.put
    monkeypatch.setattr(ray, "put", lambda obj: shipped.append(obj) or put(obj))
    try:
        connect(num_cpus=1)
        layout = Layout(plan, 3, 1)
        assert len(list(execute_ray(plan, layout, layout.blocks))) == len(layout.blocks)
        env = ray.get(ray.remote(lambda: os.environ.get("TWIN_PSEUDONYM_KEY")).remote())
    finally:
        ray.shutdown()
    assert env is None and os.environ["TWIN_PSEUDONYM_KEY"] == "a-secret-kept-elsewhere"
    (sent,) = shipped
    assert sent.squad.ids == plan.public_ids and all(i.startswith("anon-") for i in sent.squad.ids)
    assert sent.squad.names == (None,) * plan.squad.size and sent.clock is None


LOOPBACK_PROBE = r"""
import json
import psutil, ray
from twin.runners.ray_runner import connect
connect(num_cpus=1)
ray.get(ray.remote(lambda: 1).remote())
me = psutil.Process()
listening = []
for proc in [me, *me.children(recursive=True)]:
    try:
        conns = proc.net_connections(kind="inet")
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        continue
    listening += [c.laddr.ip for c in conns if c.status == psutil.CONN_LISTEN]
print(json.dumps(listening))
ray.shutdown()
"""


def test_a_local_instance_listens_on_loopback_only():
    """The listening sockets while a local instance started by the runner is up (issue
    22; what ``ss -ltn`` shows, read per process with psutil): every socket the driver
    and the processes Ray started listen on is in 127.0.0.0/8 (or its IPv4-mapped IPv6
    form). (Ray's token authentication, on by default, is left as it is: Ray announces it
    only when it makes a token, so it is not asserted here.)"""
    run = subprocess.run([sys.executable, "-c", LOOPBACK_PROBE], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    hosts = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(hosts) >= 4, hosts  # GCS, raylet, a worker, the agents: Ray did listen
    assert all(h.removeprefix("::ffff:").startswith("127.") for h in hosts), hosts


def test_an_address_with_nothing_listening_fails_at_once_naming_the_key():
    from scenarios import ConfigError
    from twin.runners.ray_runner import check_address

    with pytest.raises(ConfigError, match=r"runner\.address = '127\.0\.0\.1:1': nothing "
                                          r"accepts connections there within 10 s"):
        check_address("127.0.0.1:1")
    with pytest.raises(ConfigError, match=r"expected auto, host:port"):
        check_address("localhost")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def local_cube(tmp_path_factory):
    res = runner.run_sweep(tiny_cfg(), tmp_path_factory.mktemp("local"), progress=False)
    return twin.open_cube(res.store).to_dataset()


def ray_cfg(*extra):
    return tiny_cfg("runner=ray", *extra)


def test_twin_sensitivity_on_ray_gives_the_in_process_indices(local_ray, tmp_path):
    """The README's ``twin-sensitivity runner=ray`` (a small variant): the parameter sets
    as Ray tasks give the indices of one process, bit for bit."""
    from tests.test_sensitivity import SMALL
    from twin.apps import sensitivity as app

    ds = {}
    for kind in ("local", "ray"):
        cfg = twin.compose(*SMALL, "sweep=demo", f"runner={kind}",
                           "sensitivity.base_samples=2", config_name="sensitivity")
        ds[kind] = app.sensitivity(cfg, progress=False)
    for name in ("S1", "ST", "robustness"):
        np.testing.assert_array_equal(ds["ray"][name].values, ds["local"][name].values)


def test_twin_plan_as_ray_tasks_gives_the_serial_plan(local_ray, tmp_path):
    """Issue 20: the athletes of twin-plan as Ray tasks (each worker compiling the JAX
    functions once) give exactly the plans of one process, in the order asked."""
    import csv

    from twin.apps import plan as plan_cli

    small = ["scenario.days=100", "scenario.rest_days=[]", "sweep.axes.training_volume=null",
             "sweep.axes.itinerary=null", "plan.start=2026-08-15", "plan.days=14",
             "plan.draws=2", "plan.athletes=[m03,m01,m02]"]
    texts = {}
    for kind in ("local", "ray"):
        out = tmp_path / kind
        out.mkdir()
        texts[kind] = plan_cli.plan_squad(tiny_cfg(f"runner={kind}", *small), out,
                                          progress=False).replace(str(out), "<out>")
        with (out / "plan.csv").open() as fh:
            texts[kind + "_csv"] = list(csv.reader(fh))
    assert texts["local_csv"] == texts["ray_csv"] and len(texts["ray_csv"]) > 14
    assert [row[0] for row in texts["ray_csv"][1::14]] == ["m03", "m01", "m02"]
    assert texts["ray"] == texts["local"]  # the same plans, risks and binding constraints


@pytest.mark.parametrize("chunking", [
    ("runner.chunk_athletes=1", "runner.chunk_points=1", "runner.cpus_per_task=1"),
    ("runner.chunk_athletes=2", "runner.chunk_points=2", "runner.cpus_per_task=2"),
])
def test_ray_gives_the_local_cube_bit_for_bit(local_ray, local_cube, tmp_path, chunking):
    res = runner.run_sweep(ray_cfg(*chunking), tmp_path, progress=False)
    cube = twin.open_cube(res.store).to_dataset()
    xr.testing.assert_identical(cube.drop_attrs(), local_cube.drop_attrs())


def test_warm_workers_do_not_reload_kernels_and_use_their_cpus(local_ray):
    plan = plan_from_config(ray_cfg())
    layout = Layout(plan, 1, 1)
    stats = []
    for _ in execute_ray(plan, layout, layout.blocks, stats=stats):
        pass
    assert len(stats) == len(layout.blocks) == 9
    assert all(s["threads"] == 1 for s in stats)
    by_worker = {}
    for s in stats:
        by_worker.setdefault(s["pid"], []).append(s["kernels_loaded"])
    for loads in by_worker.values():
        assert sum(loads[1:]) == 0  # only a worker's first task loads kernels


def test_a_killed_worker_is_retried_and_the_cube_is_complete(local_ray, local_cube, tmp_path,
                                                              monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setenv(CHAOS, f"kill:1_1:{marker}")
    res = runner.run_sweep(ray_cfg("runner.chunk_athletes=1", "runner.chunk_points=1"),
                           tmp_path / "out", progress=False)
    assert marker.exists()  # the worker running chunk (1, 1) did die
    cube = twin.open_cube(res.store).to_dataset()
    xr.testing.assert_identical(cube.drop_attrs(), local_cube.drop_attrs())


def test_a_raising_task_fails_the_run_naming_its_chunk(local_ray, tmp_path, monkeypatch):
    monkeypatch.setenv(CHAOS, "raise:2_0")
    with pytest.raises(ChunkError, match=r"chunk \(2, 0\) \(athletes 2:3, training_volume 0:1\)"):
        runner.run_sweep(ray_cfg("runner.chunk_athletes=1", "runner.chunk_points=1"),
                         tmp_path, progress=False)
    with pytest.raises(RuntimeError, match="incomplete cube"):
        twin.open_cube(tmp_path / "cube.zarr")


def test_an_interrupted_ray_sweep_resumes_without_recomputing(local_ray, local_cube, tmp_path):
    cfg = ray_cfg("runner.chunk_athletes=1", "runner.chunk_points=1")
    plan = plan_from_config(cfg)
    layout = runner.layout_for(plan, cfg.runner)
    text = twin.store.governance.public_config(cfg, plan.squad, plan.public_ids)
    store = ZarrStore(tmp_path / "cube.zarr", layout, text, "twin-run",
                      key_text=runner._resume_key(cfg, layout))
    # The driver stops after four chunks. (Breaking out of `execute_ray` would cancel
    # the tasks in flight: once on CI, Ray 2.60's raylet died in this test after such a
    # cancel, cause not established; cancellation races are known in Ray core, and they
    # are not what this test is about.)
    for block, result in execute_ray(plan, layout, layout.blocks[:4]):
        store.write(block, result)
    res = runner.run_sweep(cfg, tmp_path, progress=False)
    assert res.chunks_run == len(layout.blocks) - 4
    cube = twin.open_cube(res.store).to_dataset()
    xr.testing.assert_identical(cube.drop_attrs(), local_cube.drop_attrs())


def test_a_killed_driver_is_resumed_by_rerunning_the_command(tmp_path, local_cube):
    """SIGKILL the twin-run process mid-sweep (a chunk made slow), rerun the same command:
    the chunks already marked are kept and the cube ends identical. In-process runner, so
    that no orphaned Ray processes outlive the test."""
    args = [sys.executable, "-c", "from twin.apps.run import main; main()", *TINY,
            "runner.chunk_athletes=1", "runner.chunk_points=1", "output.plots=false",
            f"hydra.run.dir={tmp_path}"]
    env = dict(os.environ, TWIN_CHAOS="sleep:1_1:120")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    marks = tmp_path / "cube.zarr.chunks"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(marks.glob("*.done"))) < 4:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in marks.glob("*.done")}
    assert 4 <= len(done_before) < 9
    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    for name, stamp in done_before.items():
        assert (marks / name).stat().st_mtime_ns == stamp  # not recomputed
    cube = twin.open_cube(tmp_path / "cube.zarr").to_dataset()
    xr.testing.assert_identical(cube.drop_attrs(), local_cube.drop_attrs())
    assert np.all(np.isfinite(cube["performance"].values))
