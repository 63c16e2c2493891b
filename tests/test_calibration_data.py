"""Athlete data, governance, the squad file and twin-calibrate end to end."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calibration import (
    DataError,
    DataPolicy,
    daily_series,
    example_athlete,
    load_policies,
    read_squad_calibration,
    read_table,
    squad_dataset,
    write_squad_calibration,
)
from twin import compose
from twin.apps.calibrate import run_calibration
from twin.apps.config import CONF_DIR

KEY = "test-key-never-written-9f3a"


def write_squad_inputs(folder, fmt="csv", n_athletes=2):
    """Athletes from the Clarke & Skiba cyclist's record (shifted copies), as files."""
    d = example_athlete()
    athletes, daily, tests, bests = [], [], [], []
    for i in range(n_athletes):
        aid, name = f"rider{i}-secret-id", f"Jane Q. Rider{i}"
        athletes.append({"athlete_id": aid, "jurisdiction": "EU", "name": name,
                         "date_of_birth": "1990-01-0" + str(i + 1), "body_mass_kg": 70.0})
        for k, date in enumerate(d["date"]):
            free = k % 7 in (5, 6)
            daily.append({"athlete_id": aid, "date": str(date), "load": d["load_au"][k],
                          "load_kind": "BikeScore", "sleep_onset": "00:30" if free else "23:00",
                          "sleep_offset": "09:00" if free else "07:00",
                          "free_day": str(free).lower()})
            if np.isfinite(d["test_power_w"][k]):
                tests.append({"athlete_id": aid, "date": str(date), "kind": "power_5min",
                              "value": d["test_power_w"][k] + i, "unit": "W"})
        for t, p in zip((160, 205, 260, 430, 685), (453, 430, 405, 375, 360), strict=True):
            bests.append({"athlete_id": aid, "duration_s": t, "power_w": p + i})
    paths = {}
    for table, rows in (("athletes", athletes), ("daily", daily), ("tests", tests),
                        ("bests", bests)):
        path = folder / f"{table}.{fmt}"
        frame = pd.DataFrame(rows)
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path)
        paths[table] = str(path)
    return paths


def compose_cfg(paths, out, **over):
    items = [f"inputs.{k}={v}" for k, v in paths.items()]
    items += [f"output_dir={out}", "fit.n_draws=20", "fit.profiles=false",
              "fit.out_of_sample=false", "fit.fixed.tau1=35.821", "fit.fixed.tau2=21.34"]
    items += [f"{k}={v}" for k, v in over.items()]
    return compose(*items, config_name="calibrate")


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", KEY)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_eu_cube_holds_no_raw_id_name_or_key(tmp_path, key_env, fmt):
    paths = write_squad_inputs(tmp_path, fmt)
    out = tmp_path / "out"
    squad, _ = run_calibration(compose_cfg(paths, out, reports="true"), out)
    ds = read_squad_calibration(squad)
    assert all(a.startswith("anon-") for a in ds.athlete.values)
    assert set(ds.policy.values) == {"eu_gdpr"} and ds.attrs["governance_policy"] == "eu_gdpr"
    for f in out.iterdir():  # the cube and every report
        blob = f.read_bytes()
        for secret in ("rider0-secret-id", "rider1-secret-id", "Jane Q.", "Rider0", KEY,
                       "1990-01-01"):
            assert secret.encode() not in blob, (f.name, secret)
    assert sorted(f.suffix for f in out.iterdir()) == [".html", ".nc", ".png", ".png"]
    # Layout the twin reads.
    assert ds["value"].dims == ("athlete", "draw", "parameter") and ds.sizes["draw"] == 20
    assert {"banister.tau1", "power_duration.cp", "power_duration.w_prime",
            "circadian.taux", "circadian.dlmo_h", "tissue.b"} <= set(ds.parameter.values)
    # Without an injury log no hazard.* parameter: the twin keeps the record's values
    # (tests/test_injury_fit.py has the squad fit).
    assert not any(p.startswith("hazard.") for p in ds.parameter.values)
    units = dict(zip(ds.parameter.values, ds.units.values, strict=True))
    assert units["banister.tau1"] == "d" and units["power_duration.w_prime"] == "J"
    for key in ("Conventions", "title", "source", "history"):
        assert ds.attrs[key]
    # DESIGN.md reference: CP 330.097 W, W' 19 857.15 J from these bests (athlete 0 has
    # them unshifted; which pseudonym is athlete 0 is not knowable without the key).
    cps = ds["point"].sel(parameter="power_duration.cp").values
    assert np.min(np.abs(cps - 330.097)) < 1e-3


