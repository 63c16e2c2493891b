"""Sensitivity and decision robustness (issue 18): Sobol indices through SALib.

- The Ishigami function, whose indices are known in closed form, through the same design
  -> values -> indices path the twin uses: the analytic values lie within the bootstrap
  intervals.
- A small twin case: a factor that cannot act on an outcome gets a total index of 0
  (exactly: the column swap leaves every output unchanged), and the factor that drives
  an outcome ranks first.
- Batching: a parameter set inside a sample plan gives what a plain plan at those values
  gives (draw_ids and per-draw records change nothing else).
- The apps end to end on the mini squad (dataset with units, bar chart PNGs, robustness
  lines in twin-run's summary), and bad values refused in one line naming the key.
"""

import functools
import sys

import numpy as np
import pytest
import xarray as xr

import twin
from tests.test_twin import TINY
from twin.apps.from_config import hazard_from_config
from twin.model.params import CouplingParams
from twin.sensitivity import (
    ISHIGAMI_INDICES,
    design,
    factor_values,
    ishigami,
    ishigami_factors,
    run_design,
    sobol_indices,
    twin_factors,
)
from twin.sensitivity._decision import analyse

SMALL = [*TINY, "sweep.axes.itinerary=[home,east_9]", "scenario.days=60"]


def test_ishigami_indices_agree_with_the_analytic_values_within_their_intervals():
    # Ishigami & Homma 1990, a = 7, b = 0.1; analytic S1 and ST (Sobol' & Levitan 1999).
    # Base 1024 (5 120 runs), 200 bootstrap resamples, 95 % intervals of half-width
    # 0.03-0.09; the fixed seeds make the check deterministic.
    factors = ishigami_factors()
    unit = design(factors, 1024, seed=0)
    ds = sobol_indices(factors, {"y": ishigami(factor_values(factors, unit))},
                       resamples=200, seed=0)
    for name, (s1, st) in ISHIGAMI_INDICES.items():
        one = ds.sel(output="y", factor=name)
        assert abs(float(one.S1) - s1) <= float(one.S1_conf), (name, float(one.S1))
        assert abs(float(one.ST) - st) <= float(one.ST_conf), (name, float(one.ST))
        assert float(one.ST_conf) < 0.1  # the intervals are informative, not just wide


def test_the_bootstrap_intervals_are_reproducible_with_seed_zero():
    # SALib treats seed 0 as no seed; the wrapper must not (the same config, the same
    # dataset).
    factors = ishigami_factors()
    unit = design(factors, 64, seed=0)
    y = {"y": ishigami(factor_values(factors, unit))}
    a, b = (sobol_indices(factors, y, resamples=20, seed=0) for _ in range(2))
    assert a.identical(b)


def test_design_refuses_a_base_that_is_not_a_power_of_two():
    with pytest.raises(ValueError, match="base = 12"):
        design(ishigami_factors(), 12)


@pytest.fixture(scope="module")
def small_run():
    cfg = twin.compose(*SMALL)
    names = ["coupling.match_fatigue_24h", "priors.tau3", "hazard.beta_fatigue"]
    factors = twin_factors(("banister",), names=names)
    unit = design(factors, 8, seed=0)
    return run_design(functools.partial(twin.plan_from_config, cfg), factors, unit, draws=2)


def test_a_factor_without_effect_has_total_index_zero_and_the_driver_ranks_first(small_run):
    ds = analyse(small_run, resamples=50)
    value = ds.sel(target="value")
    # tau3 is the Busso k2-filter's: under Banister it acts on nothing.
    tau3 = value.sel(factor="priors.tau3")
    assert np.all(np.abs(tau3.ST.values) <= tau3.ST_conf.values + 1e-12)
    assert np.all(tau3.ST.values == 0.0)
    # Match fatigue lowers performance and nothing else (no hazard term reads it); the
    # fatigue term of the hazard drives injuries and does not touch performance.
    perf = value.sel(outcome="match_performance")
    assert str(perf.factor[np.argmax(perf.ST.values)].values) == "coupling.match_fatigue_24h"
    inj = value.sel(outcome="expected_injuries")
    assert str(inj.factor[np.argmax(inj.ST.values)].values) == "hazard.beta_fatigue"
    assert float(inj.ST.sel(factor="coupling.match_fatigue_24h")) == 0.0
    assert float(inj.ST.sel(factor="hazard.beta_fatigue")) > 0.5
    # Robustness is a share of sets; attributes carry units.
    assert np.all((ds.robustness.values[:, 1:] >= 0) & (ds.robustness.values[:, 1:] <= 1))
    assert ds.S1.attrs["units"] == "1" and ds.robustness.attrs["units"] == "1"


