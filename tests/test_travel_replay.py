"""Replaying a travel plan (issue 17): ``travel_plan.csv`` (:mod:`twin.travel.plan_file`)
and ``twin-run scenario.travel_plan=...`` (:func:`twin.model.clock.clock_features`
``travel``).

The squad is ``mini_squad`` (three athletes) on the first 45 days of
``intercontinental_tour`` (London to Tokyo on 14 July, the Tokyo friendly on 18 July at
19:30 local), one sweep point, 4 draws.
"""

import copy
import csv
import dataclasses
import sys

import numpy as np
import pytest

import scenarios as sc
import twin
from scenarios import ConfigError
from twin import engine
from twin.apps.from_config import plan_from_config
from twin.engine.planning import _itinerary_kickoffs
from twin.travel import Action, TravelPlan
from twin.travel.plan_file import COLUMNS, plan_digest, read_travel_plan, write_travel_plan

SMALL = ["athletes=mini_squad", "scenario=intercontinental_tour", "draws=4", "runner=local",
         "scenario.days=45", "scenario.rest_days=[]", "sweep.axes.training_volume=[1.0]",
         "sweep.axes.itinerary=[home]"]
TOKYO = ("tokyo", "Asia/Tokyo")
DEPART_LONDON_H = 13 * 24 + 18.0  # 2026-07-14T19:00 BST, season hours (UTC)
ARRIVE_TOKYO_H = 14 * 24 + 6.5  # 2026-07-15T15:30 JST
TOKYO_KICKOFF_H = 17 * 24 + 10.5  # 2026-07-18T19:30 JST
TOKYO_DAY = 17  # the friendly's date, days from the season's start


@pytest.fixture(scope="module")
def cfg():
    return twin.compose(*SMALL)


@pytest.fixture(scope="module")
def base(cfg):
    """The tour without a plan."""
    return plan_from_config(cfg)


def habitual_sleep(p, athletes, window) -> list[Action]:
    """Each athlete's habitual sleep in ``window`` as plan actions: the clock's runs in
    bed with the lights out (``dark``), on board (``flight``) or not (``bed``)."""
    itin = p.days.itineraries[0]
    clock = sc.compile_clock(p.season, itin, p.squad.bed_h, p.squad.wake_h,
                             kickoff_h=_itinerary_kickoffs(p.days)[0])
    t = clock.t_h
    inside = (t >= window[0] - 1e-6) & (t < window[1] - 1e-6)
    out = []
    for a in athletes:
        on = clock.dark[a] & inside
        i = 0
        while i < t.size:
            if not on[i]:
                i += 1
                continue
            j = i
            while j < t.size and on[j] and clock.in_flight[j] == clock.in_flight[i]:
                j += 1
            venue = itin.venues[clock.venue[i]]
            out.append(Action(p.public_ids[a], float(t[i]), (j - i) * clock.dt_h, "sleep",
                              "flight" if clock.in_flight[i] else "bed", venue.name,
                              venue.tz))
            i = j
    return out


def morning_light(athlete: str, wake_h: float, days=(15, 16, 17)) -> list[Action]:
    """A light box for 3 h from the habitual wake time (Tokyo time) on the given dates
    (days from the season's start; Tokyo is UTC+9)."""
    return [Action(athlete, d * 24 + wake_h - 9.0, 3.0, "seek_light", "light_box", *TOKYO)
            for d in days]


def _sample_plan(ids) -> TravelPlan:
    window = (DEPART_LONDON_H, TOKYO_KICKOFF_H)
    return TravelPlan("twin", window, (
        Action(ids[1], 16 * 24 - 2.0, 3.0, "seek_light", "light_box", *TOKYO),
        Action(ids[0], 15 * 24 + 2.0, 0.625, "seek_light", "daylight", *TOKYO),
        Action(ids[0], DEPART_LONDON_H + 2.0, 8.5, "sleep", "flight", "london",
               "Europe/London"),
        Action(ids[0], 15 * 24 + 5.123456, 37.5 / 60, "avoid_light", "glasses", *TOKYO),
        Action(ids[0], 14 * 24 + 14.0, 8.0, "sleep", "bed", *TOKYO),
    ))


