"""Garmin Training Center XML (TCX v2) activities, parsed with ``xml.etree``.

TCX v2 (namespace ``http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2``):
``Activities/Activity`` (attribute ``Sport``: ``Running``, ``Biking`` or ``Other``) holds
``Lap`` elements (``TotalTimeSeconds``, ``DistanceMeters``) holding ``Track`` elements of
``Trackpoint`` (``Time``, ISO 8601 UTC; ``Position/LatitudeDegrees`` and
``LongitudeDegrees``; ``DistanceMeters``, cumulative). Each ``Track`` is a segment: the
distance between consecutive trackpoints is the haversine distance of their positions
where every point has one, else the increments of ``DistanceMeters``; speed is that
distance over time. Training minutes are first to last trackpoint.

Errors name the file, the TCX trackpoint (1-based over the file) and the element.

Reference: Garmin, Training Center Database XML schema v2 (TrainingCenterDatabasev2.xsd).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from calibration.devices._bands import haversine_m
from calibration.devices._track import Segment, Track, track_daily
from calibration.schema import DataError

NS = {"tcx": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
_RECORD = "TCX trackpoint"
_SPORTS = {"Running": "running", "Biking": "cycling", "Other": "generic"}


def _number(tp, tag, path, n):
    el = tp.find(tag, NS)
    if el is None or el.text is None:
        return None
    try:
        return float(el.text)
    except ValueError:
        raise DataError(path, n, tag.replace("tcx:", ""), f"{el.text!r}: expected a "
                        "number", record=_RECORD) from None


def read_tcx_track(path) -> Track:
    """The track of a TCX file's first activity (module docstring).

    Raises:
        DataError: unreadable XML, no activity, a trackpoint without a time.
    """
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise DataError(path, None, None, "no such file") from None
    except ET.ParseError as exc:
        raise DataError(path, None, None, f"not XML ({exc})") from None
    act = root.find("tcx:Activities/tcx:Activity", NS)
    if act is None:
        raise DataError(path, None, "Activity", "no Activities/Activity element (TCX v2 "
                        f"namespace {NS['tcx']})")
    segments, n, start = [], 0, None
    for track in act.iterfind("tcx:Lap/tcx:Track", NS):
        times, lat, lon, dist, nums = [], [], [], [], []
        for tp in track.iterfind("tcx:Trackpoint", NS):
            n += 1
            text = tp.findtext("tcx:Time", None, NS)
            try:
                when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            except (AttributeError, ValueError):
                raise DataError(path, n, "Time", f"{text!r}: expected an ISO 8601 time",
                                record=_RECORD) from None
            when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            start = start or when
            times.append((when - start).total_seconds())
            lat.append(_number(tp, "tcx:Position/tcx:LatitudeDegrees", path, n))
            lon.append(_number(tp, "tcx:Position/tcx:LongitudeDegrees", path, n))
            dist.append(_number(tp, "tcx:DistanceMeters", path, n))
            nums.append(n)
        if not times:
            continue
        if None not in lat and None not in lon:
            s = np.concatenate([[0.0], np.cumsum(haversine_m(lat, lon))])
        elif None not in dist:
            s = np.asarray(dist, float)
        else:
            k = next(i for i in range(len(times)) if lat[i] is None and dist[i] is None)
            raise DataError(path, nums[k], "Position", "neither a position nor "
                            "DistanceMeters: expected one on every trackpoint",
                            record=_RECORD)
        segments.append(Segment(np.asarray(times), s, np.asarray(nums)))
    if start is None:
        raise DataError(path, None, "Trackpoint", "no trackpoints", record=_RECORD)
    sport = _SPORTS.get(act.get("Sport", "Other"), "generic")
    return Track(str(path), start, None, sport, tuple(segments), record_name=_RECORD)


def read_tcx(path, *, athlete_id=None, bands=None, session: str = "training") -> pd.DataFrame:
    """One ``daily`` record from a TCX activity (module docstring); the date is the
    start's UTC date. A ride (``Sport="Biking"``) has training minutes, no band distances.

    Raises:
        DataError: see :func:`read_tcx_track`; times that do not increase, or values
            outside the ``daily`` schema (naming the trackpoint and element).
    """
    return track_daily(read_tcx_track(path), athlete_id=athlete_id, bands=bands,
                       session=session, time_field="Time", distance_field="Position")
