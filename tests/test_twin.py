"""The twin end to end: cube layout, directions of effect, determinism, dependency-aware runs."""

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import hypothesis as hyp
import hypothesis.strategies as st
import numpy as np
import pytest
import xarray as xr

import twin
from physiology.injury import HazardParams
from physiology.kernels import numba_backend
from scenarios import ConfigError
from twin import engine
from twin.apps import run as cli
from twin.apps.from_config import plan_from_config
from twin.runners import local as runner
from twin.store import datasets
from twin.store.cube import Layout, ZarrStore

TINY = ["runner=local", "athletes=mini_squad", "draws=8", "scenario.days=100",
        "scenario.rest_days=[]", "scenario.shift_trip.depart=2026-09-08T11:00",
        "sweep.axes.training_volume=[0.8,1.0,1.2]",
        "sweep.axes.itinerary=[home,east_3,east_6,east_9]"]


def tiny_cfg(*extra):
    return twin.compose(*TINY, *extra)


@functools.cache
def cached_plan(*extra):
    """The plan of the tiny sweep with ``extra`` overrides, computed once per test session
    and shared by the modules that read it (no test modifies a plan in place)."""
    return plan_from_config(tiny_cfg(*extra))


@pytest.fixture(scope="module")
def tiny_plan():
    return cached_plan()