def test_a_plan_round_trips_through_its_csv(tmp_path, base):
    ids = ("=m01", *base.public_ids[1:])  # a formula-like id comes back as it was
    plan = _sample_plan(ids)
    path = write_travel_plan(tmp_path / "travel_plan.csv", plan, base.season.start)
    assert [p.name for p in tmp_path.iterdir()] == ["travel_plan.csv"]  # no temporary left
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0])[:len(COLUMNS)] == COLUMNS
    assert [r["athlete"] for r in rows] == ["'=m01"] * 4 + [ids[1]]  # safe_cell, sorted
    assert rows[0]["local_start"] == "2026-07-14T21:00:00+01:00"  # BST on the flight
    assert rows[0]["utc_start"] == "2026-07-14T20:00:00Z" and rows[0]["duration_min"] == "510"
    assert rows[4]["local_start"] == "2026-07-17T07:00:00+09:00"
    assert rows[3]["duration_min"] == "37.5"
    assert {(r["window_start_utc"], r["window_end_utc"]) for r in rows} == {
        ("2026-07-14T18:00:00Z", "2026-07-18T10:30:00Z")}
    got = read_travel_plan(path, ids, base.season)
    want = sorted(plan.actions, key=lambda a: (a.athlete, a.start_h))
    assert got.strategy == plan.strategy
    np.testing.assert_allclose(got.window_h, plan.window_h, rtol=0, atol=1e-9)
    assert len(got.actions) == len(want)
    for g, w in zip(got.actions, want, strict=True):
        assert g._replace(start_h=0.0, duration_h=0.0) == w._replace(start_h=0.0,
                                                                      duration_h=0.0)
        assert abs(g.start_h - w.start_h) < 1e-9 and abs(g.duration_h - w.duration_h) < 1e-9
    assert plan_digest(got) == plan_digest(read_travel_plan(path, ids, base.season))


def _local(utc_text: str, tz: str) -> str:
    import datetime as dt
    import zoneinfo

    when = dt.datetime.fromisoformat(utc_text)
    return when.astimezone(zoneinfo.ZoneInfo(tz)).isoformat(timespec="seconds")


#: (column, new value of the second data row (CSV line 3), what the message says). The
#: second row is m01's 2026-07-15T14:00Z bed, 8 h in Tokyo; the window is 14 July 18:00Z
#: to 18 July 10:30Z; the season 1 July to 14 August.
BAD_CELLS = [
    ("athlete", "nobody", "'nobody' is not in the squad"),
    ("action", "nap", "'nap': expected one of seek_light, avoid_light, sleep"),
    ("source", "candle", "'candle': expected for sleep one of bed, flight"),
    ("source", "light_box", "'light_box': expected for sleep one of bed, flight"),
    ("time_zone", "Mars/Olympus_Mons", "'Mars/Olympus_Mons': expected an IANA time zone"),
    ("time_zone", "", "'': expected an IANA time zone"),
    ("utc_start", "yesterday", "'yesterday': expected an ISO 8601 date-time in UTC"),
    ("utc_start", "2026-07-15T23:00:00+09:00", "expected an ISO 8601 date-time in UTC"),
    ("local_start", "2026-07-15T23:00:00", "expected an ISO 8601 local date-time with"),
    ("local_start", "2026-07-16T00:00:00+09:00",
     "is not utc_start 2026-07-15T14:00:00Z in Asia/Tokyo; expected "
     "2026-07-15T23:00:00+09:00"),
    ("local_start", "2026-07-15T15:00:00+01:00", "is not utc_start"),  # the instant, BST
    ("duration_min", "0", "'0': expected minutes in (0, 1440]"),
    ("duration_min", "-30", "'-30': expected minutes in (0, 1440]"),
    ("duration_min", "1441", "'1441': expected minutes in (0, 1440]"),
    ("duration_min", "eight hours", "'eight hours': expected minutes in (0, 1440]"),
    ("window_start_utc", "soon", "'soon': expected an ISO 8601 date-time in UTC"),
    ("window_end_utc", "2026-07-10T00:00:00Z",
     "expected a window end after its start 2026-07-14T18:00:00Z"),
    ("window_start_utc", "2026-07-14T12:00:00Z",
     "expected the window of the first row, 2026-07-14T18:00:00Z to 2026-07-18T10:30:00Z"),
    ("strategy", "rule", "'rule': expected the strategy of the first row, 'twin'"),
    ("utc_start", "2026-07-18T06:00:00Z",  # 8 h from 06:00Z: past the window's end
     "outside the plan's window (2026-07-14T18:00:00Z to 2026-07-18T10:30:00Z)"),
    ("utc_start", "2026-09-01T14:00:00Z", "is outside the season (2026-06-30T23:00:00Z to "
     "2026-08-14T23:00:00Z)"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS,
                         ids=[f"{c}={v or 'empty'}" for c, v, _ in BAD_CELLS])
def test_a_bad_cell_is_one_line_naming_file_row_and_column(tmp_path, base, column, value,
                                                            message):
    path = write_travel_plan(tmp_path / "travel_plan.csv", _sample_plan(base.public_ids),
                             base.season.start)
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[1]["utc_start"] == "2026-07-15T14:00:00Z"  # the row the table speaks of
    rows[1][column] = value
    if column == "utc_start" and value.endswith("Z"):  # keep local_start consistent
        rows[1]["local_start"] = _local(value, rows[1]["time_zone"])
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ConfigError) as err:
        read_travel_plan(path, base.public_ids, base.season)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(f"{path}, row 3, column {column}: "), text
    assert message in text, text


