"""Bad inputs, table-driven (issue 22): each through a real entry point, in process.

Every case gives a one-line message naming the key, field or argument, and nothing that
looks complete is written:

- CLI cases run the tool's own ``main`` (Hydra and all) with the case's overrides: exit
  status 2 and ``<tool>: <message>`` on one line of stderr, for a bad value and for what
  Hydra refuses while composing (an unknown key, a value of the wrong type, an override
  it cannot parse); never a traceback, never a finished cube or squad file.
- API cases call a public function: ``ValueError`` whose message names the argument.

A new case is one line in a table.
"""

import os
import sys

import numpy as np
import pytest

from tests.test_twin import TINY

QUICK = [*TINY, "output.plots=false", "runner=local"]

#: (overrides, message): twin-scenario (compiles the scenario, no simulation).
SCENARIO = [
    (["scenario.days=0"], "scenario.days = 0"),
    (["scenario.days=-5"], "scenario.days = -5"),
    (["scenario.start=2026-13-01"], "scenario.start = '2026-13-01'"),
    (["scenario.start=yesterday"], "scenario.start = 'yesterday'"),
    (["scenario.dt_h=0"], "scenario.dt_h = 0"),
    (["scenario.dt_h=5"], "scenario.dt_h = 5"),
    (["scenario.cabin_lux=-1"], "scenario.cabin_lux = -1"),
    (["scenario.week.0.duration_min=-10"], "scenario.week[0].duration_min = -10"),
    (["scenario.week.0.duration_min=5000"], "scenario.week[0].duration_min = 5000"),
    (["scenario.week.0.rpe=11"], "scenario.week[0].rpe = 11"),
    (["scenario.week.0.rpe=-1"], "scenario.week[0].rpe = -1"),
    (["scenario.week.0.running.sprint_m=-3"], "scenario.week[0].running.sprint_m = -3"),
    (["scenario.week.0.start=25:00"], "scenario.week[0].start = '25:00'"),
    (["scenario.week.0.load_au=1e12"], "scenario.week[0].load_au = 1000000000000.0"),
    (["scenario.week.0.running.walk_jog_m=1e9"],
     "scenario.week[0].running.walk_jog_m = 1000000000.0"),
    (["scenario.match.running.sprint_m=1e9"], "scenario.match.running.sprint_m = 1000000000.0"),
    (["scenario.week.0.start='23:30'"], "scenario.week[0].start = '23:30'"),  # ends after 24
    (["scenario.weekly_volume=[1,-1]"], "scenario.weekly_volume"),
    (["scenario.fixtures.per_week=-1"], "scenario.fixtures.per_week = -1"),
    (["scenario.fixtures.per_week=9"], "scenario.fixtures.per_week = 9"),
    (["scenario.fixtures.kickoff=25:00"], "scenario.fixtures.kickoff = '25:00'"),
    (["scenario.fixtures.minutes=-90"], "scenario.fixtures.minutes = -90"),
    (["scenario.fixtures.demand=-1"], "scenario.fixtures.demand = -1"),
    (["scenario.fixtures.demand=1e9"], "scenario.fixtures.demand = 1000000000.0"),
    (["scenario.fixtures.first=2030-01-01"], "scenario.fixtures.first"),
    (["scenario.match.length_min=0"], "scenario.match.length_min = 0"),
    (["scenario.match.rpe=12"], "scenario.match.rpe = 12"),
    (["scenario.rest_days=[2026-02-30]"], "scenario.rest_days[0] = '2026-02-30'"),
    (["scenario.recovery_policy=sleep_in"], "scenario.recovery_policy = 'sleep_in'"),
    (["scenario.shift_trip.stay_days=-2"], "scenario.shift_trip.stay_days = -2"),
    (["scenario.shift_trip.depart=soon"], "scenario.shift_trip.depart = 'soon'"),
    (["scenario.itinerary=[nowhere]"], "scenario.itinerary[0] = 'nowhere'"),
    (["scenario.shift_trip.flight_base_h=-1"], "scenario.shift_trip.flight_base_h = -1"),
    (["scenario.recovery.none.longhaul_zones=30"], "scenario.recovery.none.longhaul_zones"),
    (["athletes.home=atlantis"], "athletes.home = 'atlantis'"),
    (["athletes.athletes.0.body_mass_kg=-70"], "athletes.athletes[0].body_mass_kg = -70"),
    (["athletes.athletes.0.body_mass_kg=700"], "athletes.athletes[0].body_mass_kg = 700"),
    (["athletes.athletes.0.leg_length_m=3"], "athletes.athletes[0].leg_length_m = 3"),
    (["athletes.athletes.1.id=m01"], "athletes.athletes[1].id = 'm01'"),
    (["athletes.athletes.0.sleep.bed=31:00"], "athletes.athletes[0].sleep.bed = '31:00'"),
    (["athletes.athletes.0.sleep.need_h=2"], "athletes.athletes[0].sleep.need_h = 2"),
    (["athletes.athletes.0.minutes_share=1.5"], "athletes.athletes[0].minutes_share = 1.5: "
                                                "expected a share of each match's"),
    (["athletes.athletes.0.age_years=80"], "athletes.athletes[0].age_years = 80.0: expected"),
    (["athletes.athletes=[]"], "athletes.athletes"),
    (["sweep.axes.training_volume=[1,-2]"], "sweep.axes.training_volume[1] = -2"),
    (["sweep.axes.training_volume=[1e6]"], "sweep.axes.training_volume[0] = 1000000.0"),
    (["sweep.axes.match_load=[nan]"], "sweep.axes.match_load[0] = nan"),
    (["sweep.axes.itinerary=[mars_9]"], "sweep.axes.itinerary[0] = 'mars_9'"),
    (["sweep.axes.itinerary=[east_30]"], "sweep.axes.itinerary = 'east_30'"),
    (["sweep.axes.recovery=[sleep_in]"], "sweep.axes.recovery[0] = 'sleep_in'"),
    (["sweep.axes.fixture_density=[-1]"], "sweep.axes.fixture_density[0] = -1"),
    (["sweep.n=0", "sweep.mode=lhs"], "sweep.n = 0"),
    (["+drawz=5"], "drawz: not a key of TwinConfig"),
    (["+sweep.axes.temperature=[1,2]"], "temperature"),
]