def test_pseudonyms_are_stable_per_key(tmp_path, monkeypatch):
    pol = load_policies(CONF_DIR / "governance")["eu_gdpr"]
    a = pol.public_id("x", b"k1")
    assert a == pol.public_id("x", b"k1") and a != pol.public_id("x", b"k2")
    monkeypatch.delenv("TWIN_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ValueError, match="TWIN_PSEUDONYM_KEY"):
        pol.__class__(**{**pol.__dict__, "key_file": str(tmp_path / "none")}).key()


def test_unknown_jurisdiction_is_an_error_naming_the_row(tmp_path, key_env):
    paths = write_squad_inputs(tmp_path)
    frame = pd.read_csv(paths["athletes"])
    frame.loc[1, "jurisdiction"] = "Atlantis"
    frame.to_csv(paths["athletes"], index=False)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"row 2, column 'jurisdiction'.*Atlantis"):
        run_calibration(compose_cfg(paths, out), out)
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(("table", "edit", "row", "column"), [
    ("daily", lambda f: f.drop(columns="load"), None, "load"),
    ("daily", lambda f: f.assign(date=f["date"].where(f.index != 6, "2004-02-31")), 7,
     "date"),
    ("bests", lambda f: f.assign(duration_s=f["duration_s"].where(f.index != 2, -30)), 3,
     "duration_s"),
    ("tests", lambda f: f.assign(unit=f["unit"].where(f.index != 4, "kW")), 5, "unit"),
])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_bad_files_name_file_row_column_and_write_nothing(tmp_path, key_env, table, edit,
                                                          row, column, fmt):
    paths = write_squad_inputs(tmp_path, fmt)
    reader = pd.read_csv if fmt == "csv" else pd.read_parquet
    frame = edit(reader(paths[table]).astype(object))
    frame.to_csv(paths[table], index=False) if fmt == "csv" else frame.astype(str).to_parquet(
        paths[table])
    out = tmp_path / "out"
    with pytest.raises(DataError) as err:
        run_calibration(compose_cfg(paths, out), out)
    assert err.value.file == paths[table]
    assert err.value.row == row and err.value.column == column
    assert paths[table] in str(err.value) and repr(column) in str(err.value)
    assert not out.exists() or not any(out.iterdir())  # nothing partially written


def test_gap_and_duplicate_policies_are_explicit(tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text("athlete_id,date,load,load_kind\na,2024-01-01,100,TSS\n"
                    "a,2024-01-02,50,TSS\na,2024-01-04,80,TSS\na,2024-01-04,20,TSS\n")
    daily = read_table(path, "daily")
    tests = pd.DataFrame({"athlete_id": [], "date": [], "kind": [], "value": []})
    with pytest.raises(DataError, match=r"row 4 .*duplicate date 2024-01-04"):
        daily_series(daily, tests, "a", file=str(path))
    with pytest.raises(DataError, match="missing date"):
        daily_series(daily, tests, "a", policy=DataPolicy(duplicates="sum"))
    s = daily_series(daily, tests, "a", policy=DataPolicy(duplicates="sum", gaps="zero"))
    np.testing.assert_array_equal(s.load, [100, 50, 0, 100])
    assert len(s.notes) == 2  # both fixes reported, none silent
    with pytest.raises(ValueError, match=r"data.gaps='fill'"):
        DataPolicy(gaps="fill")


def test_squad_file_round_trip_and_atomic_write(tmp_path):
    ds = squad_dataset({"a": {"banister.tau1": (30.0, np.arange(3.0))},
                        "b": {"circadian.taux": (24.2, np.full(3, 24.1))}}, 3)
    path = write_squad_calibration(ds, tmp_path / "squad.nc")
    back = read_squad_calibration(path)
    np.testing.assert_array_equal(back["value"].values, ds["value"].values)
    assert np.isnan(back["point"].sel(athlete="a", parameter="circadian.taux"))
    assert list(tmp_path.iterdir()) == [path]  # no temporary left behind
    with pytest.raises(ValueError, match=r"'banister\.tau9'"):
        squad_dataset({"a": {"banister.tau9": (1.0, np.ones(3))}}, 3)
    bad = ds.assign_coords(units=("parameter", ["h", "h"]))
    with pytest.raises(ValueError, match=r"banister\.tau1.*units"):
        write_squad_calibration(bad, tmp_path / "bad.nc")
    assert not (tmp_path / "bad.nc").exists()


@given(st.lists(st.floats(0.5, 60.0), min_size=2, max_size=5))
def test_squad_file_round_trips_any_values(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("squad")
    n = len(values)
    ds = squad_dataset({"x": {"banister.tau2": (values[0], np.array(values))}}, n)
    back = read_squad_calibration(write_squad_calibration(ds, folder / "s.nc"))
    np.testing.assert_array_equal(back["value"].values[0, :, 0], values)


def test_the_public_surface_resolves_and_import_loads_no_jax():
    """Every name of ``calibration.__all__`` is the object of the submodule that defines
    it, and ``import calibration`` alone imports neither JAX nor statsmodels (the names
    are loaded on first use), so twin-run on Numba does not pay for them."""
    import importlib
    import subprocess
    import sys

    import calibration

    assert sorted(calibration._SUBMODULES) == sorted(calibration.__all__)
    for name in calibration.__all__:
        module = importlib.import_module(calibration._SUBMODULES[name])
        assert getattr(calibration, name) is getattr(module, name), name
    assert set(calibration.__all__) <= set(dir(calibration))
    with pytest.raises(AttributeError, match="no attribute 'fit_everything'"):
        calibration.fit_everything  # noqa: B018
    code = ("import sys, calibration, twin.apps.run; "
            "print(sorted(m for m in ('jax', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
