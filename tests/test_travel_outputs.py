"""The travel copilot's outputs for staff: the iCalendar files and the travel chart
(twin.travel.calendar, twin.travel.chart), on a small hand-built plan: a London -> Tokyo
flight in the intercontinental tour's dates (depart 2026-07-14 19:00 BST, arrive
2026-07-15 15:30 JST), a light box at 05:00 Tokyo time, dark glasses, sleep in bed and on
board. The expected local times are written out by hand (London is UTC+1 in July, Tokyo
UTC+9), independently of the code's conversion."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
import pytest

from twin import plots
from twin.travel.calendar import SUMMARIES, read_calendar, write_calendars
from twin.travel.chart import ClockSeries, cbtmin_lines, cbtmin_local, travel_chart
from twin.travel.schedule import Action, TravelPlan

START = np.datetime64("2026-07-01")  # season hour 0 = 2026-07-01 00:00 UTC
LON, TYO = "Europe/London", "Asia/Tokyo"
A, B, EMPTY = "p-3fa2", "p-91c0", "p-0e7d"  # pseudonymised public ids


def h(day: int, hour_utc: float) -> float:
    """Season hours of ``day`` July 2026, ``hour_utc`` UTC."""
    return 24.0 * (day - 1) + hour_utc


DEPART, ARRIVE = h(14, 18.0), h(15, 6.5)  # 19:00 BST on 14 Jul, 15:30 JST on 15 Jul
KICKOFF = h(18, 10.5)  # 19:30 JST on 18 Jul
WINDOW = (h(12, 0.0), h(22, 0.0))

# (action, expected local start, local end) by hand
ACTIONS_A = [
    (Action(A, h(12, 21.0), 8.0, "sleep", "bed", "london", LON),
     dt.datetime(2026, 7, 12, 22, 0), dt.datetime(2026, 7, 13, 6, 0)),
    (Action(A, DEPART + 2.0, 10.0, "sleep", "flight", "london", LON),
     dt.datetime(2026, 7, 14, 21, 0), dt.datetime(2026, 7, 15, 7, 0)),
    (Action(A, h(15, 20.0), 1.0, "seek_light", "light_box", "national_stadium_tokyo", TYO),
     dt.datetime(2026, 7, 16, 5, 0), dt.datetime(2026, 7, 16, 6, 0)),
    (Action(A, h(16, 7.0), 2.5, "avoid_light", "glasses", "national_stadium_tokyo", TYO),
     dt.datetime(2026, 7, 16, 16, 0), dt.datetime(2026, 7, 16, 18, 30)),
    (Action(A, h(16, 14.1), 7.9, "sleep", "bed", "national_stadium_tokyo", TYO),
     dt.datetime(2026, 7, 16, 23, 6), dt.datetime(2026, 7, 17, 7, 0)),
    (Action(A, h(16, 23.0), 1.5, "seek_light", "daylight", "national_stadium_tokyo", TYO),
     dt.datetime(2026, 7, 17, 8, 0), dt.datetime(2026, 7, 17, 9, 30)),
]
ACTIONS_B = [
    (Action(B, DEPART + 3.0, 9.0, "sleep", "flight", "london", LON),
     dt.datetime(2026, 7, 14, 22, 0), dt.datetime(2026, 7, 15, 7, 0)),
    (Action(B, h(15, 21.0), 1.5, "seek_light", "light_box", "national_stadium_tokyo", TYO),
     dt.datetime(2026, 7, 16, 6, 0), dt.datetime(2026, 7, 16, 7, 30)),
]
PLAN = TravelPlan("twin", WINDOW, tuple(a for a, _, _ in ACTIONS_A + ACTIONS_B))

VEVENT_FIELDS = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION"}
CALENDAR_FIELDS = {"PRODID", "VERSION", "X-WR-CALNAME"}


def _events(path):
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_calendars_parse_back_in_local_time(tmp_path):
    paths = write_calendars(tmp_path, PLAN, START)
    assert set(paths) == {A, B}
    for who, expected in ((A, ACTIONS_A), (B, ACTIONS_B)):
        assert paths[who].name == f"travel_plan_{who}.ics"
        events = read_calendar(paths[who])
        assert len(events) == len(expected)
        for ev, (action, start, end) in zip(events, expected, strict=True):
            tz = ZoneInfo(action.tz)
            assert ev["start"] == start.replace(tzinfo=tz)
            assert ev["end"] == end.replace(tzinfo=tz)
            assert ev["start"].utcoffset() == start.replace(tzinfo=tz).utcoffset()
            assert ev["start"].tzinfo.key == action.tz  # a real zone, not a fixed offset
            assert ev["summary"] == SUMMARIES[(action.action, action.source)]
            assert ev["location"] == action.place
        raw = _events(paths[who])
        for ev, (action, _, _) in zip(raw, expected, strict=True):
            assert ev["DTSTART"].params["TZID"] == action.tz
            assert ev["DTEND"].params["TZID"] == action.tz
            assert ev.decoded("DTSTAMP") == dt.datetime(2026, 7, 12, tzinfo=dt.UTC)
        cal = icalendar.Calendar.from_ical(paths[who].read_bytes())
        assert cal["VERSION"] == "2.0" and cal["PRODID"]
        # (icalendar < 7.0.3 may add a needless VTIMEZONE for UTC, the DTSTAMP's: harmless)
        zones = {str(z["TZID"]) for z in cal.walk("VTIMEZONE")} - {"UTC"}
        assert zones == {a.tz for a, _, _ in expected}
    light_box = read_calendar(paths[A])[2]
    assert light_box["summary"] == "Light box"
    assert (light_box["start"].hour, light_box["start"].minute) == (5, 0)  # 05:00 in Tokyo
    assert "1 h" in light_box["description"]


def test_calendars_are_reproducible_and_uids_unique(tmp_path):
    first = write_calendars(tmp_path / "one", PLAN, START)
    again = write_calendars(tmp_path / "two", PLAN, START)
    same = write_calendars(tmp_path / "one", PLAN, START)  # over the old file, in place
    for who in (A, B):
        assert first[who].read_bytes() == again[who].read_bytes() == same[who].read_bytes()
    assert not list((tmp_path / "one").glob("*.tmp"))
    uids = [e["uid"] for who in (A, B) for e in read_calendar(first[who])]
    assert len(set(uids)) == len(uids) == len(PLAN.actions)
    # a plan in another order gives the same files
    shuffled = TravelPlan("twin", WINDOW, PLAN.actions[::-1])
    other = write_calendars(tmp_path / "three", shuffled, START)
    assert other[A].read_bytes() == first[A].read_bytes()


def test_calendar_holds_the_public_id_and_nothing_else(tmp_path):
    paths = write_calendars(tmp_path, PLAN, START)
    text_a = paths[A].read_text()
    cal = icalendar.Calendar.from_ical(paths[A].read_bytes())
    assert cal["X-WR-CALNAME"] == f"Travel plan {A}"
    assert A in paths[A].name and A in text_a
    assert B not in text_a and B not in paths[A].name
    assert set(cal.keys()) <= CALENDAR_FIELDS
    for comp in cal.subcomponents:
        if comp.name == "VEVENT":
            assert set(comp.keys()) <= VEVENT_FIELDS, set(comp.keys()) - VEVENT_FIELDS
            assert not comp.subcomponents  # no alarms, attendees or the like
        else:
            assert comp.name == "VTIMEZONE"
    for ev in read_calendar(paths[A]):
        # the description: duration and why, one sentence, at most the public id
        assert ev["description"].count(". ") == 0 and ev["description"].endswith(".")
    with pytest.raises(ValueError, match="public id"):
        write_calendars(tmp_path, TravelPlan("twin", WINDOW, (PLAN.actions[0]._replace(
            athlete="../jane doe"),)), START)


def test_athlete_without_actions_gets_an_empty_calendar(tmp_path):
    paths = write_calendars(tmp_path, PLAN, START, athletes=[A, EMPTY])
    assert set(paths) == {A, EMPTY}
    assert paths[EMPTY].name == f"travel_plan_{EMPTY}.ics"
    cal = icalendar.Calendar.from_ical(paths[EMPTY].read_bytes())
    assert cal.name == "VCALENDAR"
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert cal["X-WR-CALNAME"] == f"Travel plan {EMPTY}"
    assert read_calendar(paths[EMPTY]) == []
    assert paths[EMPTY].read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert paths[EMPTY].read_bytes().endswith(b"END:VCALENDAR\r\n")
    empty = write_calendars(tmp_path / "none", TravelPlan("none", WINDOW, ()), START,
                            athletes=[EMPTY])
    assert read_calendar(empty[EMPTY]) == []


RATES = {"none": 0.6, "rule": 1.2, "twin": 2.0}  # body-clock shift towards Tokyo, h/day


def _series(rate: float) -> ClockSeries:
    """A synthetic clock: entrained in London (CBTmin at 04:00 BST), then after arrival
    the body clock moves ``rate`` h a day towards Tokyo (8 h ahead) until it is there."""
    t = np.round(np.arange(WINDOW[0], WINDOW[1], 0.1), 6)
    off = np.where(t < ARRIVE, 1.0, 9.0)
    local = (t + off) % 24.0
    shift = np.clip((t - ARRIVE) / 24.0 * rate, 0.0, 8.0)
    body = (t + 1.0 + shift) % 24.0
    sun_up = (local >= 5.0) & (local < 19.0)
    return ClockSeries(t, local, body, sun_up, np.array([KICKOFF]))


def test_chart_renders_three_strategies(tmp_path):
    series = {k: _series(r) for k, r in RATES.items()}
    plans = {"none": TravelPlan("none", WINDOW, ()),
             "rule": TravelPlan("rule", WINDOW, PLAN.actions[:2]), "twin": PLAN}
    legs = [("london->tokyo", DEPART, ARRIVE)]
    fig = travel_chart(series, plans, A, legs, season_start=START)
    lines = cbtmin_lines(fig)
    assert set(lines) == set(RATES)
    ax = fig.axes[0]
    assert A in ax.get_title() and "twin strategy" in ax.get_title()
    assert "(h)" in ax.get_ylabel() and "local" in ax.get_xlabel()
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"light box", "sleep on board", "local night (sun down)", "kickoff",
            "flight"} <= labels
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.bbox.x1 - 1  # outside the data
    path = plots.save(fig, tmp_path / "travel.png")
    assert path.stat().st_size > 0 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # local times, by hand: CBTmin at 04:00 London before the flight; on arrival the
    # clock still reads London, so 04:00 body time is 12:00 in Tokyo, and the twin's
    # faster shift brings it back nearer 04:00 local than no plan by the window's end
    day, hour = cbtmin_local(series["twin"])
    # (day: days since 1 Jul, local)
    before = day <= 13  # up to 14 Jul, in London
    assert before.sum() == 3
    np.testing.assert_allclose(hour[before], 4.0, atol=1e-9)  # the grid steps on 03:00 UTC
    # first after arrival, on 16 Jul (day 15): the clock has moved s = r (T - ARRIVE - s)
    # / 24 since, T = 03:00 UTC on 16 Jul (04:00 London); body time is linear within a
    # step, so the interpolated crossing is exact to rounding
    rate, t4 = RATES["twin"], h(16, 3.0)
    shift = rate * (t4 - ARRIVE) / (24.0 + rate)
    np.testing.assert_allclose(hour[day == 15], [12.0 - shift], atol=1e-9)
    gap = {k: abs(cbtmin_local(s)[1][-1] - 4.0) for k, s in series.items()}
    assert gap["twin"] < gap["rule"] < gap["none"]


def test_chart_without_plan_actions_or_kickoffs():
    s = _series(1.0)._replace(kickoffs_h=np.array([]))
    fig = travel_chart({"none": s}, {"none": TravelPlan("none", WINDOW, ())}, EMPTY, [])
    assert set(cbtmin_lines(fig)) == {"none"}
    assert "day" in fig.axes[0].get_xlabel()
    plots.plt.close(fig)