#: (overrides, message): twin-run, checked before any simulation.
RUN = [
    (["draws=0"], "draws = 0"),
    (["draws=1000000"], "draws = 1000000"),
    (["seed=-1"], "seed = -1"),
    (["output.quantiles=[1.5]"], "output.quantiles = [1.5]"),
    (["output.quantiles=[]"], "output.quantiles = []"),
    (["output.quantiles=[0.5,0.1]"], "output.quantiles = [0.5, 0.1]"),
    (["runner.cpus_per_task=0"], "runner.cpus_per_task = 0"),
    (["runner.max_retries=-1"], "runner.max_retries = -1"),
    (["runner.chunk_athletes=-3"], "runner.chunk_athletes = -3"),
    (["runner.chunk_points=-1"], "runner.chunk_points = -1"),
    (["runner.num_cpus=0"], "runner.num_cpus = 0"),
    (["model.hazard.rate_match=5"], "model.hazard.rate_match = 5.0"),
    (["model.hazard.rate_training=-1"], "model.hazard.rate_training = -1.0"),
    (["model.hazard.rr_congestion=0.5"], "model.hazard.rr_congestion = 0.5"),
    (["model.hazard.beta_acwr=50"], "model.hazard.beta_acwr = 50.0"),
    (["model.hazard.return_days=1000"], "model.hazard.return_days = 1000.0"),
    (["model.risk_factors.hr_previous_injury=9"], "model.risk_factors.hr_previous_injury = 9.0"),
    (["model.risk_factors.previous_injury_share=2"],
     "model.risk_factors.previous_injury_share = 2.0"),
    (["athletes.parameters=/nonexistent/squad.nc"], "athletes.parameters = '/nonexistent"),
    (["athletes.athletes.0.jurisdiction=Mars"], "athletes.athletes[0].jurisdiction"),
    (["scenario.load_plan=/nonexistent/plan.csv"], "scenario.load_plan"),
]

