"""Ray beyond one process: cluster configs, a two-node cluster with a job, autoscaling.

Each test starts its own Ray processes (``ray start`` / the fake multi-node provider) on
loopback, with token authentication, and stops them with ``ray stop --force``; nothing
else in the suite holds a Ray instance while they run.
"""

import copy
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import ray
import yaml

import twin
from tests.test_twin import TINY
from twin.apps.config import CONF_DIR
from twin.store import datasets

BIN = Path(sys.executable).parent
REPO = CONF_DIR.parent


@pytest.fixture
def node_temp():
    """A short temp dir for a second Ray node on this machine (Ray's socket paths must
    stay under 107 bytes, which pytest's tmp_path exceeds); removed after Ray stops."""
    path = Path(tempfile.mkdtemp(prefix="ray-n2-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def ray_env(tmp_path, monkeypatch, node_temp):
    """Token authentication and the venv's ``ray`` on PATH, for this test's processes."""
    token = tmp_path / "token"
    token.write_text(secrets.token_hex(32))
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(token))
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
    # no Ray process of an earlier test (a local instance's agent holding its port) left
    subprocess.run([str(BIN / "ray"), "stop", "--force"], capture_output=True, timeout=120)
    yield dict(os.environ)
    ray.shutdown()
    subprocess.run([str(BIN / "ray"), "stop", "--force"], capture_output=True, timeout=120)


@pytest.mark.parametrize("name", ["aws", "gcp"])
def test_cluster_yamls_pass_rays_own_schema(name):
    from ray.autoscaler._private.util import prepare_config, validate_config

    config = yaml.safe_load((CONF_DIR / "cluster" / f"{name}.yaml").read_text())
    validate_config(prepare_config(copy.deepcopy(config)))  # what `ray up` checks
    assert any("pip install -e" in c for c in config["setup_commands"])
    workers = config["available_node_types"]["cpu_worker"]
    assert workers["min_workers"] == 0 and workers["max_workers"] >= 1
    assert config["idle_timeout_minutes"] > 0
    bad = copy.deepcopy(config)
    bad["available_node_types"]["cpu_worker"]["max_wokers"] = 2
    with pytest.raises(Exception, match="max_wokers"):
        validate_config(prepare_config(bad))


def ray_cli(*args, env, timeout=180):
    return subprocess.run([str(BIN / "ray"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("name", ["aws", "gcp"])
def test_cluster_yamls_keep_the_dashboard_and_jobs_api_off_public_interfaces(name):
    """Issue 22: the head starts without ``--dashboard-host`` (Ray's default binds the
    dashboard and the Jobs API to the head's loopback; ``ray dashboard`` tunnels to it)
    and no node disables Ray's token authentication."""
    cfg = yaml.safe_load((CONF_DIR / "cluster" / f"{name}.yaml").read_text())
    commands = " ".join(cfg["head_start_ray_commands"] + cfg["worker_start_ray_commands"])
    assert "--dashboard-host" not in commands and "0.0.0.0" not in commands
    assert "RAY_AUTH_MODE" not in yaml.safe_dump(cfg)


def test_a_sweep_submitted_as_a_job_to_a_two_node_cluster(tmp_path, ray_env, node_temp):
    head = ray_cli("start", "--head", "--node-ip-address=127.0.0.1", "--port=6391",
                   "--num-cpus=1", "--include-dashboard=true", "--dashboard-host=127.0.0.1",
                   "--dashboard-port=8291", env=ray_env)
    assert head.returncode == 0, head.stderr
    # The second node on this machine gets its own temp dir: with the head's, both nodes
    # unpack the job's working dir into the same folder, and the driver once read it
    # half unpacked (no governance policies found).
    node = ray_cli("start", "--address=127.0.0.1:6391", "--node-ip-address=127.0.0.1",
                   "--num-cpus=1", f"--temp-dir={node_temp}", env=ray_env)
    assert node.returncode == 0, node.stderr
    out = tmp_path / "run"
    for _ in range(24):  # the head's job agent starts after `ray start` returns
        job = ray_cli("job", "submit", "--address", "http://127.0.0.1:8291", "--working-dir",
                      str(REPO), "--", "python", "-m", "twin.apps.run", *TINY, "runner=ray",
                      "runner.address=auto", "runner.chunk_athletes=1", "draws=4",
                      "output.plots=false", f"hydra.run.dir={out}", env=ray_env, timeout=600)
        if "No available agent to submit job" not in job.stdout + job.stderr:
            break  # Ray's own advice for that answer is "please try again later"
        time.sleep(5)
    assert job.returncode == 0, job.stdout + job.stderr
    assert "succeeded" in job.stdout + job.stderr
    cube, summary = datasets(twin.open_cube(out / "cube.zarr"))
    assert dict(cube.sizes)["athlete"] == 3 and "itinerary" in cube.dims
    assert np.isfinite(cube["performance"].values).all()
    assert np.all((summary["injury_risk"].values >= 0) & (summary["injury_risk"].values <= 1))


def fake_autoscaling_cluster(env: dict, tmp_path: Path) -> None:
    """Start Ray's fake multi-node provider (worker nodes are local processes) with no CPU
    on the head, one-CPU workers, at most two, idle after 6 s.

    This is what ``ray.cluster_utils.AutoscalingCluster`` starts, but that helper reads
    an ``example.yaml`` the Ray 2.60 wheel does not ship; the same provider class is
    named here as an ``external`` provider, whose defaults need no file.
    """
    config = {
        "cluster_name": "twin-fake", "max_workers": 2, "upscaling_speed": 1.0,
        "idle_timeout_minutes": 0.1,
        "provider": {"type": "external",
                     "module": "ray.autoscaler._private.fake_multi_node.node_provider."
                               "FakeMultiNodeProvider",
                     "disable_launch_config_check": True, "disable_node_updaters": True,
                     "use_node_id_as_ip": True},
        "auth": {"ssh_user": "ubuntu"}, "docker": {},
        "available_node_types": {
            "ray.head.default": {"resources": {}, "node_config": {}, "max_workers": 0},
            "cpu_node": {"resources": {"CPU": 1}, "node_config": {}, "min_workers": 0,
                         "max_workers": 2}},
        "head_node_type": "ray.head.default", "file_mounts": {}, "cluster_synced_files": [],
        "file_mounts_sync_continuously": False, "rsync_exclude": [], "rsync_filter": [],
        "initialization_commands": [], "setup_commands": [], "head_setup_commands": [],
        "worker_setup_commands": [], "head_start_ray_commands": [],
        "worker_start_ray_commands": []}
    path = tmp_path / "autoscaling.json"
    path.write_text(json.dumps(config))
    env = dict(env, AUTOSCALER_UPDATE_INTERVAL_S="1", RAY_FAKE_CLUSTER="1")
    ray_cli("stop", "--force", env=env)
    start = ray_cli("start", "--head", f"--autoscaling-config={path}", "--num-cpus=0",
                    env=env)
    assert start.returncode == 0, start.stderr


#: The driver, in its own process (Ray reads its authentication settings at import).
AUTOSCALING_DRIVER = r"""
import json, sys, threading, time
import ray
import twin
from twin.runners import local as runner

def alive_workers():
    return sum(1 for n in ray.nodes() if n["Alive"] and n["Resources"].get("CPU", 0) > 0)

ray.init(address="auto", log_to_driver=False, configure_logging=False)
before, peak, stop = alive_workers(), [0], threading.Event()

def watch():
    while not stop.is_set():
        peak[0] = max(peak[0], alive_workers())
        time.sleep(0.5)

watcher = threading.Thread(target=watch, daemon=True)
watcher.start()
cfg = twin.compose(*json.loads(sys.argv[1]))
res = runner.run_sweep(cfg, sys.argv[2], progress=False)
stop.set()
watcher.join()
deadline = time.monotonic() + 120
while alive_workers() and time.monotonic() < deadline:
    time.sleep(1)
print(json.dumps({"before": before, "peak": peak[0], "after": alive_workers(),
                  "store": str(res.store)}))
"""


def test_autoscaling_adds_workers_for_a_sweep_and_drops_them_when_idle(tmp_path, ray_env):
    fake_autoscaling_cluster(ray_env, tmp_path)
    overrides = [*TINY, "runner=ray", "runner.address=auto", "runner.chunk_athletes=1",
                 "runner.chunk_points=1", "draws=4"]
    run = subprocess.run([sys.executable, "-c", AUTOSCALING_DRIVER, json.dumps(overrides),
                          str(tmp_path / "out")], env=ray_env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0  # no workers until the sweep queues chunks
    assert seen["peak"] >= 1  # the sweep scaled the cluster up
    assert seen["after"] == 0  # and the idle workers went away
    assert twin.open_cube(seen["store"]).attrs["twin_complete"] == 1
