"""Every shipped YAML composes and compiles; Hydra's CLI behaves as its users expect."""

import subprocess
import sys

import numpy as np
import pytest

import scenarios as sc
from twin import compose
from twin.apps.config import CONF_DIR

GROUPS = {g: sorted(p.stem for p in (CONF_DIR / g).glob("*.yaml"))
          for g in ("athletes", "scenario", "sweep", "runner", "backend")}


def test_the_required_options_ship():
    assert {"demo_season", "congested_fixtures", "intercontinental_tour",
            "preseason_ramp"} <= set(GROUPS["scenario"])
    assert {"local", "ray"} <= set(GROUPS["runner"])
    assert {"numba", "jax"} <= set(GROUPS["backend"])


@pytest.mark.parametrize("scenario", GROUPS["scenario"])
@pytest.mark.parametrize("sweep", GROUPS["sweep"])
def test_every_scenario_and_sweep_composes_and_compiles(scenario, sweep):
    cfg = compose(f"scenario={scenario}", f"sweep={sweep}", "athletes=mini_squad")
    squad = sc.build_squad(cfg.athletes)
    season = sc.build_season(cfg.scenario, home=squad.home)
    points = sc.build_sweep(cfg.sweep, season)
    days = sc.compile_days(season, points)
    assert days.load.shape == (points.size, season.days, len(sc.LOAD_KINDS))
    assert np.all(days.load >= 0) and days.match.any()
    clock = sc.compile_clock(season, days.itineraries[0], squad.bed_h, squad.wake_h)
    assert clock.light_lux.shape == (squad.size, season.days * 240)


@pytest.mark.parametrize("athletes", GROUPS["athletes"])
@pytest.mark.parametrize("runner", GROUPS["runner"])
@pytest.mark.parametrize("backend", GROUPS["backend"])
def test_every_squad_runner_and_backend_composes(athletes, runner, backend):
    cfg = compose(f"athletes={athletes}", f"runner={runner}", f"backend={backend}")
    assert sc.build_squad(cfg.athletes).size >= 1
    assert cfg.runner.kind.name == runner and cfg.backend.name.name == backend


def test_the_tour_is_legs_added_to_the_base_season():
    base = compose("scenario=demo_season").scenario
    tour = compose("scenario=intercontinental_tour").scenario
    assert list(tour.week) == list(base.week) and tour.fixtures == base.fixtures
    assert tour.itinerary == ["summer_tour"] and not base.itinerary
    season = sc.build_season(tour, home="london")
    itin = sc.resolve_itinerary(season, "home")
    assert [leg.destination for leg in itin.legs] == ["tokyo", "seoul", "los_angeles",
                                                      "new_york", "london"]
    # Clock changes, DST-aware July 2026, wrapped to the 24-h circle: London (BST, +1) to
    # Tokyo (+9) is +8; Seoul (+9) to Los Angeles (PDT, -7) is -16 = +8; LA to New York
    # (EDT) +3; New York to London +5.
    np.testing.assert_array_equal(itin.clock_changes(season)[:, 1], [8, 0, 8, 3, 5])


def run_cli(*args):
    return subprocess.run([sys.executable, "-c", "from twin.apps.scenario import main; main()",
                           *args], capture_output=True, text=True, timeout=120)


def test_cfg_job_shows_the_resolved_config(tmp_path):
    out = run_cli("--cfg", "job", "scenario=congested_fixtures")
    assert out.returncode == 0, out.stderr
    assert "name: congested_fixtures" in out.stdout and "per_week: 2" in out.stdout


@pytest.mark.parametrize("override, message", [
    ("scenario.fixtures.per_wek=2", "Key 'per_wek' not in 'FixturesConf'"),
    ("sweep.mode=random", "Invalid value 'random', expected one of [grid, lhs, sobol]"),
    ("sweep.axes.match_load=[1,-2]", "sweep.axes.match_load[1] = -2: expected a multiplier"),
    ("athletes.home=atlantis", "athletes.home = 'atlantis': unknown venue"),
])
def test_a_wrong_key_or_value_fails_naming_it(tmp_path, override, message):
    out = run_cli(override, f"hydra.run.dir={tmp_path}")
    assert out.returncode != 0
    assert message in out.stderr


def test_a_multirun_writes_no_raw_id_name_or_key_anywhere(tmp_path, monkeypatch):
    """Hydra's multirun.yaml is rewritten as governance lets it out (issue 22): no file
    of the sweep directory, nor stdout or stderr, holds the EU athlete's raw id, name or
    the pseudonym key; the athlete under an open policy keeps its id."""
    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    out = run_cli("-m", "scenario=demo_season,preseason_ramp", "athletes=mini_squad",
                  "athletes.athletes.0.jurisdiction=EU", f"hydra.sweep.dir={tmp_path}")
    assert out.returncode == 0, out.stderr
    text = out.stdout + out.stderr + "".join(
        p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    for secret in ("m01", "Lee Harper", "a-secret-kept-elsewhere"):
        assert secret not in text, secret
    assert "m02" in (tmp_path / "multirun.yaml").read_text()


def test_the_master_config_hydra_saves_is_governed_before_any_job(monkeypatch):
    """The crash window (issue 22): the sweeper saves the master config as multirun.yaml
    before any job starts; the callback's multirun start has already given it public ids
    and dropped the names, so even a multirun killed before its first job leaves no raw
    field on disk."""
    from omegaconf import OmegaConf

    from twin.apps.hydra_app import GovernedMultirun

    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    cfg = compose("athletes=mini_squad", "athletes.athletes.0.jurisdiction=EU")
    GovernedMultirun().on_multirun_start(cfg)
    text = OmegaConf.to_yaml(cfg)
    assert "m01" not in text and "Lee Harper" not in text and "anon-" in text
    assert "m02" in text  # an open-policy athlete keeps its id


def test_multirun_over_outer_choices(tmp_path):
    out = run_cli("-m", "scenario=demo_season,preseason_ramp", "athletes=mini_squad",
                  f"hydra.sweep.dir={tmp_path}")
    assert out.returncode == 0, out.stderr
    assert "season demo_season" in out.stdout and "season preseason_ramp" in out.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["0", "1"]
