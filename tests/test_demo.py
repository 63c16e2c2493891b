"""The main job (for now the demo) runs from its Hydra config and writes its outputs."""

import subprocess
import sys

import numpy as np
from hydra import compose, initialize_config_dir

from twin.demo import CONF_DIR, run_demo, test_table


def test_demo_from_the_shipped_config(tmp_path):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        cfg = compose(config_name="demo")
    series = run_demo(cfg, tmp_path)
    for name in ("pmc.png", "banister.png", "daily.csv"):
        assert (tmp_path / name).stat().st_size > 1000
    assert not list(tmp_path.glob("*.tmp"))
    header = (tmp_path / "daily.csv").read_text().splitlines()[0]
    assert header.startswith("date,day,load_au,ctl_au_per_d")
    # The config holds the published fit, so the table shows the published SSE and R^2.
    assert "SSE = 20.25 W^2, R^2 = 0.9792" in test_table(series)
    assert np.isnan(series["acwr_1"][:27]).all()


def test_twin_run_cli_rejects_a_bad_override(tmp_path):
    """A bad value names the config key and what was expected; no figures are written."""
    run = subprocess.run([sys.executable, "-c", "from twin.demo import main; main()",
                          "banister.tau2=0", f"hydra.run.dir={tmp_path}"],
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "config key 'banister': BanisterParams.tau2 = 0.0: expected a value in (0, inf) d" \
        in run.stderr
    assert not list(tmp_path.glob("*.png"))


def test_demo_defaults_without_the_conf_folder(tmp_path):
    """A non-editable install has no conf/: the schema's own defaults are the published
    fit, so the demo still reproduces it."""
    from omegaconf import OmegaConf

    from twin.demo import DemoConfig

    series = run_demo(OmegaConf.structured(DemoConfig), tmp_path)
    assert "SSE = 20.25 W^2, R^2 = 0.9792" in test_table(series)