#: (overrides, message): twin-plan's own keys.
PLAN = [
    (["plan.athletes=[nobody]"], "plan.athletes: 'nobody' is not in the squad"),
    (["plan.days=14"], "plan.key_matches: the window holds no match"),
    (["plan.days=0"], "plan.days"),
    (["plan.taper_fraction=5"], "plan.taper_fraction = 5"),
    (["plan.taper_fraction=-1"], "plan.taper_fraction = -1"),
    (["plan.taper_days=-3"], "plan.taper_days = -3"),
    (["plan.load_max=1e9"], "plan.load_max = 1000000000.0"),
    (["plan.draws=1000000"], "plan.draws = 1000000"),
    (["plan.start=2030-01-01"], "plan.start"),
    (["plan.load_min=500", "plan.load_max=100"], "plan.load_min = 500"),
    (["plan.risk_budget=1e-9"], "plan.risk_budget"),
    (["plan.acwr_band=[1.45,1.5]"], "plan.acwr_band = [1.45, 1.5]"),
    (["plan.key_matches=[2026-08-02]"], "plan.key_matches"),
]

#: (overrides, message): what Hydra itself refuses while composing, with athlete 0 (m01,
#: Lee Harper) under the EU policy: one line naming the key, no raw id or name of m01 (a
#: value holding one is '<redacted>'); athlete 1 (m02, Ana Reyes) is under the open policy.
HYDRA = [
    (["scenario.fixtures.per_wek=2"], "scenario.fixtures.per_wek: Key 'per_wek' not in "
     "'FixturesConf'; expected one of ['demand', 'first', 'kickoff', 'last', 'minutes'"),
    (["sweep.mode=random"], "sweep.mode: Invalid value 'random', expected one of [grid, lhs"),
    (["draws=many"], "draws: Value 'many' of type 'str' could not be converted to Integer"),
    (["model.fitness_fatigue=perpot"], "model.fitness_fatigue: Invalid value 'perpot'"),
    (["runner=kubernetes"], "runner: In 'config': Could not find 'runner/kubernetes'; "
     "expected one of ['auto', 'local', 'ray']"),
    (["scenario.week.0.day=funday"], "scenario.week[0].day: Invalid value 'funday'"),
    (["athletes.ids=[m01,m02]"], "athletes.ids: Key 'ids' not in 'SquadConf'; expected one "
     "of ['athletes', 'home', 'name', 'parameters']"),
    (["athletes.notes='Lee Harper'"], "athletes.notes: Key 'notes' not in 'SquadConf'"),
    (["athletes.athletes.0.id=[m01]"],
     "athletes.athletes[0].id: Cannot convert 'list' to string: '<redacted>'"),
    (["athletes.athletes.0.name=[Lee Harper]"],
     "athletes.athletes[0].name: Cannot convert 'list' to string: '<redacted>'"),
    (["athletes.athletes.0.body_mass_kg=m01"], "athletes.athletes[0].body_mass_kg: Value "
     "'<redacted>' of type 'str' could not be converted to Float"),
    (["seed='Lee Harper'"], "seed: Value '<redacted>' of type 'str' could not be converted"),
    (["sweep.mode=m01"], "sweep.mode: Invalid value '<redacted>', expected one of [grid"),
    (["athletes.ids=[m01"], "athletes.ids: the override cannot be parsed: "),
    (["athletes.athletes.0.id=[m01"], "athletes.athletes.0.id: the override cannot be parsed"),
    (["+draws=3"], "draws: Could not append to config. An item is already at 'draws'"),
    (["~nothere"], "nothere: Could not delete from config. 'nothere' does not exist"),
    # The open policy's athlete is named: only pseudonymised identifiers are withheld.
    (["athletes.athletes.1.name=[Ana Reyes]"], "Cannot convert 'list' to string: "
     "'['Ana Reyes']'"),
]