@functools.cache
def cached_run():
    """``twin-run`` of the tiny sweep into a temporary directory (removed at exit): run
    once per test session, read (never modified) by the modules that use it."""
    out = Path(tempfile.mkdtemp(prefix="twin-tiny-run-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    return out, cli.run(tiny_cfg(), out, progress=False)


@pytest.fixture(scope="module")
def tiny_run(tiny_plan):
    return cached_run()


def test_cube_dims_coords_attributes_and_ranges(tiny_run):
    out, text = tiny_run
    cube, summary = datasets(twin.open_cube(out / "cube.zarr"))
    assert dict(cube.sizes) == {"athlete": 3, "training_volume": 3, "itinerary": 4,
                                "quantile": 3, "date": 100}
    assert list(cube["itinerary"].values) == ["home", "east_3", "east_6", "east_9"]
    np.testing.assert_array_equal(cube["quantile"], [0.05, 0.5, 0.95])
    assert str(cube["date"].values[0])[:10] == "2026-08-01"
    for key in ("Conventions", "title", "source", "history", "config"):
        assert cube.attrs[key]
    assert cube.attrs["Conventions"].startswith("CF-") and cube.attrs["twin_complete"] == 1
    for name in twin.DAILY:
        assert cube[name].attrs["units"] and cube[name].attrs["long_name"]
    for name in twin.SUMMARY:
        assert summary[name].attrs["units"] and summary[name].attrs["long_name"]
    c = cube.load()
    assert float(c.injury_probability.min()) >= 0 and float(c.injury_probability.max()) <= 1
    assert float(c.available.min()) >= 0 and float(c.available.max()) <= 1
    assert float(c.performance.min()) > 50 and float(c.performance.max()) < 150
    assert float(c.tissue_damage.min()) >= 0
    home = c.sel(itinerary="home")
    # At home the body clock is measured against the same athlete at home on the same
    # dates: only the matches (light on the pitch, later nights) move it from that
    # reference (measured: up to 0.6 h).
    assert float(np.abs(home.circadian_misalignment).max()) < 1.0
    assert float(np.abs(c.sel(itinerary="east_9").circadian_misalignment).max()) > 5.0
    # Debt is owed against the need (8.3 h) whoever sleeps less: some at home too; a trip
    # adds to it, and the impairment above habitual is what the trip costs.
    assert float(home.sleep_debt.min()) >= 0.0
    east = c.sel(itinerary="east_9")
    assert float(east.sleep_debt.max()) > float(home.sleep_debt.max()) + 2.0
    assert float(east.sleep_impairment.max()) > float(home.sleep_impairment.max()) + 1.0
    s = summary.load()
    assert np.all((s.injury_risk >= 0) & (s.injury_risk <= 1))
    assert np.all((s.days_lost >= 0) & (s.days_lost <= 100))
    for name in ("season.png", "fan.png", "jetlag.png", "heatmap.png"):
        assert (out / name).stat().st_size > 10_000
    assert "match_performance" in text and "cube:" in text


def test_reopened_cube_holds_what_the_engine_computed(tiny_run, tiny_plan):
    out, _ = tiny_run
    cube, summary = datasets(twin.open_cube(out / "cube.zarr"))
    direct = engine.run_chunk(tiny_plan, slice(None), slice(None))
    shape = (3, 3, 4)
    for name in twin.DAILY:
        want = direct[name].reshape(*shape, *direct[name].shape[2:])
        np.testing.assert_array_equal(cube[name].values, want)  # same floats, bit for bit
    want = direct["summary/injury_risk"].reshape(shape)
    np.testing.assert_array_equal(summary["injury_risk"].values, want)


def test_more_training_volume_raises_fitness_exposure_and_injuries(tiny_run):
    """More volume: more fitness, more hours at risk, more expected injuries (the hazard
    is per hour of exposure, so the direction holds with every option off)."""
    cube, summary = datasets(twin.open_cube(tiny_run[0] / "cube.zarr"))
    fitness = cube["fitness"].sel(quantile=0.5).mean("date").values  # (athlete, vol, itin)
    assert np.all(np.diff(fitness, axis=1) > 0)
    for name in ("exposure_hours", "expected_injuries"):
        assert np.all(np.diff(summary[name].values, axis=1) > 0), name
    assert summary["expected_injuries"].attrs["units"] == "1"


def test_more_zones_east_raise_misalignment_at_the_next_kickoff(tiny_plan):
    p = tiny_plan
    east = {n: i for i, n in enumerate(p.sweep.coords["itinerary"])}
    arrive_day = None
    worst = []
    for name in ("east_3", "east_6", "east_9"):
        point = int(np.ravel_multi_index((1, east[name]), p.sweep.shape))
        itin = p.days.itineraries[p.days.itinerary[point]]
        arrive_day = int(itin.legs[0].arrive_h // 24) + 1
        next_match = arrive_day + int(np.argmax(p.days.match[point, arrive_day:]))
        worst.append(np.abs(p.misalignment[:, point, next_match]))
    worst = np.array(worst)  # (zones, athletes)
    assert np.all(np.diff(worst, axis=0) > 0), worst


def test_unavailable_athletes_play_no_minutes_and_load_nothing(tiny_plan):
    out = engine.simulate_block(tiny_plan, slice(None), slice(0, 4))
    get = out._asdict()
    out_days = get["available"] < 0.5
    assert out_days.any()  # the draws include injuries
    assert np.all(get["minutes_played"][out_days] == 0)
    assert np.all(get["load_done"][out_days] == 0)
    assert np.all((get["injury_probability"] >= 0) & (get["injury_probability"] < 1))


def test_the_same_config_gives_the_same_cube_on_both_backends(tiny_plan):
    jax_plan = cached_plan("backend=jax")
    a = engine.run_chunk(tiny_plan, slice(None), slice(None))
    b = engine.run_chunk(jax_plan, slice(None), slice(None))
    for name in a:
        # 1e-9 relative: the same float64 arithmetic in a different order (Numba loops,
        # XLA); near-zero values (fatigue fractions, ACWR noise) get a matching floor.
        np.testing.assert_allclose(a[name], b[name], rtol=1e-9, atol=1e-9, err_msg=name)
    again = engine.run_chunk(tiny_plan, slice(None), slice(None))
    for name in a:
        np.testing.assert_array_equal(a[name], again[name])


def test_a_workspace_reuses_the_kernels_memory_and_changes_nothing(tiny_plan):
    """Chunks run on one reused workspace (edge blocks smaller than the first) are bit for
    bit those run on fresh memory, and nothing returned is a view of the workspace."""
    workspace = engine.Workspace()
    blocks = [(slice(0, 2), slice(0, 4)), (slice(2, 3), slice(0, 4)), (slice(0, 3), slice(2, 3))]
    for athletes, points in blocks:
        fresh = engine.run_chunk(tiny_plan, athletes, points)
        reused = engine.run_chunk(tiny_plan, athletes, points, workspace=workspace)
        assert set(reused) == set(fresh)
        for name, value in fresh.items():
            assert reused[name].tobytes() == value.tobytes(), name
            assert not np.shares_memory(reused[name], workspace._memory), name
    # its memory is the largest block's, kept from one chunk to the next
    assert workspace._memory.size == 11 * 2 * 4 * tiny_plan.draws * tiny_plan.season.days


def test_a_block_in_passes_over_its_points_is_the_block_in_one(tiny_plan, monkeypatch):
    """Passes of 1, 2 and 1 points (uneven, the memory of two points' outputs at most)
    give every array of the block in one pass, bit for bit, and hold only the largest
    pass's outputs."""
    from twin.engine import chunk

    whole = engine.run_chunk(tiny_plan, slice(0, 3), slice(0, 4))
    per_point = 8 * 11 * 3 * tiny_plan.draws * tiny_plan.season.days
    monkeypatch.setattr(chunk, "PASS_BYTES", 2 * per_point)
    assert chunk._passes(tiny_plan, slice(0, 3), slice(0, 4)) == [slice(0, 2), slice(2, 4)]
    monkeypatch.setattr(chunk, "PASS_BYTES", 2 * per_point - 1)
    assert chunk._passes(tiny_plan, slice(0, 3), slice(0, 4)) == [
        slice(0, 1), slice(1, 3), slice(3, 4)]
    workspace = engine.Workspace()
    parts = engine.run_chunk(tiny_plan, slice(0, 3), slice(0, 4), workspace=workspace)
    assert workspace._memory.size == 11 * 3 * 2 * tiny_plan.draws * tiny_plan.season.days
    assert set(parts) == set(whole)
    for name, value in whole.items():
        assert parts[name].shape == value.shape, name
        assert parts[name].tobytes() == value.tobytes(), name


def test_the_warm_up_in_blocks_of_draws_is_the_warm_up_in_one(tiny_plan, monkeypatch):
    """The habitual warm-up in uneven blocks of draws, on one reused memory, gives the
    plan's initial state and habitual levels bit for bit as in one block."""
    from physiology.kernels import flatten
    from twin.engine import planning

    n_a = tiny_plan.squad.size
    per_draw = 8 * 11 * n_a * 365
    assert tiny_plan.draws % 3  # blocks of 3 draws leave a smaller last block
    monkeypatch.setattr(planning, "WARMUP_BLOCK_BYTES", 3 * per_draw + 1)
    blocks = plan_from_config(tiny_cfg())
    monkeypatch.setattr(planning, "WARMUP_BLOCK_BYTES", 2**40)
    whole = plan_from_config(tiny_cfg())
    for plan in (blocks, whole):
        for x, y in zip(flatten(plan.state0), flatten(tiny_plan.state0), strict=True):
            assert np.asarray(x).tobytes() == np.asarray(y).tobytes()
        for x, y in zip(flatten(plan.params), flatten(tiny_plan.params), strict=True):
            assert np.asarray(x).tobytes() == np.asarray(y).tobytes()


@pytest.mark.parametrize("athletes, points, blocks", [(1, 1, 9), (2, 2, 4)])
def test_chunking_does_not_change_the_cube(tmp_path, tiny_run, athletes, points, blocks):
    """Blocks of 1 x 1, and of 2 x 2 (partial blocks at both edges: 3 = 2 + 1)."""
    parts = runner.run_sweep(tiny_cfg(f"runner.chunk_athletes={athletes}",
                                      f"runner.chunk_points={points}"),
                             tmp_path, progress=False)
    assert len(parts.layout.blocks) == blocks
    a, sa = datasets(twin.open_cube(tiny_run[0] / "cube.zarr"))
    b, sb = datasets(twin.open_cube(parts.store))
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    xr.testing.assert_identical(sa.drop_attrs(), sb.drop_attrs())


def test_circadian_runs_once_per_athlete_and_itinerary(monkeypatch):
    """The sub-daily part runs per athlete and itinerary (plus the stay-at-home
    reference), never per point or draw; the steps before the itineraries part are
    integrated once for all of them."""
    from twin.engine.planning import _itinerary_kickoffs
    from twin.model import clock as _clock

    calls = []
    original = numba_backend.run_numba

    def spy(kernel, u, p, s0, index=None, **kw):  # u: the rows of the inputs, (R, T)
        calls.append((kernel.name, index.shape[1], u.shape[1]))
        return original(kernel, u, p, s0, index=index, **kw)

    monkeypatch.setattr(numba_backend, "run_numba", spy)
    p = plan_from_config(tiny_cfg())
    engine.run_chunk(p, slice(None), slice(None))
    steps = 100 * 240
    clocks = [_clock.compile_clock(p.season, it, p.squad.bed_h, p.squad.wake_h, kickoff_h=k)
              for it, k in zip(p.days.itineraries, _itinerary_kickoffs(p.days), strict=True)]
    split = _clock.shared_steps(clocks)
    assert 0 < split < steps
    # athlete-steps over the season: the reference, the shared head, each itinerary's rest
    expected = 3 * steps + 3 * split + 3 * 4 * (steps - split)

    def season_steps(name):
        return sum(b * t for n, b, t in calls
                   if n == name and t in (steps, split, steps - split))

    assert season_steps("hannay19") == expected
    assert season_steps("sleep_on_body_clock") == expected
    day = sum(b for name, b, t in calls if name == "twin_day_banister" and t == 100)
    assert day == 3 * 12 * 8  # the cube only (no incidence rescaling run since issue 15)


def test_an_unfinished_store_is_refused(tmp_path, tiny_plan):
    layout = Layout(tiny_plan, 1, 1)
    store = ZarrStore(tmp_path / "cube.zarr", layout, "config", "test")
    a_sl, _, flat = layout.slices(layout.blocks[0])
    store.write(layout.blocks[0], engine.run_chunk(tiny_plan, a_sl, flat))
    with pytest.raises(RuntimeError, match="incomplete cube"):
        twin.open_cube(tmp_path / "cube.zarr")
    with pytest.raises(RuntimeError, match="are not written"):
        store.finish()
    with pytest.raises(FileExistsError, match="another config"):
        ZarrStore(tmp_path / "cube.zarr", layout, "other config", "test")


@pytest.mark.parametrize("sampled", [False, True], ids=["grid", "draws-kept-sampled"])
def test_a_new_store_is_the_template_xarray_writes_from_dask(tmp_path, sampled):
    """A store's variables are created by Zarr with the metadata xarray would give them
    (``twin.store.cube._create``, no dask); it must be the store xarray makes from dask
    arrays of the same chunks and chunk keys with ``compute=False`` (how it was made
    before): the same files, byte for byte (metadata, consolidated metadata,
    coordinates), and no data chunk. Two athlete blocks and two point blocks, so
    chunking is in the metadata; the tiny grid, and a sampled sweep with the draws kept
    (dims ``scenario`` and ``draw``)."""
    import json

    import dask.array as dsk
    import zarr

    from twin.model.variables import DAILY, SEASON_DRAWS, SUMMARY
    from twin.store import cube as store_cube

    plan = plan_from_config(twin.compose(
        "runner=local", "athletes=mini_squad", "draws=4", "scenario.days=30",
        "scenario.rest_days=[]", "sweep=lhs", "sweep.n=6", "sweep.axes.itinerary=[home]",
        "output.keep_draws=true")) if sampled else cached_plan()
    layout = Layout(plan, 2, 2)
    ZarrStore(tmp_path / "new.zarr", layout, "config", "test")
    attrs = dict(zarr.open_group(str(tmp_path / "new.zarr"), mode="r").attrs)
    lazy = {}
    for key, names, dims_of in (("", DAILY, layout.dims),
                                ("summary/", SUMMARY, lambda n: layout.dims(n, SUMMARY)),
                                ("draws/", SEASON_DRAWS, lambda n: layout.dims(n, SEASON_DRAWS))):
        for n in names:
            dims = dims_of(n)
            lazy[key + n] = dsk.full(layout.shape(dims), np.nan, chunks=layout.chunks(dims))
    ref = tmp_path / "ref.zarr"
    for ds, group, mode in zip(store_cube._dataset(layout, lazy, attrs),
                               (None, "summary", store_cube.DRAWS_GROUP), "waa", strict=True):
        ds.to_zarr(ref, group=group, mode=mode, compute=False, consolidated=False,
                   zarr_format=store_cube.ZARR_FORMAT,
                   encoding={n: {"chunk_key_encoding": store_cube.CHUNK_KEYS}
                             for n in ds.data_vars})
    store_cube.consolidate(ref)

    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    new, old = files(tmp_path / "new.zarr"), files(ref)
    assert sorted(new) == sorted(old)
    assert [k for k in new if new[k] != old[k]] == []
    variables = {*DAILY, *SUMMARY, *SEASON_DRAWS}
    in_folders = [k for k in new if "/" in k and k.split("/")[-2] in variables]
    assert {k.split("/")[-1] for k in in_folders} == {"zarr.json"}  # no data chunk
    for k in in_folders:  # flat chunk keys (twin.store.cube.CHUNK_KEYS)
        assert json.loads(new[k])["chunk_key_encoding"]["configuration"] == {"separator": "."}
    assert any("/c/" in k for k in new)  # the coordinates were written


def test_netcdf_output_matches_zarr(tmp_path, tiny_run):
    res = runner.run_sweep(tiny_cfg("output.format=netcdf"), tmp_path, progress=False)
    a, sa = datasets(twin.open_cube(res.store))
    b, sb = datasets(twin.open_cube(tiny_run[0] / "cube.zarr"))
    xr.testing.assert_allclose(a.drop_attrs().load(), b.drop_attrs().load(), rtol=0, atol=0)
    xr.testing.assert_allclose(sa.drop_attrs().load(), sb.drop_attrs().load(), rtol=0, atol=0)


def test_a_bad_value_names_the_key():
    with pytest.raises(ConfigError, match="draws = 0: expected a number in"):
        plan_from_config(tiny_cfg("draws=0"))


def test_the_store_follows_zarr_3_and_cf_as_tools_read_them(tiny_run):
    """Zarr format 3 with consolidated metadata, read by plain ``xr.open_zarr`` without a
    warning; cf-xarray finds the time axis and the athlete's timeseries id; pint (its own
    registry and cf-xarray's UDUNITS one) reads every unit; every reduced variable says
    how in ``cell_methods`` (issue 21)."""
    import warnings

    import cf_xarray  # noqa: F401  (registers the .cf accessor)
    import pint
    import zarr
    from cf_xarray.units import units as udunits

    path = tiny_run[0] / "cube.zarr"
    root = zarr.open_group(str(path), mode="r")
    assert root.metadata.zarr_format == 3
    assert root.metadata.consolidated_metadata is not None
    assert root["summary"].metadata.zarr_format == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cube = xr.open_zarr(path)
        summary = xr.open_zarr(path, group="summary")
    assert cube.attrs["twin_complete"] == 1  # the consolidated attributes are current
    for ds in (cube, summary):
        assert ds.cf.cf_roles == {"timeseries_id": ["athlete"]}
    assert cube.cf["time"].name == "date" and cube.cf["T"].name == "date"
    registry = pint.UnitRegistry()
    for ds in (cube, summary):
        for name, var in ds.variables.items():
            if "units" in var.attrs:
                for reg in (registry, udunits):
                    reg.parse_units(var.attrs["units"])  # raises if unreadable
                assert var.attrs["units"] != "AU", name
    assert registry.parse_units(summary["incidence"].attrs["units"]) == registry.parse_units(
        "1/kh")  # per 1000 h
    assert cube["load_done"].attrs["units_symbol"] == "AU"
    assert cube["performance"].attrs["cell_methods"] == "realization: quantile"
    assert cube["available"].attrs["cell_methods"] == "realization: mean"
    assert "cell_methods" not in cube["body_clock"].attrs  # draw-free
    assert summary["days_lost"].attrs["cell_methods"] == "date: sum realization: mean"
    assert summary["match_performance"].attrs["cell_methods"] == (
        "date: mean (matches played) realization: quantile")
    assert summary["peak_acwr"].attrs["cell_methods"].endswith("realization: median")
    # cube.load must be Dataset.load, not a variable; the coordinate ``quantile`` is the
    # dim Dataset.quantile itself names its output by (xarray's convention)
    methods = set(dir(xr.Dataset))
    assert not [n for n in [*cube.variables, *summary.variables]
                if n in methods and n != "quantile"]


@hyp.given(st.lists(st.booleans(), min_size=1, max_size=80), st.integers(1, 40))
def test_return_to_play_days_are_those_after_time_loss(lost, window):
    """The training / return-to-play split of peak ACWR, against its definition day by
    day: returning = available with time loss on one of the ``window`` days before."""
    from twin.engine.summary import return_to_play_days

    u = np.array(lost)
    training, returning = return_to_play_days(u, window)
    for d in range(u.size):
        recent = u[max(0, d - window):d].any()
        assert returning[d] == (not u[d] and recent)
        assert training[d] == (not u[d] and not recent)


def test_peak_acwr_separates_return_to_play_spikes_from_training(tiny_run):
    """The season's highest ACWR in training stays in the range of the plan (the demo's
    draws without an injury peak at 1.27), while the weeks after a return, with the
    chronic load fallen while out, spike above it (issue 21)."""
    summary = twin.open_cube(tiny_run[0] / "cube.zarr")["summary"].to_dataset().load()
    train, back = summary["peak_acwr"].values, summary["peak_acwr_return"].values
    assert np.isfinite(train).all() and 1.0 < train.max() < 1.4
    seen = np.isfinite(back)
    assert seen.mean() > 0.5  # most cells have draws with an injury
    assert (back[seen] > train[seen]).mean() > 0.9


def test_docs_model_md_is_generated_from_the_code():
    from twin.apps import docs

    assert docs.PATH.read_text() == docs.render(), "run python -m twin.apps.docs"
    assert docs.OUTPUTS_PATH.read_text() == docs.render_outputs(), \
        "run python -m twin.apps.docs"


def test_twin_run_cli(tmp_path):
    """stdout carries the app's own output only: with JAX, whose TPU probe is an INFO
    record (Hydra's default logging put it on stdout), it goes to the job's log."""
    run = subprocess.run([sys.executable, "-c", "from twin.apps.run import main; main()", *TINY,
                          "backend=jax", "draws=2", "sweep.axes.itinerary=[home]",
                          "output.plots=false", f"hydra.run.dir={tmp_path}"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].endswith("athlete-days)"), run.stdout
    tail = lines[lines.index(next(t for t in lines if t.startswith("cube: "))):]
    assert all(t.startswith(("cube: ", "report: ")) for t in tail), run.stdout  # the outputs
    assert not [line for line in lines if line.startswith("[")], run.stdout  # no log record
    assert "Warning" not in run.stderr and "Token" not in run.stderr, run.stderr
    assert (tmp_path / "cube.zarr").exists()


def test_runner_auto_is_the_faster_one_for_the_machine(monkeypatch):
    """The default runner: in process up to 4 usable cores (measured on 2: 14.7 s in
    process, 24.6 s on a local Ray instance), Ray above or with a cluster address."""
    cfg = twin.compose()
    assert cfg.runner.kind.name == "auto"
    for cores, address, want in [
            (2, None, ("local", "runner: local (2 cores; runner=ray to use Ray)")),
            (4, None, ("local", "runner: local (4 cores; runner=ray to use Ray)")),
            (16, None, ("ray", "runner: ray (16 cores; runner=local to run in process)")),
            (2, "auto", ("ray", "runner: ray (runner.address=auto; runner=local to run in "
                                "process)"))]:
        cfg.runner.address = address
        monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid, n=cores: set(range(n)),
                            raising=False)
        assert runner.choose_runner(cfg.runner) == want
    assert runner.choose_runner(tiny_cfg().runner) == ("local", "")  # named: no line


def eu_cfg():
    cfg = tiny_cfg("draws=2", "sweep.axes.itinerary=[home]", "output.plots=false")
    for athlete in cfg.athletes.athletes:
        athlete.jurisdiction = "EU"
    return cfg


def test_a_cube_of_eu_athletes_holds_no_raw_id_or_name(tmp_path, monkeypatch):
    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    cfg = eu_cfg()
    res = runner.run_sweep(cfg, tmp_path, progress=False)
    cube = twin.open_cube(res.store).to_dataset()
    raw = [a.id for a in cfg.athletes.athletes] + [a.name for a in cfg.athletes.athletes]
    assert all(str(v).startswith("anon-") for v in cube["athlete"].values)
    text = "".join(p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file())
    for value in [*raw, "a-secret-kept-elsewhere"]:
        assert value not in text, value
    assert "a-secret" not in str(cube.attrs) and "Harper" not in cube.attrs["config"]


def readable_text(path) -> str:
    """What a file carries as text: all of it, except a PNG's compressed pixels (whose
    bytes can spell anything by chance); a PNG's text chunks are kept. So too for the
    PNGs a report embeds as base64 (whose text can spell anything too)."""
    data = path.read_bytes()
    if path.suffix == ".html":
        import base64
        import re

        return re.sub(r"data:image/png;base64,([A-Za-z0-9+/=]+)",
                      lambda m: _png_text(base64.b64decode(m.group(1))),
                      data.decode("utf-8"))
    return _png_text(data) if data.startswith(b"\x89PNG") else data.decode("latin-1")


def _png_text(data: bytes) -> str:
    out, pos = [], 8
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            out.append(data[pos + 8:pos + 8 + size].decode("latin-1"))
        pos += 12 + size
    return "".join(out)


def test_twin_run_leaves_no_raw_id_or_name_in_its_run_directory(tmp_path):
    """The whole run directory (cube, plots, Hydra's files, log) of EU athletes."""
    env = dict(__import__("os").environ, TWIN_PSEUDONYM_KEY="a-secret-kept-elsewhere")
    eu = [f"athletes.athletes.{i}.jurisdiction=EU" for i in range(3)]
    run = subprocess.run([sys.executable, "-c", "from twin.apps.run import main; main()", *TINY,
                          *eu, "draws=2", "sweep.axes.itinerary=[home,east_6]",
                          f"hydra.run.dir={tmp_path}"], capture_output=True, text=True,
                         timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files)
    assert {"report.html", "summary.csv", "summary.parquet"} <= {p.name for p in files}
    text = "".join(readable_text(p) for p in files) + run.stdout
    for value in ("m01", "m02", "m03", "Lee Harper", "Ana Reyes", "Dev Patel",
                  "a-secret-kept-elsewhere"):
        assert value not in text, value


def test_eu_athletes_without_a_key_stop_the_run(tmp_path, monkeypatch):
    monkeypatch.delenv("TWIN_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no key file either
    with pytest.raises(ValueError, match="TWIN_PSEUDONYM_KEY"):
        runner.run_sweep(eu_cfg(), tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "cube.zarr").exists()


def test_a_squad_calibration_file_supplies_the_draws(tmp_path):
    from calibration import squad_dataset, write_squad_calibration

    rng = np.random.default_rng(1)
    fitted = {"banister.p0": (300.0, rng.normal(300, 5, 4)),
              "banister.k1": (0.2, rng.uniform(0.1, 0.3, 4)),
              "banister.k2": (0.25, rng.uniform(0.2, 0.4, 4)),
              "banister.tau1": (40.0, rng.uniform(30, 50, 4)),
              "banister.tau2": (12.0, rng.uniform(8, 15, 4))}
    path = write_squad_calibration(squad_dataset({"m01": fitted}, 4), tmp_path / "squad.nc")
    p = plan_from_config(tiny_cfg(f"athletes.parameters={path}"))
    take = np.arange(8) % 4  # 8 twin draws cycle through the file's 4
    for field in ("p0", "k1", "k2", "tau1", "tau2"):
        np.testing.assert_array_equal(p.param_draws[field][0], fitted[f"banister.{field}"][1][take])
    prior = plan_from_config(tiny_cfg())
    np.testing.assert_array_equal(p.param_draws["tau1"][1:], prior.param_draws["tau1"][1:])


def test_a_squad_calibration_file_supplies_the_fitted_hazard(tmp_path):
    """A club's injury fit (twin-calibrate inputs.injuries) replaces the hazard's rates
    for the athletes the file holds, draw by draw; the others keep the record's values;
    the model.hazard config sets the record."""
    from calibration import squad_dataset, write_squad_calibration

    rate = np.array([0.020, 0.030, 0.025, 0.035])
    fitted = {"hazard.rate_match": (0.03, rate)}
    path = write_squad_calibration(squad_dataset({"m01": fitted}, 4), tmp_path / "squad.nc")
    p = plan_from_config(tiny_cfg(f"athletes.parameters={path}",
                                  "model.hazard.rate_training=0.005"))
    np.testing.assert_array_equal(p.params.hazard.rate_match[0], rate[np.arange(8) % 4])
    np.testing.assert_array_equal(p.params.hazard.rate_match[1:], HazardParams().rate_match)
    np.testing.assert_array_equal(p.params.hazard.rate_training, 0.005)


def test_a_calibration_file_of_another_squad_is_refused(tmp_path):
    """A file whose athletes are none of the squad's (another squad's, or made under a
    rotated pseudonym key) would silently give the priors' cube: refused, naming ids."""
    from calibration import squad_dataset, write_squad_calibration

    fitted = {"banister.tau1": (40.0, np.full(4, 40.0))}
    path = write_squad_calibration(squad_dataset({"zz9": fitted}, 4), tmp_path / "other.nc")
    with pytest.raises(ConfigError, match=r"athletes.parameters = .*other\.nc'.*its athletes "
                                          r"\(zz9\) are none of the squad's \(m01, m02, m03\)"):
        plan_from_config(tiny_cfg(f"athletes.parameters={path}"))


@pytest.mark.parametrize("levels", ["[1.5]", "[]", "[nan]", "[0.5,0.05]", "[0.5,0.5]"])
def test_bad_quantile_levels_name_the_key_before_any_work(levels):
    with pytest.raises(ConfigError, match=r"output\.quantiles = .*: expected at least one "
                                          r"level, each in \[0, 1\], in increasing order"):
        plan_from_config(tiny_cfg(f"output.quantiles={levels}"))


@pytest.mark.parametrize(("override", "message"), [
    ("runner.cpus_per_task=0", r"runner\.cpus_per_task = 0: expected a number in \[1,"),
    ("runner.max_retries=-1", r"runner\.max_retries = -1: expected a number in \[0,"),
    ("runner.num_cpus=0", r"runner\.num_cpus = 0: expected a number in \[1,"),
])
def test_bad_runner_numbers_name_the_key_before_any_work(tmp_path, override, message):
    with pytest.raises(ConfigError, match=message):
        runner.run_sweep(tiny_cfg(override), tmp_path, progress=False)
    assert not (tmp_path / "cube.zarr").exists()


@pytest.fixture(scope="module")
def busso_run(tmp_path_factory):
    """The tiny sweep again with Busso's fitness-fatigue model: same squad, seed, draws."""
    out = tmp_path_factory.mktemp("busso")
    runner.run_sweep(tiny_cfg("model.fitness_fatigue=busso"), out, progress=False)
    return out


def test_twin_compare_gives_the_difference_and_its_error_from_the_two_cubes(
        tiny_run, busso_run, tmp_path, capsys):
    """Differences against a direct computation from the two stores: the squad mean of
    (B - A); the paired error of the draw-by-draw differences, sd(d) / sqrt(N) (times
    sqrt(pi/2) for medians), where both stores hold each draw's outcome, and the
    independent sqrt(sA^2 + sB^2) for the pooled incidences; with one seed both models
    see the same injuries, so the injury risk differs by exactly 0 +- 0, where treating
    the runs as independent would say +- 0.14; a run compared with itself differs by
    exactly 0 (issue 21)."""
    from twin import compare as cmp
    from twin.apps import compare as app

    a, b = twin.open_cube(tiny_run[0] / "cube.zarr"), twin.open_cube(busso_run / "cube.zarr")
    res = cmp.compare([a, b], ["banister", "busso"])
    sa, sb = a["summary"].to_dataset().load(), b["summary"].to_dataset().load()
    da, db = (t["summary"]["draws"].to_dataset().load() for t in (a, b))
    n = sa.attrs["draws"]
    assert da.sizes["draw"] == n == 8
    diff = res.difference.isel(run=0)

    def same(got, want):
        np.testing.assert_allclose(got, want.transpose(*got.dims), rtol=1e-12, atol=1e-15)

    same(diff["days_lost"], sb["days_lost"] - sa["days_lost"])
    d = db["days_lost"] - da["days_lost"]
    same(diff["days_lost_se"], d.std("draw", ddof=1) / np.sqrt(n))
    assert diff["days_lost_se"].attrs["method"] == "paired"
    d = db["match_performance"] - da["match_performance"]  # no NaN: every draw played
    same(diff["match_performance"], sb["match_performance"].sel(quantile=0.5)
         - sa["match_performance"].sel(quantile=0.5))
    same(diff["match_performance_se"], np.sqrt(np.pi / 2) * d.std("draw", ddof=1)
         / np.sqrt(n))
    pa, pb = sa["injury_risk"], sb["injury_risk"]
    assert float(np.abs(diff["injury_risk"]).max()) == 0  # the same injuries in both
    assert float(res.squad["injury_risk_se"].max()) == 0
    independent = np.sqrt(pa * (1 - pa) / n + pb * (1 - pb) / n)
    assert float(independent.max()) > 0.1  # what an unpaired error would claim
    same(diff["incidence_se"], np.sqrt(sa["incidence_se"] ** 2 + sb["incidence_se"] ** 2))
    assert diff["incidence_se"].attrs["method"] == "independent"
    se = diff["match_performance_se"]
    same(res.squad["match_performance_se"].isel(run=0),
         np.sqrt((se ** 2).sum("athlete")) / 3)
    assert float(res.squad["worst_misalignment_se"].max()) == 0  # draw-free: exact
    assert res.labels[1] == "busso (model.fitness_fatigue=busso)"
    same = cmp.compare([a, a])
    for name in cmp.SUMMARY:
        d = same.difference[name].values
        assert np.all((d == 0) | np.isnan(d)), name
    # the command line: a table, the CSV with one row per athlete and point, the figure
    assert app.main([str(tiny_run[0]), str(busso_run), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "(model.fitness_fatigue=busso) minus baseline" in printed
    rows = (tmp_path / "compare.csv").read_text().splitlines()
    assert len(rows) == 1 + 3 * 3 * 4 and (tmp_path / "compare.png").stat().st_size > 0
    page = (tmp_path / "report.html").read_text()
    table = page[page.index('id="compare0"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 1 + 12 and "minus baseline" in page  # header + 12 points
    multirun = tmp_path / "multirun"  # a multirun directory: its jobs in job order
    for job, run in (("1", busso_run), ("0", tiny_run[0])):
        (multirun / job).mkdir(parents=True)
        (multirun / job / "cube.zarr").symlink_to(run / "cube.zarr")
    assert app.runs_of(multirun) == [multirun / "0" / "cube.zarr", multirun / "1" / "cube.zarr"]


def test_twin_compare_refuses_unfair_runs_saying_why(tiny_run, tmp_path, capsys):
    """Other seeds, other squads and paths without a run are refused in one line."""
    from twin import compare as cmp
    from twin.apps import compare as app

    a = twin.open_cube(tiny_run[0] / "cube.zarr")
    other_seed = a.copy()
    other_seed.attrs["seed"] = 7
    with pytest.raises(cmp.UnfairComparison, match=r"different seed \(0 vs 7\): their "
                                                   r"Monte-Carlo draws differ"):
        cmp.compare([a, other_seed], ["a", "b"])
    heavier = a.copy()
    heavier.attrs["config"] = a.attrs["config"].replace("body_mass_kg: 72.0",
                                                        "body_mass_kg: 90.0", 1)
    assert heavier.attrs["config"] != a.attrs["config"]
    with pytest.raises(cmp.UnfairComparison, match=r"different squads \(athletes\.athletes"
                                                   r"\[0\]\.body_mass_kg: 72\.0 vs 90\.0\)"):
        cmp.compare([a, heavier], ["a", "b"])
    assert app.main([str(tiny_run[0]), str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("twin-compare: ") and "holds no finished run" in err
    assert len(err.splitlines()) == 1


def _figures(monkeypatch, tiny_run, tiny_plan, *overrides):
    """make_plots of the tiny run for ``overrides`` (plots.*): {file name: figure}, the
    figures kept, not written."""
    from types import SimpleNamespace

    from twin import plots as twin_plots

    got = {}
    monkeypatch.setattr(twin_plots, "save", lambda fig, path: got.setdefault(path.name, fig))
    result = SimpleNamespace(store=tiny_run[0] / "cube.zarr", plan=tiny_plan)
    cli.make_plots(result, tiny_run[0], tiny_cfg(*overrides).plots)
    return got


def test_plots_athletes_and_point_pick_what_the_figures_show(monkeypatch, tiny_run, tiny_plan):
    import matplotlib.pyplot as plt

    figs = _figures(monkeypatch, tiny_run, tiny_plan, "plots.athletes=[m03,m02]",
                    "plots.point={itinerary: east_6, training_volume: 0.8}")
    try:
        assert sorted(figs) == ["fan_m02.png", "fan_m03.png", "heatmap.png", "jetlag_m02.png",
                                "jetlag_m03.png", "season_m02.png", "season_m03.png"]
        title = figs["season_m03.png"].axes[0].get_title()
        assert title == "athlete m03: season at training_volume=0.8, itinerary=east_6"
        jetlag = figs["jetlag_m02.png"].axes[0].get_title()
        assert jetlag.startswith("athlete m02 at training_volume=0.8, itinerary=east_6:")
        assert "london->east_6 day 38, east_6->london day 48" in jetlag
        assert "of the 12 scenario points" in str(
            [t.get_text() for t in figs["fan_m02.png"].axes[0].get_legend().get_texts()])
    finally:
        plt.close("all")
    with pytest.raises(ConfigError, match=r"^plots\.athletes: 'p99' is not in the squad; "
                                          r"expected public ids .*\(m01, m02, m03\)$"):
        cli.plot_choice(tiny_cfg("plots.athletes=[p99]").plots, ["m01", "m02", "m03"],
                        tiny_plan.sweep)
    with pytest.raises(ConfigError, match=r"plots\.point\.training_volume = 1\.1: not on the "
                                          r"sweep's axis; expected one of \[0\.8, 1\.0, 1\.2\]"):
        cli.plot_choice(tiny_cfg("plots.point.training_volume=1.1").plots, ["m01"],
                        tiny_plan.sweep)
    with pytest.raises(ConfigError, match=r"plots\.point\.match_load = 1\.0: not an axis"):
        cli.plot_choice(tiny_cfg("plots.point.match_load=1.0").plots, ["m01"], tiny_plan.sweep)


def test_the_heatmap_slices_a_third_axis_and_says_so():
    """Never a silent mean over a third sweep axis: the slice is named in the title."""
    import matplotlib.pyplot as plt

    from twin import plots

    values = np.arange(2 * 3 * 2 * 4, dtype=float).reshape(2, 3, 2, 4)
    summary = xr.Dataset(
        {"match_performance": (("athlete", "training_volume", "match_load", "itinerary"),
                               values, {"units": "%", "long_name": "match-day performance"})},
        coords={"training_volume": [0.8, 1.0, 1.2], "match_load": [0.8, 1.2],
                "itinerary": ["home", "east_3", "east_6", "east_9"]})
    fig = plots.heatmap(summary, "match_performance", "training_volume", "itinerary",
                        at={"match_load": 1})
    try:
        ax = fig.axes[0]
        assert ax.get_title().endswith("; sliced at match_load=1.2")
        # squad mean at match_load=1.2, not the mean over match load
        want = values[:, :, 1, :].mean(0).T
        np.testing.assert_array_equal(ax.collections[0].get_array().reshape(4, 3), want)
        assert ax.get_xlabel() == "training volume (x the planned load)"
    finally:
        plt.close(fig)


def test_jetlag_shows_the_trip_its_itinerary_adds_not_the_seasons_tour():
    """With a tour in the season (intercontinental_tour), every itinerary holds the tour's
    legs; east_6's chart is about the east_6 trip."""
    from types import SimpleNamespace as NS

    from twin.plots import trip_legs

    def leg(a, b, h):
        return NS(origin=a, destination=b, depart_h=h, arrive_h=h + 12)

    tour = (leg("london", "tokyo", 300.0), leg("tokyo", "london", 700.0))
    trip = (leg("london", "east_6", 4500.0), leg("east_6", "london", 4750.0))
    home, east = NS(name="home", legs=tour), NS(name="east_6", legs=tour + trip)
    plan = NS(days=NS(itineraries=[east, home]))
    assert trip_legs(plan, 0) == trip and trip_legs(plan, 1) == tour


def test_twin_run_imports_no_solver_or_plotting_library():
    """What only fitting, plan optimisation and figures need is imported on use (issue 20:
    scipy.optimize was 0.16-0.4 s of every run's start; matplotlib 0.4 s, through the
    sensitivity app that twin-run imports to check its keys): importing twin-run's modules
    brings in none of it."""
    code = ("import sys, twin.apps.run, twin.apps.sensitivity, twin.runners.local, twin.report; "
            "print(sorted(m for m in ('scipy.optimize', 'scipy.stats', 'matplotlib', 'jax') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
