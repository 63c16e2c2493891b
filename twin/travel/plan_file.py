"""A travel plan as a CSV (``travel_plan.csv``): written by ``twin-travel``, read back by
``twin-run scenario.travel_plan=...`` (the replay, :func:`twin.model.clock.clock_features`
``travel``).

One row per action, sorted by athlete then start; columns:

- ``athlete``: the public id (as the cube shows it);
- ``local_start``: the start as a local date-time with its UTC offset in ``time_zone``
  (ISO 8601, ``2026-07-15T06:00:00+09:00``; minute precision is enough: ``utc_start``
  is the instant the replay uses, and the two must agree);
- ``time_zone`` (IANA, ``Asia/Tokyo``), ``place`` (the venue's name);
- ``action`` (``seek_light``, ``avoid_light``, ``sleep``) and ``source``
  (:data:`twin.travel.SOURCES`: ``daylight`` or ``light_box``; ``glasses``; ``bed`` or
  ``flight``);
- ``duration_min``: minutes, more than 0 and at most 24 h;
- ``utc_start``: the start in UTC (ISO 8601 with ``Z``);
- ``window_start_utc``, ``window_end_utc``: the plan's window, the same on every row
  (inside it the planned sleep replaces the habitual window);
- ``strategy``: the strategy that made the plan (``twin``, ``rule``, ``none``), the same
  on every row (optional when read; ``file`` if absent).

Text cells are written through :func:`twin.prescribe.load_plan.safe_cell` (a leading
formula character is quoted, as ``plan.csv`` does) and read back without the quote. Every
problem of a file read is one line (:class:`scenarios.ConfigError`) naming the file, the
row (its CSV line) and the field, and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import zoneinfo
from pathlib import Path

import numpy as np

from scenarios import ConfigError
from twin.prescribe.load_plan import _unsafe_cell, safe_cell
from twin.travel.schedule import SOURCES, Action, TravelPlan

COLUMNS = ("athlete", "local_start", "time_zone", "place", "action", "source",
           "duration_min", "utc_start", "window_start_utc", "window_end_utc")
OPTIONAL = ("strategy",)
#: Tolerance (h) for an action at the window's or the season's edge (as the grid's,
#: :func:`twin.travel.schedule.steps_of`).
EDGE_H = 1e-6
#: How far (s) ``local_start`` may be from ``utc_start``: it may be written to the minute.
LOCAL_SLACK_S = 60.0


def _instant(season_start, hours: float) -> dt.datetime:
    """The UTC instant ``hours`` (season hours) after 00:00 UTC of ``season_start``."""
    day0 = dt.datetime.fromisoformat(str(np.datetime64(season_start, "D"))).replace(
        tzinfo=dt.UTC)
    return day0 + dt.timedelta(microseconds=round(float(hours) * 3.6e9))


def _season_hours(season_start, when: dt.datetime) -> float:
    day0 = _instant(season_start, 0.0)
    return (when - day0) / dt.timedelta(hours=1)


def _utc_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="auto") + "Z"


def _minutes_text(hours: float) -> str:
    minutes = float(hours) * 60.0
    whole = round(minutes)
    return str(whole) if abs(minutes - whole) < 1e-9 else f"{minutes:.12g}"


def write_travel_plan(path, plan: TravelPlan, season_start) -> Path:
    """Write ``plan`` as ``path`` (the module docstring's columns), atomically (a
    temporary file beside it, then moved into place); ``season_start``: the season's
    first day (its 00:00 UTC is season hour 0). Returns the path."""
    path = Path(path)
    w0, w1 = (_utc_text(_instant(season_start, h)) for h in plan.window_h)
    rows = []
    for a in sorted(plan.actions, key=lambda a: (a.athlete, a.start_h, a.action)):
        start = _instant(season_start, a.start_h)
        local = start.astimezone(zoneinfo.ZoneInfo(a.tz)).isoformat(timespec="seconds")
        rows.append([safe_cell(a.athlete), local, safe_cell(a.tz), safe_cell(a.place),
                     a.action, a.source, _minutes_text(a.duration_h), _utc_text(start),
                     w0, w1, safe_cell(plan.strategy)])
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with tmp.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([*COLUMNS, *OPTIONAL])
            writer.writerows(rows)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def plan_digest(plan: TravelPlan) -> str:
    """SHA-256 (hex) of a plan's values: what a resumed run and the cube's provenance
    record (two plans with the same digest replay the same)."""
    text = repr((plan.strategy, tuple(map(float, plan.window_h)),
                 tuple((a.athlete, float(a.start_h), float(a.duration_h), a.action,
                        a.source, a.place, a.tz) for a in plan.actions)))
    return hashlib.sha256(text.encode()).hexdigest()


def _parse_utc(text: str, fail) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        when = None
    if when is None or when.utcoffset() != dt.timedelta(0):
        raise fail(f"{text!r}: expected an ISO 8601 date-time in UTC "
                   "(2026-07-15T06:00:00Z)")
    return when


def read_travel_plan(path, ids, season, key: str = "scenario.travel_plan") -> TravelPlan:
    """The plan in ``path`` (the module docstring's columns) for the squad's public ``ids``
    and the ``season`` (:class:`scenarios.Season`); actions in the file's order.

    Raises:
        ConfigError: one line naming the file (``key`` for a missing one), the row (its
            CSV line) and the field: a missing file or column, an athlete not in ``ids``,
            an unknown action or a source the action has not, a bad date-time or time
            zone, a ``local_start`` that is not ``utc_start`` in its time zone, a duration
            not in (0, 24 h], a window whose end is not after its start or that differs
            between rows, an action outside the window or the season.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{key} = {str(path)!r}: no such file")
    known = set(map(str, ids))
    from scenarios import utc_offset_h

    first = -float(utc_offset_h(season.home.tz, [season.start.astype("datetime64[s]")])[0])
    last = first + 24.0 * season.days  # the grid: local midnight at home, season.days days
    actions, window, strategy = [], None, None
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ConfigError(f"{path}: missing column(s) {missing}; expected "
                              f"{list(COLUMNS)}")
        for row_no, row in enumerate(reader, start=2):
            where = f"{path}, row {row_no}"

            def fail(message, column, where=where):
                return ConfigError(f"{where}, column {column}: {message}")

            cell = {k: _unsafe_cell((row[k] or "").strip()) for k in (*COLUMNS, *OPTIONAL)
                    if k in row}
            if cell["athlete"] not in known:
                raise fail(f"{cell['athlete']!r} is not in the squad (public ids as the "
                           "cube shows them)", "athlete")
            action = cell["action"]
            if action not in SOURCES:
                raise fail(f"{action!r}: expected one of {', '.join(SOURCES)}", "action")
            if cell["source"] not in SOURCES[action]:
                raise fail(f"{cell['source']!r}: expected for {action} one of "
                           f"{', '.join(SOURCES[action])}", "source")
            try:
                zone = zoneinfo.ZoneInfo(cell["time_zone"])
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                raise fail(f"{cell['time_zone']!r}: expected an IANA time zone "
                           "(Asia/Tokyo)", "time_zone") from None
            utc = _parse_utc(cell["utc_start"], lambda m: fail(m, "utc_start"))
            try:
                local = dt.datetime.fromisoformat(cell["local_start"])
            except ValueError:
                local = None
            if local is None or local.utcoffset() is None:
                raise fail(f"{cell['local_start']!r}: expected an ISO 8601 local date-time "
                           "with its UTC offset (2026-07-15T06:00:00+09:00)", "local_start")
            expected = utc.astimezone(zone)
            if (abs((local - utc).total_seconds()) >= LOCAL_SLACK_S
                    or local.utcoffset() != expected.utcoffset()):
                raise fail(f"{cell['local_start']!r} is not utc_start {cell['utc_start']} "
                           f"in {cell['time_zone']}; expected "
                           f"{expected.isoformat(timespec='seconds')}", "local_start")
            try:
                minutes = float(cell["duration_min"])
            except ValueError:
                minutes = np.nan
            if not 0.0 < minutes <= 24 * 60:
                raise fail(f"{cell['duration_min']!r}: expected minutes in (0, 1440]",
                           "duration_min")
            here = tuple(_parse_utc(cell[c], lambda m, c=c: fail(m, c))
                         for c in ("window_start_utc", "window_end_utc"))
            if here[1] <= here[0]:
                raise fail(f"{cell['window_end_utc']}: expected a window end after its "
                           f"start {cell['window_start_utc']}", "window_end_utc")
            if window is None:
                window = here
            elif here != window:
                column = "window_start_utc" if here[0] != window[0] else "window_end_utc"
                raise fail(f"{cell[column]}: expected the window of the first row, "
                           f"{_utc_text(window[0])} to {_utc_text(window[1])}", column)
            this = cell.get("strategy") or "file"
            if strategy is None:
                strategy = this
            elif this != strategy:
                raise fail(f"{this!r}: expected the strategy of the first row, "
                           f"{strategy!r}", "strategy")
            start = _season_hours(season.start, utc)
            end = start + minutes / 60.0
            if start < first - EDGE_H or end > last + EDGE_H:
                raise fail(f"{cell['utc_start']} for {cell['duration_min']} min is outside "
                           f"the season ({_utc_text(_instant(season.start, first))} to "
                           f"{_utc_text(_instant(season.start, last))})", "utc_start")
            w0, w1 = (_season_hours(season.start, w) for w in window)
            if start < w0 - EDGE_H or end > w1 + EDGE_H:
                raise fail(f"{cell['utc_start']} for {cell['duration_min']} min is outside "
                           f"the plan's window ({_utc_text(window[0])} to "
                           f"{_utc_text(window[1])})", "utc_start")
            actions.append(Action(cell["athlete"], start, minutes / 60.0, action,
                                  cell["source"], cell["place"], cell["time_zone"]))
    if window is None:  # no action: a plan that changes nothing
        return TravelPlan("none", (0.0, 0.0), ())
    return TravelPlan(strategy, tuple(_season_hours(season.start, w) for w in window),
                      tuple(actions))