#: (table, data row (1-based), column, value, message): one cell of a valid squad's files
#: made bad, through twin-calibrate (files of tests.test_calibration_data).
CALIBRATE = [
    ("athletes", 1, "body_mass_kg", -70, "row 1 (CSV line 2), column 'body_mass_kg'"),
    ("athletes", 2, "athlete_id", "rider0-secret-id", "column 'athlete_id'"),
    ("athletes", 1, "jurisdiction", "Mars", "column 'jurisdiction'"),
    ("daily", 3, "load", -5, "row 3 (CSV line 4), column 'load'"),
    ("daily", 4, "date", "2026-02-30", "row 4 (CSV line 5), column 'date'"),
    ("daily", 2, "load_kind", "vibes", "column 'load_kind'"),
    ("daily", 5, "sleep_onset", "25:61", "column 'sleep_onset'"),
    ("daily", 6, "free_day", "perhaps", "column 'free_day'"),
    ("tests", 1, "unit", "kW", "column 'unit'"),
    ("tests", 2, "value", "fast", "column 'value'"),
    ("bests", 1, "power_w", -300, "column 'power_w'"),
    ("bests", 2, "duration_s", 0, "column 'duration_s'"),
    # Plausible ranges (calibration.schema, each with its source), ids, dates to today.
    ("athletes", 1, "athlete_id", "a/b", "column 'athlete_id': expected an id of letters"),
    ("athletes", 1, "athlete_id", 'a"b', "column 'athlete_id': expected an id of letters"),
    ("athletes", 1, "body_mass_kg", 700, "column 'body_mass_kg': 700.0: expected a value <= 200"),
    ("athletes", 1, "date_of_birth", "2090-01-01", "column 'date_of_birth': '<withheld>': "
     "expected a date from 1900-01-01 to today"),
    ("athletes", 2, "date_of_birth", "1800-01-01", "row 2 (CSV line 3), column 'date_of_birth'"),
    ("daily", 3, "load", 1e9, "column 'load': 1000000000.0: expected a day's BikeScore load "
     "<= 2400"),
    ("daily", 165, "date", "2090-01-01", "row 165 (CSV line 166), column 'date': '2090-01-01': "
     "expected a date from 1900-01-01 to today"),
    ("daily", 3, "athlete_id", "ghost", "column 'athlete_id': an athlete not in the athletes"),
    ("daily", 3, "training_min", 5000, "column 'training_min': 5000.0: expected a value <= 1440"),
    ("daily", 3, "match_min", "ninety", "column 'match_min': 'ninety': expected a number"),
    ("daily", 3, "distance_band_1_m", 1e9, "column 'distance_band_1_m': 1000000000.0: expected "
     "a value <= 1.08e+06"),
    ("daily", 3, "sleep_offset", "7h", "column 'sleep_offset': '7h': expected a clock time"),
    ("tests", 1, "value", 1e6, "column 'value': 1000000.0: a power_5min test is expected in"),
    ("tests", 1, "value", -5, "column 'value': -5.0: a power_5min test is expected in"),
    ("tests", 1, "date", "2090-01-01", "column 'date': '2090-01-01': expected a date from"),
    ("tests", 1, "athlete_id", "ghost", "column 'athlete_id': an athlete not in the athletes"),
    ("tests", 1, "kind", "vo2max", "column 'kind': 'vo2max': unknown test kind"),
    ("bests", 1, "power_w", 1e6, "column 'power_w': 1000000.0: expected a value <= 3000"),
    ("bests", 1, "duration_s", 1e9, "column 'duration_s': 1000000000.0: expected a value <="),
    ("bests", 1, "power_w", "x", "column 'power_w': 'x': expected a number"),
    ("bests", 1, "date", "2090-01-01", "column 'date': '2090-01-01': expected a date from"),
    ("bests", 2, "duration_s", 160, "row 2 (CSV line 3), column 'duration_s': a second best"),
]

#: (table, what is done to the whole file, message): twin-calibrate as above.
CALIBRATE_TABLES = [
    ("athletes", "header only", "no data rows; expected at least one row per athlete"),
    ("tests", "header only", "no data rows; expected at least one row per athlete"),
    ("daily", "header only", "column 'athlete_id': no daily rows for athlete 'anon-"),
    ("tests", "zero bytes", "cannot be read (No columns to parse from file)"),
    ("daily", "drop load", "column 'load': missing required column of 'daily'"),
    ("bests", "drop power_w", "column 'power_w': missing required column of 'bests'"),
    ("athletes", "repeat row 1", "row 3 (CSV line 4), column 'athlete_id': the athlete of row 1"),
    ("daily", "repeat row 1", "row 331 (CSV line 332), column 'date': duplicate date"),
    ("tests", "repeat row 1", "row 19 (CSV line 20), column 'date': second power_5min test"),
]

