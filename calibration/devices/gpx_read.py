"""GPX 1.1 tracks via ``gpxpy``: a :class:`Track` and its daily record.

GPX 1.1 (Topografix schema, ``http://www.topografix.com/GPX/1/1``): ``trk`` elements
hold ``trkseg`` segments of ``trkpt`` points with ``lat``/``lon`` (degrees, WGS-84) and
a ``time`` (ISO 8601, UTC). Within each segment the distance between consecutive points
is the haversine distance of their positions, and speed is distance over time between
points (:mod:`calibration.devices._bands`); nothing is counted between segments (a
pause in the recording). The sport is the first track's ``type`` where it names one
(``running``, ``cycling``, ...; unknown or absent: on foot).

Errors name the file, the GPX trackpoint (1-based over the whole file) and the field
(``time``, ``lat``/``lon``).

Reference: Topografix, GPX 1.1 Schema Documentation (2004).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from calibration.devices._bands import haversine_m
from calibration.devices._track import Segment, Track, track_daily
from calibration.schema import DataError

_RECORD = "GPX trackpoint"
#: GPX ``type`` words for sports not on foot (everything else counts as on foot).
_NOT_ON_FOOT = {"cycling": "cycling", "biking": "cycling", "ride": "cycling",
                "swimming": "swimming", "rowing": "rowing"}


def read_gpx_track(path) -> Track:
    """The track of a GPX file (module docstring).

    Raises:
        DataError: unreadable XML, a trackpoint without a time, or no trackpoints.
    """
    import gpxpy  # imported here: ``import calibration`` works without it
    import gpxpy.gpx

    try:
        with open(path, encoding="utf-8") as fh:
            gpx = gpxpy.parse(fh)
    except FileNotFoundError:
        raise DataError(path, None, None, "no such file") from None
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise DataError(path, None, None, f"not a GPX file ({exc})") from None
    segments, n, start = [], 0, None
    for trk in gpx.tracks:
        for seg in trk.segments:
            times, lat, lon, nums = [], [], [], []
            for p in seg.points:
                n += 1
                if p.time is None:
                    raise DataError(path, n, "time", "no time: expected an ISO 8601 time "
                                    "on every trackpoint", record=_RECORD)
                when = p.time if p.time.tzinfo else p.time.replace(tzinfo=dt.UTC)
                start = start or when
                times.append((when - start).total_seconds())
                lat.append(p.latitude)
                lon.append(p.longitude)
                nums.append(n)
            if times:
                s = np.concatenate([[0.0], np.cumsum(haversine_m(lat, lon))])
                segments.append(Segment(np.asarray(times), s, np.asarray(nums)))
    if start is None:
        raise DataError(path, None, "trkpt", "no trackpoints", record=_RECORD)
    kind = (gpx.tracks[0].type or "").strip().lower()
    sport = _NOT_ON_FOOT.get(kind) or ("running" if kind == "running" else "generic")
    return Track(str(path), start, None, sport, tuple(segments), record_name=_RECORD)


def read_gpx(path, *, athlete_id=None, bands=None, session: str = "training") -> pd.DataFrame:
    """One ``daily`` record from a GPX track (module docstring); the date is the start's
    UTC date (GPX times are UTC and carry no local offset).

    Raises:
        DataError: see :func:`read_gpx_track`; times that do not increase, or values
            outside the ``daily`` schema (naming the trackpoint and field).
    """
    return track_daily(read_gpx_track(path), athlete_id=athlete_id, bands=bands,
                       session=session, time_field="time", distance_field="lat/lon")