def test_a_missing_file_or_column_is_one_line(tmp_path, base):
    with pytest.raises(ConfigError, match=r"^scenario\.travel_plan = '.*nowhere\.csv': no "
                                          r"such file$"):
        read_travel_plan(tmp_path / "nowhere.csv", base.public_ids, base.season)
    path = tmp_path / "travel_plan.csv"
    path.write_text("athlete,local_start,time_zone,place,action,source,utc_start,"
                    "window_start_utc,window_end_utc\n")
    with pytest.raises(ConfigError, match=r"missing column\(s\) \['duration_min'\]") as err:
        read_travel_plan(path, base.public_ids, base.season)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)
    path.write_text(",".join(COLUMNS) + "\n")  # no action: a plan that changes nothing
    assert read_travel_plan(path, base.public_ids, base.season).actions == ()


CLOCK_FIELDS = ("body_clock", "misalignment", "sleep_obtained", "sleep_debt",
                "sleep_impairment")


def _replayed(cfg, tmp_path, plan: TravelPlan, base):
    path = write_travel_plan(tmp_path / "travel_plan.csv", plan, base.season.start)
    replay_cfg = copy.deepcopy(cfg)
    replay_cfg.scenario.travel_plan = str(path)
    return plan_from_config(replay_cfg)


def test_replaying_the_habitual_sleep_changes_nothing(cfg, base, tmp_path):
    """The athletes' own sleep in a window from London to the Tokyo kickoff (the night
    flight's sleep on board included) as a plan: the cube is the plan-free one, bit for
    bit (apply_plan recomposes the clock's own inputs)."""
    window = (DEPART_LONDON_H, TOKYO_KICKOFF_H)
    actions = habitual_sleep(base, range(base.squad.size), window)
    assert {a.source for a in actions} == {"bed", "flight"}
    replay = _replayed(cfg, tmp_path, TravelPlan("habitual", window, tuple(actions)), base)
    assert replay.travel_plan is not None and len(replay.travel_plan.actions) == len(actions)
    for name in CLOCK_FIELDS:
        np.testing.assert_array_equal(getattr(replay, name), getattr(base, name), name)
    got = engine.run_chunk(replay, slice(None), slice(None))
    want = engine.run_chunk(base, slice(None), slice(None))
    for name, value in want.items():
        np.testing.assert_array_equal(got[name], value, name)