_INJ = "athlete_id,date,injury_type,days_lost,context\n"
_EXP = "athlete_id,date,training_min,match_min\n"
#: (table, file text, message): an optional table added to the squad's files.
CALIBRATE_EXTRA = [
    ("injuries", _INJ + "rider0-secret-id,2004-02-10,muscle,1000000,training\n",
     "row 1 (CSV line 2), column 'days_lost': 1000000: expected a value <= 730"),
    ("injuries", _INJ + "rider0-secret-id,2090-02-10,muscle,5,training\n",
     "row 1 (CSV line 2), column 'date': '2090-02-10'"),
    ("exposure", _EXP + "rider0-secret-id,2004-02-10,5000,0\n",
     "row 1 (CSV line 2), column 'training_min': 5000.0: expected a value <= 1440"),
    ("travel", "athlete_id,date,from_venue,to_venue\nghost,2004-02-01,london,tokyo\n",
     "row 1 (CSV line 2), column 'athlete_id': an athlete not in the athletes table"),
]


def _run_main(module: str, args, tmp_path, monkeypatch, capsys):
    import importlib

    main = importlib.import_module(f"twin.apps.{module}").main
    monkeypatch.setattr(sys, "argv", [module, *args, f"hydra.run.dir={tmp_path}"])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    return exit_.value.code, err


