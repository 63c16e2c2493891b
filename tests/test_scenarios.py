"""Scenarios: compiled arrays against independent day-by-day and zoneinfo oracles."""

import datetime as dt
import zoneinfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from omegaconf import OmegaConf

import scenarios as sc
from scenarios.schema import ScenarioConf, SweepConf

WEEK = [  # two training days, one off feet
    {"day": "tue", "duration_min": 60, "rpe": 6, "running": {"walk_jog_m": 4000, "hsr_m": 300}},
    {"day": "tue", "kind": "gym", "duration_min": 40, "rpe": 5, "on_feet": False},
    {"day": "thu", "duration_min": 80, "load_au": 500, "load_kind": "trimp",
     "running": {"running_m": 900, "sprint_m": 100}},
    {"day": "sat", "duration_min": 30, "rpe": 3},
]


def scenario(**over):
    base = {"name": "t", "start": "2026-03-01", "days": 70, "week": WEEK,
            "fixtures": {"per_week": 1, "first": "2026-03-07"},
            "shift_trip": {"depart": "2026-03-20T10:00", "stay_days": 5}}
    cfg = OmegaConf.merge(OmegaConf.structured(ScenarioConf), base, over)
    return sc.build_season(cfg, home="london")


def sweep(season, **axes):
    cfg = OmegaConf.merge(OmegaConf.structured(SweepConf), {"axes": axes})
    return sc.build_sweep(cfg, season)


