"""A travel plan as one iCalendar file (RFC 5545) per athlete, for the staff's calendars.

:func:`write_calendars` writes ``travel_plan_<public id>.ics`` for each athlete of a
:class:`~twin.travel.schedule.TravelPlan`: one ``VEVENT`` per action, its ``DTSTART`` and
``DTEND`` in the local time of where the athlete will be (``TZID`` = the action's ``tz``,
with the ``VTIMEZONE`` components it needs), a ``SUMMARY`` in staff's words
(:data:`SUMMARIES`), a ``DESCRIPTION`` with the duration and the reason in one sentence,
and the venue as ``LOCATION``. Nothing in a file identifies the athlete beyond the public
id (already the governed, possibly pseudonymised, id) in its name, ``X-WR-CALNAME`` and
``UID`` seed. The files are reproducible: ``UID`` is a hash of the athlete, the action and
its start; ``DTSTAMP`` is the plan window's start, never the wall clock; the same plan
gives the same bytes. Each file is written under a temporary name and moved into place.

:func:`read_calendar` parses one back (times as aware datetimes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import numpy as np

from twin.travel.schedule import TravelPlan

PRODID = "-//athlete digital twin//twin-travel (issue 17)//EN"

#: What an event says, by (action, source).
SUMMARIES = {
    ("seek_light", "daylight"): "Seek bright light outdoors",
    ("seek_light", "light_box"): "Light box",
    ("avoid_light", "glasses"): "Avoid bright light (dark glasses)",
    ("sleep", "bed"): "Sleep",
    ("sleep", "flight"): "Sleep on board",
}

#: Why, in one sentence (no personal data), by (action, source).
_WHY = {
    ("seek_light", "daylight"): "bright daylight at this time moves the body clock "
                                "towards local time",
    ("seek_light", "light_box"): "a light box at the eye at this time moves the body clock "
                                 "towards local time",
    ("avoid_light", "glasses"): "dark glasses keep bright light at this time from pushing "
                                "the body clock the wrong way",
    ("sleep", "bed"): "sleeping in the dark at this time fits the shifted body clock and "
                      "banks sleep before the kickoffs",
    ("sleep", "flight"): "sleeping on board with an eye mask at this time keeps the flight "
                         "dark at the body clock's night",
}

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _minutes(hours: float) -> int:
    return round(float(hours) * 60.0)


def _utc(season_start: np.datetime64, hours: float) -> dt.datetime:
    """Season hours (UTC) as an aware UTC datetime, to the minute (the clock grid's 0.1-h
    steps are whole minutes; rounding drops float noise such as 5.1 h = 5 h 5.99999 min)."""
    day0 = np.datetime64(season_start, "m").astype("datetime64[m]")
    minutes = day0 + np.timedelta64(_minutes(hours), "m")
    return minutes.astype(dt.datetime).replace(tzinfo=dt.UTC)


def event_uid(athlete: str, action: str, source: str, start_h: float) -> str:
    """The deterministic ``UID`` of an action: a hash of the athlete (public id), what and
    how, and the start (season hours, to the minute)."""
    seed = f"{athlete}|{action}|{source}|{_minutes(start_h)}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32] + "@twin-travel"


def _duration(hours: float) -> str:
    minutes = _minutes(hours)
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if m else f"{h} h"


def calendar_of(plan: TravelPlan, athlete: str, season_start: np.datetime64
                ) -> icalendar.Calendar:
    """One athlete's calendar (module docstring); empty, with its name, where the plan has
    no action for them."""
    if not _SAFE_ID.fullmatch(athlete):
        raise ValueError(f"athlete public id {athlete!r}: expected letters, digits, '.', "
                         "'_' or '-' (it names the file)")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Travel plan {athlete}")
    stamp = _utc(season_start, plan.window_h[0])
    actions = sorted(plan.of(athlete), key=lambda a: (a.start_h, a.action, a.source))
    for a in actions:
        key = (a.action, a.source)
        if key not in SUMMARIES:
            raise ValueError(f"athlete {athlete} action at {a.start_h} h: {key} is not one "
                             f"of {sorted(SUMMARIES)}")
        if a.duration_h <= 0:
            raise ValueError(f"athlete {athlete} {a.action} at {a.start_h} h: duration "
                             f"{a.duration_h} h, expected > 0")
        tz = ZoneInfo(a.tz)
        start = _utc(season_start, a.start_h).astimezone(tz)
        end = _utc(season_start, a.start_h + a.duration_h).astimezone(tz)
        ev = icalendar.Event()
        ev.add("uid", event_uid(athlete, a.action, a.source, a.start_h))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", SUMMARIES[key])
        ev.add("description", f"{_duration(a.duration_h)} ({plan.strategy} plan): "
                              f"{_WHY[key]}.")
        ev.add("location", a.place)
        cal.add_component(ev)
    if actions:
        first = _utc(season_start, min(a.start_h for a in actions)).date()
        last = _utc(season_start, max(a.start_h + a.duration_h for a in actions)).date()
        # whole calendar years: the zones' rules (daylight saving included) hold for any
        # event staff move within the tour's year, and the bytes depend on dates only
        cal.add_missing_timezones(dt.date(first.year, 1, 1), dt.date(last.year + 1, 1, 1))
    return cal


def write_calendars(out_dir, plan: TravelPlan, season_start: np.datetime64, *,
                    athletes=None) -> dict[str, Path]:
    """Write ``travel_plan_<public id>.ics`` under ``out_dir`` (created if missing) for
    each athlete of ``plan`` (``athletes``: these public ids instead, an empty calendar for
    any without actions). ``season_start``: the date of season hour 0 (00:00 UTC).
    Returns the paths by public id."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for athlete in plan.athletes if athletes is None else tuple(athletes):
        data = calendar_of(plan, athlete, season_start).to_ical()
        path = out / f"travel_plan_{athlete}.ics"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        paths[athlete] = path
    return paths


def read_calendar(path) -> list[dict]:
    """The events of a calendar file, in file order: ``start`` and ``end`` (aware
    datetimes in the event's zone), ``summary``, ``description``, ``location``, ``uid``."""
    cal = icalendar.Calendar.from_ical(Path(path).read_bytes())
    return [{"start": ev.start, "end": ev.end, "summary": str(ev.get("summary", "")),
             "description": str(ev.get("description", "")),
             "location": str(ev.get("location", "")), "uid": str(ev.get("uid", ""))}
            for ev in cal.walk("VEVENT")]
