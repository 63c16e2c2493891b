"""The apps' shared pieces: ``twin.compose`` and the one Hydra app behind every CLI."""

import subprocess
import sys

import pytest
from hydra import compose as hydra_compose
from hydra import initialize
from hydra.core.global_hydra import GlobalHydra

import twin
from scenarios import ConfigError
from tests.test_twin import TINY


def test_compose_is_hydras_config_and_can_be_called_again():
    cfg = twin.compose("athletes=mini_squad", "draws=8")
    assert cfg.draws == 8 and cfg.athletes.name == "mini_squad"
    assert "hydra" not in cfg
    assert not GlobalHydra.instance().is_initialized()  # left as it was found
    with initialize(config_path="../conf", version_base=None):  # Hydra's own, as a user would
        assert cfg == hydra_compose("config", overrides=["athletes=mini_squad", "draws=8"])
    assert twin.compose("athletes=mini_squad", "draws=8") == cfg
    assert twin.compose("fit.n_draws=7", config_name="calibrate").fit.n_draws == 7


def test_compose_inside_an_initialised_hydra_keeps_it():
    with initialize(config_path="../conf", version_base=None):
        outer = GlobalHydra.instance().hydra
        assert twin.compose("draws=3").draws == 3
        assert GlobalHydra.instance().hydra is outer
        assert hydra_compose("config", overrides=["draws=5"]).draws == 5


def test_compose_names_what_is_wrong():
    from hydra.errors import ConfigCompositionException, MissingConfigException

    with pytest.raises(TypeError, match=r"compose\(\*overrides\)"):
        twin.compose(["draws=2"])
    with pytest.raises(MissingConfigException, match="scenario/nonesuch"):
        twin.compose("scenario=nonesuch")
    with pytest.raises(ConfigCompositionException, match="drawz"):
        twin.compose("drawz=3")
    with pytest.raises(ConfigError, match=r"sweep\.axes\.temperature: not a key of AxesConf"):
        twin.compose("+sweep.axes.temperature=[1,2]")
    with pytest.raises(ConfigError, match=r"inputs\.athletez: not a key of"):
        twin.compose("+inputs.athletez=a.csv", config_name="calibrate")
    assert not GlobalHydra.instance().is_initialized()


@pytest.mark.parametrize(("module", "args", "message"), [
    ("twin.apps.run", ["sweep.axes.match_load=[1,-2]"],
     "twin-run: sweep.axes.match_load[1] = -2: expected a multiplier in [0, 3]"),
    ("twin.apps.scenario", ["athletes.home=atlantis"],
     "twin-scenario: athletes.home = 'atlantis': unknown venue"),
    ("twin.apps.plan", [*TINY, "plan.athletes=[nobody]"],
     "twin-plan: plan.athletes: 'nobody' is not in the squad"),
    # prescribe.InfeasiblePlan, one of twin-plan's own error types: the window of 14 days
    # from 1 August holds no match.
    ("twin.apps.plan", [*TINY, "plan.days=14"],
     "twin-plan: plan.key_matches: the window holds no match to plan for"),
    ("twin.apps.calibrate", [], "twin-calibrate: inputs.athletes: a file is required"),
    # no cluster to find (Ray's ConnectionError, a 29-line traceback before)
    # (on the Ray tests' worker: no cluster of theirs may be up meanwhile)
    pytest.param("twin.apps.run", [*TINY, "runner=ray", "runner.address=auto"],
                 "twin-run: runner.address = 'auto': no running Ray cluster found",
                 marks=pytest.mark.xdist_group("ray")),
    # Hydra's '+' adds a key struct mode would refuse: the schema refuses it instead
    ("twin.apps.scenario", ["+drawz=5"],
     "twin-scenario: drawz: not a key of TwinConfig (given with '+'?)"),
])
def test_a_bad_value_is_one_line_and_exit_status_2(tmp_path, module, args, message):
    run = subprocess.run([sys.executable, "-m", module, *args, f"hydra.run.dir={tmp_path}"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(message) and run.stderr.count("\n") == 1, run.stderr
    assert run.stdout == ""
    assert (tmp_path / f"{module.split('.')[-1]}.log").exists()  # Hydra's job name


def test_no_config_sets_hydra_mode_so_the_launcher_need_not_compose_for_it():
    """``twin.apps.hydra_app._mode_unread`` takes the mode as None without composing:
    true only while no primary config, and no option of a group, sets ``hydra.mode``."""
    from pathlib import Path

    import yaml

    from twin.apps.config import CONF_DIR, register

    register()
    for name in ("config", "calibrate", "sensitivity"):
        with initialize(config_path="../conf", version_base=None):
            assert hydra_compose(name, return_hydra_config=True).hydra.mode is None, name
    for path in Path(CONF_DIR).rglob("*.yaml"):
        text = path.read_text()
        data = yaml.safe_load(text) or {}
        in_hydra = path.relative_to(CONF_DIR).parts[0] == "hydra" or "@package hydra" in text
        hydra_node = data if in_hydra else data.get("hydra", {}) if isinstance(data, dict) \
            else {}
        assert "mode" not in (hydra_node or {}), path


def test_the_launcher_reads_the_mode_only_where_an_override_names_it(monkeypatch):
    from hydra._internal.hydra import Hydra

    from twin.apps.hydra_app import _mode_unread

    monkeypatch.setattr(Hydra, "get_mode", lambda self, config_name, overrides: "composed")
    monkeypatch.setattr(sys, "argv", ["twin-run", "draws=3"])
    with _mode_unread():
        assert Hydra.get_mode(None, "config", ["draws=3", "-m"]) is None
        assert Hydra.get_mode(None, "config", ["++hydra.mode=MULTIRUN"]) == "composed"
    assert Hydra.get_mode(None, "config", []) == "composed"  # put back
    monkeypatch.setattr(sys, "argv", ["twin-run", "--config-dir=/elsewhere"])
    with _mode_unread():
        assert Hydra.get_mode(None, "config", []) == "composed"


def test_an_override_of_hydra_mode_still_makes_a_multirun(tmp_path):
    """``hydra.mode=MULTIRUN`` without ``-m``: a multirun, its job in the sweep folder."""
    run = subprocess.run([sys.executable, "-m", "twin.apps.scenario", *TINY, "hydra.mode=MULTIRUN",
                          f"hydra.sweep.dir={tmp_path}", "hydra.sweep.subdir=job0"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "job0").is_dir()