def test_morning_light_in_tokyo_advances_that_athletes_clock_only(cfg, base, tmp_path):
    """m01 (habitually 23:00 to 07:00) lands in Tokyo 8 h east of London: the body clock
    lags local time (misalignment about -4 h at the kickoff). A light box from 07:00 to
    10:00 Tokyo time on the three mornings after landing (with the habitual sleep)
    advances it: |misalignment| at the kickoff shrinks. The others, without actions, are
    unchanged bit for bit, and so is m01 before the window."""
    window = (ARRIVE_TOKYO_H, TOKYO_KICKOFF_H)
    wake = float(base.squad.wake_h[0])
    actions = habitual_sleep(base, [0], window) + morning_light(base.public_ids[0], wake)
    replay = _replayed(cfg, tmp_path, TravelPlan("test", window, tuple(actions)), base)
    before = base.misalignment[0, 0, TOKYO_DAY]
    after = replay.misalignment[0, 0, TOKYO_DAY]
    assert before < -3.0  # lagging, as the 8 h eastward trip leaves it
    assert abs(after) < abs(before) - 0.2  # 0.48 h closer to Tokyo time here
    assert after > before  # advanced, not wrapped round
    for name in CLOCK_FIELDS:
        np.testing.assert_array_equal(getattr(replay, name)[1:], getattr(base, name)[1:],
                                      name)
        np.testing.assert_array_equal(getattr(replay, name)[0, :, :14],
                                      getattr(base, name)[0, :, :14], name)
    got = engine.run_chunk(replay, slice(1, None), slice(None))
    want = engine.run_chunk(base, slice(1, None), slice(None))
    for name, value in want.items():
        np.testing.assert_array_equal(got[name], value, name)
    # figures recompute one athlete's grid: the plan applies there too
    grid = replay.clock_grid(0, 0)
    k = grid.steps(TOKYO_KICKOFF_H)
    assert abs(grid.misalignment_grid()[0, 0, k]) < abs(
        base.clock_grid(0, 0).misalignment_grid()[0, 0, k]) - 0.2


def test_the_plan_keys_resume_and_is_recorded(base):
    """Two plans in the same file name are not the same run: the plan's digest is part of
    the store's hash, and the cube's attributes name it; no plan, no attribute."""
    from twin.store.cube import _attrs

    plan = _sample_plan(base.public_ids)
    other = dataclasses.replace(plan, actions=plan.actions[1:])
    plain = _attrs(base, "config", "cmd")
    with_plan = _attrs(dataclasses.replace(base, travel_plan=plan), "config", "cmd")
    with_other = _attrs(dataclasses.replace(base, travel_plan=other), "config", "cmd")
    assert "twin_travel_plan" not in plain
    assert with_plan["twin_travel_plan"] == (f"twin: 5 actions for 2 athletes, sha256 "
                                             f"{plan_digest(plan)}")
    hashes = {a["twin_config_hash"] for a in (plain, with_plan, with_other)}
    assert len(hashes) == 3


def _run_main(args, tmp_path, monkeypatch, capsys):
    from twin.apps.run import main

    monkeypatch.setattr(sys, "argv", ["run", *args, f"hydra.run.dir={tmp_path}"])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    return code, capsys.readouterr()


def test_twin_run_replays_a_travel_plan(cfg, base, tmp_path, monkeypatch, capsys):
    import xarray as xr

    window = (ARRIVE_TOKYO_H, TOKYO_KICKOFF_H)
    actions = habitual_sleep(base, [0], window) + morning_light(base.public_ids[0], 7.0)
    path = write_travel_plan(tmp_path / "travel_plan.csv",
                             TravelPlan("test", window, tuple(actions)), base.season.start)
    out = tmp_path / "run"
    code, cap = _run_main([*SMALL, "output.plots=false", f"scenario.travel_plan={path}"],
                          out, monkeypatch, capsys)
    assert code == 0, cap.err
    cube = xr.open_zarr(out / "cube.zarr")
    assert cube.attrs["twin_travel_plan"].startswith("test: 6 actions for 1 athletes")
    bad = tmp_path / "nowhere.csv"
    code, cap = _run_main([*SMALL, "output.plots=false", f"scenario.travel_plan={bad}"],
                          tmp_path / "bad", monkeypatch, capsys)
    lines = [line for line in cap.err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, cap.err
    assert lines[0] == f"twin-run: scenario.travel_plan = '{bad}': no such file"
