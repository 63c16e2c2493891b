"""A recorded track (FIT, GPX or TCX) and its daily record.

A :class:`Track` is what the three track readers agree on: the start instant, the
local clock's offset from UTC where the file says it, the sport, and segments of points
(time since the start in s, cumulative distance in m, and the source record number of
each point). :func:`track_daily` checks the points and turns the track into one
``daily`` record of its athlete:

- ``date``: the local date of the start (UTC where the file gives no offset);
- ``training_min`` (or ``match_min`` with ``session="match"``): elapsed time, first to
  last point, pauses included (or the file's own elapsed time where it records one);
- ``distance_band_<b>_m``: :func:`calibration.devices.band_distances` summed over the
  segments (no distance between segments), for sports on foot only: the bands are
  *running* volume (the tissue models' input), so a ride has training minutes but no
  band distances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calibration.devices._bands import band_distances
from calibration.devices._daily import to_daily
from calibration.schema import MAX_SPEED_M_S, N_DISTANCE_BANDS, DataError

#: Sports on foot (their distance is running volume, banded); names as the FIT profile's
#: ``sport`` enum (TCX ``Running`` and GPX ``running`` map onto them).
ON_FOOT = frozenset({"generic", "running", "soccer", "walking", "hiking", "training",
                     "basketball", "tennis", "american_football", "rugby", "hockey",
                     "field_hockey", "lacrosse", "trail_running", "other"})
#: Fastest plausible mean speed over one interval (m/s): on foot the fastest human's
#: (calibration.schema.MAX_SPEED_M_S); otherwise 40 m/s (assumption: 144 km/h is beyond
#: any human-powered sport; a faster interval is a GPS jump or a unit error).
MAX_OTHER_SPEED_M_S = 40.0
SESSIONS = ("training", "match")


@dataclass(frozen=True)
class Segment:
    """Points of one continuous recording: ``time_s`` since the track's start (s),
    cumulative ``distance_m`` (m), and the source ``record`` number of each point."""

    time_s: np.ndarray
    distance_m: np.ndarray
    record: np.ndarray


@dataclass(frozen=True)
class Track:
    """A track as the readers return it (module docstring)."""

    file: str
    start: dt.datetime  # UTC, timezone-aware
    utc_offset_s: float | None
    sport: str
    segments: tuple[Segment, ...]
    record_name: str = "trackpoint"  # what Segment.record counts, for errors
    elapsed_s: float | None = None  # the file's own elapsed time, if it records one
    total_m: float | None = None  # the file's own total distance, if it records one

    @property
    def on_foot(self) -> bool:
        return self.sport in ON_FOOT

    def span_s(self) -> float:
        """First to last point (s)."""
        return float(self.segments[-1].time_s[-1] - self.segments[0].time_s[0])

    def distance(self) -> float:
        """Distance over the segments (m), none between them."""
        return float(sum(s.distance_m[-1] - s.distance_m[0] for s in self.segments))

    def bands(self, bands=None) -> np.ndarray:
        """Distance (m) per speed band, summed over the segments."""
        return sum((band_distances(s.time_s, s.distance_m, bands) for s in self.segments),
                   np.zeros(N_DISTANCE_BANDS))


def check_track(track: Track, *, time_field: str, distance_field: str) -> None:
    """Points in order: time strictly increasing, distance non-decreasing, speed plausible.

    Raises:
        DataError: naming the file, the point's record and the field.
    """
    if not track.segments or sum(s.time_s.size for s in track.segments) < 2:
        raise DataError(track.file, None, time_field, "expected a track of at least two "
                        "timed points", record=track.record_name)
    top = MAX_SPEED_M_S if track.on_foot else MAX_OTHER_SPEED_M_S
    last = -np.inf
    for seg in track.segments:
        dt_s = np.diff(np.concatenate([[last], seg.time_s]))
        if (dt_s <= 0).any():
            k = int(np.argmax(dt_s <= 0))
            raise DataError(track.file, int(seg.record[k]), time_field, "time does not "
                            "increase: expected strictly increasing times",
                            record=track.record_name)
        ds = np.diff(seg.distance_m)
        if (ds < 0).any() or not np.isfinite(seg.distance_m).all():
            k = int(np.argmax(~(ds >= 0))) + 1
            raise DataError(track.file, int(seg.record[k]), distance_field, "distance "
                            "decreases or is not finite: expected a non-decreasing "
                            "cumulative distance", record=track.record_name)
        v = ds / dt_s[1:]
        if (v > top).any():
            k = int(np.argmax(v > top)) + 1
            raise DataError(track.file, int(seg.record[k]), distance_field,
                            f"{v[k - 1]:.1f} m/s since the previous point: expected at "
                            f"most {top:g} m/s ({track.sport})", record=track.record_name)
        last = seg.time_s[-1]


def track_daily(track: Track, *, athlete_id, bands=None, session: str = "training",
                time_field: str = "time", distance_field: str = "distance") -> pd.DataFrame:
    """The track's daily record (module docstring); a one-row ``daily`` frame.

    Raises:
        DataError: no athlete id, points out of order, or a value outside the schema.
    """
    if session not in SESSIONS:
        raise ValueError(f"session={session!r}: expected one of {SESSIONS}")
    if athlete_id is None:
        raise DataError(track.file, None, "athlete_id", "a track does not name its athlete: "
                        "pass athlete_id=")
    check_track(track, time_field=time_field, distance_field=distance_field)
    local = track.start + dt.timedelta(seconds=track.utc_offset_s or 0.0)
    elapsed = track.elapsed_s if track.elapsed_s is not None else track.span_s()
    rec = {"athlete_id": athlete_id, "date": local.date(),
           f"{session}_min": elapsed / 60.0}
    if track.on_foot:
        for b, metres in enumerate(track.bands(bands), start=1):
            rec[f"distance_band_{b}_m"] = float(metres)
    first = int(track.segments[0].record[0])
    return to_daily([rec], file=track.file, rows=[first], record=track.record_name,
                    names={"date": time_field, f"{session}_min": time_field})