def test_a_parameter_set_in_a_sample_plan_is_the_plain_plan_at_those_values(small_run):
    # Row 0 of the design through a plain plan (2 draws, records with scalar fields) must
    # give the same squad-mean outcomes as inside the batched sample plan.
    from twin.sensitivity._twin import OUTCOMES, SampleLayout, _squad_mean, sample_chunk

    cfg = twin.compose(*SMALL)
    row = {f.name: small_run.values[f.name][0] for f in small_run.factors}
    coupling = CouplingParams(match_fatigue_24h=float(row["coupling.match_fatigue_24h"]))
    base = hazard_from_config(cfg.model.hazard)
    plan = twin.plan_from_config(cfg, draws=2, coupling=coupling,
                                 hazard=base.replace(beta_fatigue=float(
                                     row["hazard.beta_fatigue"])))
    layout = SampleLayout(plan, 1, 2, chunk_athletes=plan.squad.size)
    result = sample_chunk(plan, layout.slices(layout.blocks[0]))
    for name in OUTCOMES:
        np.testing.assert_allclose(_squad_mean(result[name])[:, 0],
                                   small_run.outcomes[name][0], rtol=1e-12, atol=1e-12)


def _main(module, args, tmp_path, monkeypatch, capsys):
    import importlib

    main = importlib.import_module(f"twin.apps.{module}").main
    monkeypatch.setattr(sys, "argv", [module, *args, f"hydra.run.dir={tmp_path}"])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_twin_sensitivity_end_to_end_writes_the_dataset_and_charts(tmp_path, monkeypatch,
                                                                   capsys):
    # conf/sensitivity.yaml runs the standard sweep: the demo sweep's axes here.
    code, out, err = _main("sensitivity", ["sweep=demo", *SMALL, "sensitivity.base_samples=2"],
                           tmp_path, monkeypatch, capsys)
    assert code == 0, err
    ds = xr.open_dataset(tmp_path / "sensitivity.nc")
    assert ds.sizes["run"] == 2 * (len(twin_factors()) + 2)
    assert set(ds.target.values) == {"value", "training_volume", "itinerary", "scenario"}
    for name in ("S1", "ST", "S1_conf", "ST_conf", "ST_decision", "robustness"):
        assert ds[name].attrs["units"] == "1"
    assert ds.attrs["Conventions"].startswith("CF") and "SALib" in ds.attrs["source"]
    assert "model.fitness_fatigue" in ds.factor.values
    for png in ("sensitivity.png", "sensitivity_training_volume.png"):
        assert (tmp_path / png).stat().st_size > 1000
    assert "match_performance  best training_volume" in out and "plausible parameter sets" \
        in out


def test_twin_run_prints_a_robustness_line_per_outcome_when_asked(tmp_path, monkeypatch,
                                                                  capsys):
    code, out, err = _main("run", [*SMALL, "output.plots=false", "sensitivity.base_samples=2",
                                   "sensitivity.models=[banister]"],
                           tmp_path, monkeypatch, capsys)
    assert code == 0, err
    lines = [line for line in out.splitlines() if "stays best in" in line]
    outcomes = ("match_performance", "expected_injuries", "days_lost", "matches_played")
    assert {line.split()[0] for line in lines} == set(outcomes)
    assert (tmp_path / "sensitivity.nc").exists() and (tmp_path / "cube.zarr").exists()


#: (overrides, message): twin-sensitivity refuses before any work.
BAD = [
    (["sensitivity.base_samples=3"], "sensitivity.base_samples = 3"),
    (["sensitivity.base_samples=0"], "sensitivity.base_samples = 0"),
    (["sensitivity.draws=0"], "sensitivity.draws = 0"),
    (["sensitivity.resamples=0"], "sensitivity.resamples = 0"),
    (["sensitivity.conf_level=1.5"], "sensitivity.conf_level = 1.5"),
    (["sensitivity.chunk_sets=-1"], "sensitivity.chunk_sets = -1"),
    (["sensitivity.models=[banister,nonesuch]"], "sensitivity.models"),
    (["sensitivity.factors=[coupling.nonesuch]"], "sensitivity.factors"),
    (["athletes.parameters=squad_calibration.nc"], "athletes.parameters"),
    (["scenario.rest_days=[2030-01-01]"], "scenario.rest_days[0]"),  # found while planning
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_twin_sensitivity_refuses(args, message, tmp_path, monkeypatch, capsys):
    code, _, err = _main("sensitivity", ["sweep=demo", *SMALL, *args], tmp_path, monkeypatch,
                         capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("twin-sensitivity: "), err
    assert message in err, err
    assert not (tmp_path / "sensitivity.nc").exists()


def test_twin_run_refuses_a_bad_design_before_any_work(tmp_path, monkeypatch, capsys):
    code, _, err = _main("run", [*SMALL, "sensitivity.base_samples=6"], tmp_path,
                         monkeypatch, capsys)
    assert code == 2 and "twin-run: sensitivity.base_samples = 6" in err, err
    assert not (tmp_path / "cube.zarr").exists()


def test_a_draw_free_field_per_draw_is_refused():
    cfg = twin.compose(*SMALL)
    with pytest.raises(ValueError, match=r"CouplingParams\.effort_ratio: draw-free"):
        twin.plan_from_config(cfg, draws=2,
                              coupling=CouplingParams(effort_ratio=np.array([1.5, 1.6])))