def _check_cli(module, args, message, tmp_path, monkeypatch, capsys, status=2):
    code, err = _run_main(module, args, tmp_path, monkeypatch, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == status, err
    assert "Traceback" not in err, err
    assert message in err, err
    if status == 2:
        assert len(lines) == 1 and lines[0].startswith(f"twin-{module}: "), err
    assert not (tmp_path / "cube.zarr").exists() and not (tmp_path / "cube.nc").exists()
    return err


@pytest.mark.parametrize(("args", "message"), SCENARIO)
def test_scenario_refuses(args, message, tmp_path, monkeypatch, capsys):
    _check_cli("scenario", [*QUICK, *args], message, tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize(("args", "message"), RUN)
def test_run_refuses(args, message, tmp_path, monkeypatch, capsys):
    _check_cli("run", [*QUICK, *args], message, tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize(("args", "message"), PLAN)
def test_plan_refuses(args, message, tmp_path, monkeypatch, capsys):
    _check_cli("plan", [*QUICK, "scenario.fixtures.first=2026-08-15", "plan.draws=2", *args],
               message, tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize(("args", "message"), HYDRA)
def test_hydra_refuses_while_composing(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    err = _check_cli("scenario", [*QUICK, "athletes.athletes.0.jurisdiction=EU", *args],
                     message, tmp_path, monkeypatch, capsys)
    for raw in ("m01", "Lee Harper", "a-secret"):
        assert raw not in err, err


def _calibrate_refuses(tmp_path, monkeypatch, capsys, table, message, change):
    import pandas as pd

    from tests.test_calibration_data import KEY, write_squad_inputs

    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", KEY)
    paths = write_squad_inputs(tmp_path)
    if table not in paths:
        paths[table] = str(tmp_path / f"{table}.csv")
        if table == "injuries":
            paths["exposure"] = str(tmp_path / "exposure.csv")
            (tmp_path / "exposure.csv").write_text(_EXP + "rider0-secret-id,2004-02-10,60,0\n")
        if table == "exposure":
            paths["injuries"] = str(tmp_path / "injuries.csv")
            (tmp_path / "injuries.csv").write_text(_INJ)
    change(pd, paths[table])
    out = tmp_path / "out"
    args = [*(f"inputs.{k}={v}" for k, v in paths.items()), f"output_dir={out}",
            "fit.n_draws=20", "fit.profiles=false", "fit.out_of_sample=false"]
    err = _check_cli("calibrate", args, message, tmp_path / "run", monkeypatch, capsys)
    assert f"file '{paths[table]}'" in err  # the file, its row and column
    assert not (out / "squad_calibration.nc").exists()
    # The squad is EU: no raw id, name or birth date on stderr (issue 22).
    for raw in ("rider0-secret-id", "rider1-secret-id", "Jane Q.", "1990-01-0", KEY):
        assert raw not in err, err


@pytest.mark.parametrize(("table", "row", "column", "value", "message"), CALIBRATE)
def test_calibrate_refuses(table, row, column, value, message, tmp_path, monkeypatch, capsys):
    def change(pd, path):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[row - 1, column] = str(value)
        frame.to_csv(path, index=False)

    _calibrate_refuses(tmp_path, monkeypatch, capsys, table, message, change)


@pytest.mark.parametrize(("table", "what", "message"), CALIBRATE_TABLES)
def test_calibrate_refuses_a_table(table, what, message, tmp_path, monkeypatch, capsys):
    def change(pd, path):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if what == "zero bytes":
            return open(path, "w").close()
        if what == "header only":
            frame = frame.iloc[0:0]
        elif what.startswith("drop "):
            frame = frame.drop(columns=[what[5:]])
        else:  # repeat row 1
            frame = pd.concat([frame, frame.iloc[:1]])
        frame.to_csv(path, index=False)

    _calibrate_refuses(tmp_path, monkeypatch, capsys, table, message, change)


@pytest.mark.parametrize(("table", "text", "message"), CALIBRATE_EXTRA)
def test_calibrate_refuses_an_optional_table(table, text, message, tmp_path, monkeypatch,
                                             capsys):
    _calibrate_refuses(tmp_path, monkeypatch, capsys, table, message,
                       lambda pd, path: open(path, "w").write(text))


def test_an_error_line_names_no_pseudonymised_athlete(tmp_path, monkeypatch, capsys):
    """An EU athlete's raw id and name never reach stderr (issue 22): the duplicate-id
    error about athlete 1 names athlete 0's id, which is replaced by its public id."""
    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    args = [*QUICK, "athletes.athletes.0.jurisdiction=EU", "athletes.athletes.1.id=m01"]
    err = _check_cli("run", args, "athletes.athletes[1].id = 'anon-", tmp_path, monkeypatch,
                     capsys)
    assert "m01" not in err and "a-secret" not in err


def _injury_logs(**changes):
    """A one-athlete exposure and injury log as frames (the API path, no file)."""
    import pandas as pd

    exposure = pd.DataFrame({"athlete_id": ["a1"] * 3, "date": ["2025-08-01", "2025-08-02",
                                                                 "2025-08-03"],
                             "training_min": [60.0, 0.0, 75.0], "match_min": [0.0, 90.0, 0.0]})
    injuries = pd.DataFrame({"athlete_id": ["a1"], "date": ["2025-08-02"],
                             "injury_type": ["muscle"], "days_lost": [12], "context": ["match"]})
    for key, value in changes.items():
        table, column = key.split("__")
        (exposure if table == "exposure" else injuries).loc[0, column] = value
    return exposure, injuries


def _api_cases():
    from calibration import fit_banister, fit_injury_model, kalman_filter
    from physiology.energetics import w_prime_balance
    from physiology.fitness_fatigue import banister
    from physiology.injury import InjuryType, injury_probability, simulate_injuries, uniforms
    from physiology.load import acwr, session_rpe
    from physiology.tissue import tissue_damage

    ones = np.ones(30)
    return [
        (lambda: injury_probability(training_h=-1.0), "training_h = -1.0"),
        (lambda: injury_probability(match_h=30.0), "match_h = 30.0"),
        (lambda: injury_probability(recovery_days=-2.0), "recovery_days = -2.0"),
        (lambda: injury_probability(damage=np.nan), "damage = nan"),
        (lambda: injury_probability(sleep_debt_h=-1.0), "sleep_debt_h = -1.0"),
        (lambda: simulate_injuries(np.array([[0.1, 1.5]]), seed=1), "probability[0, 1] = 1.5"),
        (lambda: simulate_injuries(np.full((1, 5), 0.1), seed=1, ramp_days=0.0), "ramp_days"),
        (lambda: InjuryType("x", -0.1, 5.0, 0.5, "t"), "share = -0.1"),
        (lambda: uniforms(1.5, np.arange(2), 3), "seed = 1.5"),
        (lambda: banister(np.array([1.0, np.nan])), "load"),
        (lambda: banister(-ones), "load"),
        (lambda: acwr(ones, 28, 7), "acute"),
        (lambda: session_rpe(11.0, 60.0), "rpe"),
        (lambda: tissue_damage(-ones), "dose"),
        (lambda: w_prime_balance(np.full(10, 300.0), cp=-250.0, w_prime=20000.0), "cp"),
        (lambda: fit_banister(ones, np.full(30, np.nan)), "performance"),
        (lambda: kalman_filter(ones, ones, None, obs_sd=-1.0), "obs_sd"),
        (lambda: fit_injury_model(*_injury_logs(injuries__days_lost=10**6)), "days_lost"),
        (lambda: fit_injury_model(*_injury_logs(injuries__date="2999-01-01")), "date"),
        (lambda: fit_injury_model(*_injury_logs(exposure__date="1850-01-01")), "date"),
    ]


N_API = len(_api_cases())


@pytest.mark.parametrize("case", range(N_API))
def test_api_refuses(case):
    call, message = _api_cases()[case]
    with pytest.raises(ValueError, match=None) as err:
        call()
    assert message in str(err.value) and "\n" not in str(err.value).strip(), str(err.value)


def test_there_are_at_least_100_cases():
    assert len(SCENARIO) + len(RUN) + len(PLAN) + len(HYDRA) + len(CALIBRATE) + N_API + len(
        CALIBRATE_TABLES) + len(CALIBRATE_EXTRA) >= 160


CLUB = """name: club
home: london
athletes:  # no jurisdiction: the schema's default, EU
  - {id: eu-7731-k, name: Marta Vogelsang, body_mass_kg: 64.0, leg_length_m: 0.88, sex: female}
  - {id: eu-7732-k, name: Olga Lindqvist, body_mass_kg: 70.0, leg_length_m: 0.91, sex: female}
"""


def _club_multirun(tmp_path, overrides, key):
    """twin-scenario -m on a club's own squad file (EU athletes), in a real process:
    ``(completed process, everything it printed and wrote)``."""
    import subprocess

    (tmp_path / "conf" / "athletes").mkdir(parents=True)
    (tmp_path / "conf" / "athletes" / "club.yaml").write_text(CLUB)
    sweep = tmp_path / "sweep"
    run = subprocess.run(
        [sys.executable, "-m", "twin.apps.scenario", "-m", "runner=local", "athletes=club",
         f"hydra.searchpath=[file://{tmp_path / 'conf'}]", f"hydra.sweep.dir={sweep}",
         *overrides],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "TWIN_PSEUDONYM_KEY": key})
    return run, run.stdout + run.stderr + "".join(
        p.read_text(errors="replace") for p in sweep.rglob("*") if p.is_file())


def test_hydra_never_echoes_a_raw_id_from_a_real_process(tmp_path):
    """A club's own squad file (EU athletes), a multirun whose second job's override
    holds a raw id, Hydra refusing it while composing (issue 22): one line on stderr
    naming the key, and no raw id or name on stderr, stdout or any file written."""
    run, text = _club_multirun(tmp_path, ["draws=2,eu-7731-k",
                                          "athletes.athletes.1.name=Olga Lindqvist"], "")
    assert run.returncode == 2, run.stderr
    assert run.stderr == ("twin-scenario: draws: Value '<redacted>' of type 'str' could not "
                          "be converted to Integer\n"), run.stderr
    for raw in ("eu-7731", "eu-7732", "Vogelsang", "Lindqvist"):
        assert raw not in text, (raw, text)


def test_hydras_launcher_lines_never_echo_a_raw_id_or_name(tmp_path):
    """Hydra's launcher prints each job's overrides on stdout ("#0 : ..."): a multirun that
    sweeps an EU athlete's name, one value of the squad file and one new, shows neither,
    nor the squad's raw ids, on stdout, stderr or in any file written."""
    run, text = _club_multirun(tmp_path, ["athletes.athletes.1.name=Olga Lindqvist,Anna Berg",
                                          "draws=2"], "test-key")
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("athletes.athletes.1.name=<redacted>") == 2, run.stdout
    for raw in ("eu-7731", "eu-7732", "Vogelsang", "Lindqvist", "Anna Berg", "Anna\\ Berg"):
        assert raw not in text, (raw, text)