def oracle_loads(season_cfg_week, start, days, volume, match_days, match_load_au):
    """Session-RPE and TRIMP per day, summed session by session with datetime weekdays."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    srpe, trimp = np.zeros(days), np.zeros(days)
    for d in range(days):
        date = dt.date.fromisoformat(start) + dt.timedelta(days=d)
        if d in match_days:
            srpe[d] += match_load_au[match_days.index(d)]
            continue
        for s in season_cfg_week:
            if s["day"] == names[date.weekday()]:
                if "load_au" in s:
                    trimp[d] += volume * s["load_au"]
                else:
                    srpe[d] += volume * s["rpe"] * s["duration_min"]
    return srpe, trimp


@given(volume=st.floats(0.0, 2.0), match_load=st.floats(0.0, 2.0))
def test_compiled_load_is_what_template_and_multipliers_imply(volume, match_load):
    season = scenario()
    sw = sweep(season, training_volume=[volume], match_load=[match_load])
    days = sc.compile_days(season, sw)
    # Independent calendar: the fixture rule (1 a week from 7 March, Saturdays) by hand.
    first = dt.date(2026, 3, 7)
    match_days = [(first - dt.date(2026, 3, 1)).days + 7 * k for k in range(10)]
    standard = 8.0 * 90.0  # a standard match: RPE 8 over 90 min (MatchDefaultsConf)
    srpe, trimp = oracle_loads(WEEK, "2026-03-01", 70, volume,
                               match_days, [match_load * standard] * len(match_days))
    np.testing.assert_array_equal(np.flatnonzero(days.match[0]), match_days)
    # 1e-9 relative: the same sums in a different order.
    np.testing.assert_allclose(days.load[0, :, sc.LOAD_KINDS.index("srpe")], srpe, rtol=1e-9)
    np.testing.assert_allclose(days.load[0, :, sc.LOAD_KINDS.index("trimp")], trimp,
                               rtol=1e-9)
    # Minutes stop at the match length; minutes x intensity carries the multiplier.
    on = days.match[0]
    np.testing.assert_allclose(days.match_minutes[0, on], min(90.0 * match_load, 90.0))
    np.testing.assert_allclose((days.match_minutes * days.match_intensity)[0, on],
                               90.0 * match_load, rtol=1e-12)
    # Running: Bradley et al. 2009 per 90 min (m) times the multiplier.
    np.testing.assert_allclose(days.running_m[0, on].sum(axis=1),
                               match_load * (8222 + 1587 + 650 + 255), rtol=1e-9)


@given(rho=st.floats(0.0, 3.0))
def test_fixture_density_gives_that_many_matches_per_week(rho):
    season = scenario(days=140)
    days = sc.compile_days(season, sweep(season, fixture_density=[rho]))
    weeks = days.match[0, 6:6 + 133].reshape(19, 7).sum(axis=1)  # from 7 March
    # Over w whole weeks the count is floor(w rho) exactly (the cumulative rule).
    np.testing.assert_array_equal(np.cumsum(weeks), np.floor(np.arange(1, 20) * rho + 1e-9))


def test_rest_days_and_long_haul_recovery_remove_training():
    season = scenario(rest_days=["2026-03-03"],
                      recovery={"none": {}, "two": {"days_off_after_longhaul": 2}})
    days = sc.compile_days(season, sweep(season, itinerary=["east_6"], recovery=["none", "two"]))
    assert days.load[:, 2].sum() == 0  # 3 March, a Tuesday, is a rest day
    # Out at 10:00 UTC on 20 March, 1.5 + 6 x 1.25 = 9 h: lands 01:00 on 21 March at
    # UTC+6 (day 20), so days 21-22 are off; back 5 days later (19:00 UTC on 25 March,
    # lands 04:00 GMT on 26 March, day 25): days 26-27 off.
    extra = np.flatnonzero(days.rest[1] & ~days.rest[0])
    np.testing.assert_array_equal(extra, [21, 22, 26, 27])


def utc(tz, local):
    return local.replace(tzinfo=zoneinfo.ZoneInfo(tz)).utcoffset().total_seconds() / 3600


@pytest.mark.parametrize("date, change", [("2026-07-10", -5.0), ("2026-03-15", -4.0)])
def test_london_to_new_york_clock_change_is_dst_aware(date, change):
    """-5 h in July; -4 h between the US (8 March 2026) and UK (29 March) clock changes."""
    legs = [{"origin": "london", "destination": "new_york", "depart": f"{date}T10:00",
             "arrive": f"{date}T13:00"}]
    season = scenario(start="2026-03-01", days=200, trips={"ny": {"legs": legs}})
    itin = sc.resolve_itinerary(season, "ny")
    clock = sc.compile_clock(season, itin, [23.0], [7.0])
    before = clock.utc_offset_h[clock.t_h < itin.depart_h[0]][-1]
    after = clock.utc_offset_h[clock.t_h >= itin.arrive_h[0]][0]
    assert after - before == change
    assert itin.clock_changes(season)[0, 1] == change


@given(n=st.integers(1, 9), east=st.booleans(), day=st.integers(0, 40))
def test_a_shift_trip_moves_the_local_clock_by_n_hours(n, east, day):
    start = dt.date(2026, 3, 1) + dt.timedelta(days=day)  # spans both 2026 DST changes
    season = scenario(start=start.isoformat(), days=60,
                      shift_trip={"depart": f"{start + dt.timedelta(days=10)}T10:00",
                                  "stay_days": 5})
    name = f"{'east' if east else 'west'}_{n}"
    itin = sc.resolve_itinerary(season, name)
    clock = sc.compile_clock(season, itin, [23.0], [7.0])
    out = clock.utc_offset_h[clock.t_h < itin.depart_h[0]][-1]
    there = clock.utc_offset_h[(clock.t_h >= itin.arrive_h[0]) & (clock.t_h < itin.depart_h[1])]
    assert np.all(there - out == (n if east else -n))
    # Back home, London's own clock (zoneinfo), whatever DST did meanwhile.
    home = clock.utc_offset_h[clock.t_h >= itin.arrive_h[1]]
    t_back = season.start.astype("datetime64[s]") + np.round(
        clock.t_h[clock.t_h >= itin.arrive_h[1]] * 3600).astype("timedelta64[s]")
    expect = [utc("Europe/London", dt.datetime.fromisoformat(str(t)) + dt.timedelta(hours=1))
              for t in t_back[::240]]
    np.testing.assert_array_equal(home[::240], expect)


venue_names = st.sampled_from(sorted(sc.VENUES))


@given(stops=st.lists(venue_names, min_size=1, max_size=4), awake=st.lists(st.booleans(),
                                                                          min_size=5, max_size=5),
       hours=st.lists(st.integers(2, 16), min_size=5, max_size=5))
def test_athlete_is_always_somewhere_and_never_sleeps_on_an_awake_flight(stops, awake, hours):
    legs, here, t = [], "london", dt.datetime(2026, 4, 2, 9, 0)
    for i, dest in enumerate([*stops, "london"]):
        arrive_utc = t + dt.timedelta(hours=hours[i])
        offset = dt.timedelta(hours=utc(sc.VENUES[dest].tz, arrive_utc) -
                              utc(sc.VENUES[here].tz, t))
        legs.append({"origin": here, "destination": dest, "depart": t.isoformat()[:16],
                     "arrive": (arrive_utc + offset).isoformat()[:16], "awake": awake[i]})
        here, t = dest, arrive_utc + offset + dt.timedelta(days=3)
    season = scenario(start="2026-04-01", days=40, trips={"tour": {"legs": legs}})
    itin = sc.resolve_itinerary(season, "tour")
    clock = sc.compile_clock(season, itin, [22.0, 1.0], [6.0, 9.0])
    assert np.all((clock.venue >= 0) & (clock.venue < len(itin.venues)))
    assert np.isfinite(clock.utc_offset_h).all()
    for k, leg in enumerate(itin.legs):
        landed = (clock.t_h >= leg.arrive_h) & ((clock.t_h < itin.depart_h[k + 1])
                                                if k + 1 < len(itin.legs) else True)
        assert np.all(np.array(itin.venues)[clock.venue[landed]][:, 0] == leg.destination)
        flying = (clock.t_h >= leg.depart_h) & (clock.t_h < leg.arrive_h)
        assert np.all(clock.in_flight[flying])
        if leg.awake:
            assert not clock.sleep[:, flying].any()
    assert np.all(clock.light_lux[clock.dark] == 0.0) and not np.any(clock.dark & ~clock.sleep)


def test_sun_times_match_published_almanac_values():
    """London, 21 June 2026: sunrise 04:43, sunset 21:21 BST (HM Nautical Almanac Office
    times for London); 21 December: 08:04 and 15:54 GMT. 3 min tolerance: the NOAA series
    and the almanac differ by a minute or two at mid-latitudes."""
    london = sc.VENUES["london"]
    rise, sets = sc.sun_times(london.lat, london.lon,
                              np.array(["2026-06-21", "2026-12-21"], "datetime64[D]"),
                              np.array([1.0, 0.0]))
    np.testing.assert_allclose(rise, [4 + 43 / 60, 8 + 4 / 60], atol=3 / 60)
    np.testing.assert_allclose(sets, [21 + 21 / 60, 15 + 54 / 60], atol=3 / 60)


def test_sampled_sweeps_are_seeded_and_stay_in_bounds():
    season = scenario()
    cfg = OmegaConf.merge(OmegaConf.structured(SweepConf), {
        "mode": "lhs", "n": 50, "seed": 3,
        "axes": {"training_volume": {"start": 0.5, "stop": 1.5}, "itinerary": ["home", "east_3"]}})
    a, b = sc.build_sweep(cfg, season), sc.build_sweep(cfg, season)
    np.testing.assert_array_equal(a.points["training_volume"], b.points["training_volume"])
    v = a.points["training_volume"]
    assert v.min() >= 0.5 and v.max() <= 1.5
    # Latin hypercube: exactly one point in each of the 50 equal strata.
    np.testing.assert_array_equal(np.sort(((v - 0.5) * 50).astype(int)), np.arange(50))
    assert set(a.points["itinerary"]) == {"home", "east_3"}
    assert a.dims == ("scenario",) and a.shape == (50,)


def test_grid_points_are_in_c_order_over_the_axes():
    season = scenario()
    sw = sweep(season, training_volume={"start": 0.8, "stop": 1.2, "step": 0.2},
               itinerary=["home", "west_3"])
    assert sw.dims == ("training_volume", "itinerary") and sw.shape == (3, 2)
    np.testing.assert_allclose(sw.points["training_volume"], [0.8, 0.8, 1.0, 1.0, 1.2, 1.2])
    assert list(sw.points["itinerary"]) == ["home", "west_3"] * 3
    assert np.all(sw.points["match_load"] == 1.0)


BAD = [
    ({"matches": [{"date": "2026-03-10", "venue": "atlantis"}]},
     "scenario.matches[0].venue = 'atlantis': unknown venue"),
    ({"trips": {"x": {"legs": [{"origin": "london", "destination": "paris",
                                "depart": "2026-03-10T12:00", "arrive": "2026-03-10T10:00"}]}},
      "itinerary": ["x"]},
     "scenario.trips.x.legs[0].arrive = '2026-03-10T10:00': arrives before it departs"),
    ({"trips": {"x": {"legs": [{"origin": "paris", "destination": "london",
                                "depart": "2026-03-10T12:00", "arrive": "2026-03-10T13:00"}]}},
      "itinerary": ["x"]},
     "scenario.trips.x.legs[0].origin = 'paris': the athlete is in 'london' then"),
    ({"venues": {"camp": {"tz": "Mars/Olympus", "lat": 0, "lon": 0}}},
     "scenario.venues.camp.tz = 'Mars/Olympus': expected an IANA time-zone name"),
    ({"week": [{"day": "mon", "duration_min": -5, "rpe": 3}]},
     "scenario.week[0].duration_min = -5"),
    ({"start": "2026-13-01"}, "scenario.start = '2026-13-01': expected an ISO date"),
]


@pytest.mark.parametrize("over, message", BAD)
def test_bad_scenarios_name_the_key_and_value(over, message):
    with pytest.raises(sc.ConfigError) as err:
        cfg = OmegaConf.merge(OmegaConf.structured(ScenarioConf),
                              {"name": "t", "start": "2026-03-01", "days": 70}, over)
        season = sc.build_season(cfg, home="london")
        sc.resolve_itinerary(season, "home")
    assert message in str(err.value)


@pytest.mark.parametrize("axes, message", [
    ({"training_volume": [1.0, -0.5]}, "sweep.axes.training_volume[1] = -0.5: expected a "
                                       "multiplier in [0, 3]"),
    ({"match_load": {"start": -1, "stop": 1, "num": 3}}, "sweep.axes.match_load.start = -1"),
    ({"itinerary": ["home", "north_3"]}, "sweep.axes.itinerary[1] = 'north_3'"),
    ({"itinerary": ["east_13"]}, "sweep.axes.itinerary = 'east_13'"),
    ({"fixture_density": [4]}, "sweep.axes.fixture_density[0] = 4: expected matches per week"),
    ({"recovery": ["sleep_in"]}, "sweep.axes.recovery[0] = 'sleep_in'"),
])
def test_bad_sweeps_name_the_key_and_value(axes, message):
    season = scenario()
    with pytest.raises(sc.ConfigError) as err:
        days = sc.compile_days(season, sweep(season, **axes))
        assert days  # pragma: no cover
    assert message in str(err.value)


def test_sessions_follow_each_other_from_1030_and_only_on_feet_ones_are_outdoors():
    season = scenario()
    tue = sc.schema.Weekday.tue.value
    # the pitch session 10:30-11:30, then the gym (off feet: indoors) 11:30-12:10
    assert season.week_outdoor[tue] == ((10.5, 11.5),)
    assert season.week_outdoor[sc.schema.Weekday.thu.value] == ((10.5, 10.5 + 80 / 60),)
    later = scenario(week=[{"day": "mon", "duration_min": 60, "rpe": 5, "start": "16:00"},
                           {"day": "mon", "duration_min": 30, "rpe": 3, "outdoor": False}])
    assert later.week_outdoor[0] == ((16.0, 17.0),)


def test_light_and_sleep_opportunity_follow_the_sun_sessions_and_a_late_match():
    """London, March: the 10:30 Tuesday session is in daylight (thousands of lux at the
    eye), the same hour on Wednesday indoors (150 lux); a 20:45 home match is floodlit
    (at least 1 200 lux) and lights out is no earlier than 2 h after the final whistle;
    the habitual window is dark."""
    season = scenario(fixtures={"per_week": 0})
    home = sc.at_home(season)
    p = sc.ScheduleParams()
    day = 14  # Sunday 15 March 2026
    kick = 24.0 * day + 20.75  # UTC = London local in March before the clock change
    clock = sc.compile_clock(season, home, [23.0], [7.0], kickoff_h=[kick], schedule=p)
    local_day = np.floor((clock.t_h + clock.utc_offset_h) / 24.0)

    def at(d, hour):
        on = np.flatnonzero(local_day == d)  # the first step at or after the hour
        return int(on[np.flatnonzero(clock.local_hour[on] >= hour - 1e-9)[0]])

    tuesday = 9  # 10 March 2026
    assert clock.light_lux[0, at(tuesday, 11.0)] > 2000.0 and clock.outdoors[at(tuesday, 11.0)]
    assert clock.light_lux[0, at(tuesday + 1, 11.0)] == 150.0
    assert clock.light_lux[0, at(day, 21.5)] >= 1200.0
    whistle = 20.75 + season.match_length_min / 60 + p.match_extra_h
    assert not clock.sleep[0, at(day, 23.5)]
    assert clock.sleep[0, at(day + 1, (whistle + p.post_match_bed_h) % 24)]
    assert not clock.sleep[0, at(day + 1, (whistle + p.post_match_bed_h) % 24) - 1]
    assert clock.dark[0, at(tuesday, 3.0)] and clock.light_lux[0, at(tuesday, 3.0)] == 0.0


def test_solar_elevation_at_noon_and_sunrise():
    """London on the June solstice at solar noon: 90 - 51.5 + 23.44 degrees; at the NOAA
    sunrise the centre of the sun is 0.833 degrees below the horizon (refraction and
    radius), to 0.05 degrees."""
    london = sc.VENUES["london"]
    noon = sc.solar_elevation(london.lat, london.lon, np.datetime64("2027-06-21T12:02"))
    assert noon == pytest.approx(90 - london.lat + 23.44, abs=0.1)
    rise, _ = sc.sun_times(london.lat, london.lon, np.array(["2027-12-21"], "datetime64[D]"),
                           [0.0])
    t = np.datetime64("2027-12-21T00:00:00") + np.timedelta64(int(rise[0] * 3600), "s")
    assert sc.solar_elevation(london.lat, london.lon, t) == pytest.approx(-0.833, abs=0.05)


@given(st.lists(st.floats(-30.0, 500.0), max_size=12), st.floats(0.0, 3.0),
       st.floats(0.5, 3.0))
def test_match_windows_are_the_union_over_kickoffs(kicks, warmup_h, length_h):
    """The sorted-search windows equal the direct union over every kickoff (overlapping
    windows included): on the pitch, and hours since the last final whistle."""
    from scenarios._compile import _match_windows

    t = np.arange(-40, 5200) * 0.1
    kicks = np.sort(np.asarray(kicks, float))
    on, after = np.zeros(t.size, bool), np.full(t.size, np.inf)
    for k in kicks:
        on |= (t >= k - warmup_h) & (t < k + length_h)
        since = t - (k + length_h)
        after = np.where(since >= 0, np.minimum(after, since), after)
    got_on, got_after = _match_windows(t, kicks, warmup_h, length_h)
    np.testing.assert_array_equal(got_on, on)
    np.testing.assert_array_equal(got_after, after)
