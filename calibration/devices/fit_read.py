"""FIT activity files (Garmin FIT SDK) via ``fitdecode``: a :class:`Track`, a daily record.

Messages read (FIT SDK profile): ``record`` (``timestamp``; ``distance``, m; ``speed`` or
``enhanced_speed``, m/s; ``position_lat``/``position_long``, semicircles), ``session``
(``sport``, ``total_elapsed_time``, ``total_distance``) and ``activity``
(``local_timestamp``: the local clock's offset from UTC). Heart rate is not part of the
``daily`` schema and is not read; a record message without an absolute timestamp is
skipped.

Distance per speed band comes from the track itself, never from the file's typed totals:
the increments of the device's cumulative ``distance`` over time (its odometer, the
quantity the FIT profile defines), or, in a file without it, the speed integrated over
time by the trapezoidal rule, :math:`\\Delta s_i = (v_{i-1} + v_i)\\,\\Delta t_i/2`, or
the haversine distance of the positions (:mod:`calibration.devices._bands`). Training
minutes are the sessions' ``total_elapsed_time`` (pauses included), else first to last
record.

Errors are :class:`calibration.schema.DataError` naming the file, the FIT message (the
1-based count of data messages) and the field; a truncated file, a bad header or a CRC
that does not check (``fitdecode`` verifies both CRCs) names the file and the structure.

Reference: Garmin FIT SDK, *Flexible and Interoperable Data Transfer (FIT) Protocol*.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from calibration.devices._bands import haversine_m
from calibration.devices._track import Segment, Track, track_daily
from calibration.schema import DataError

_SEMICIRCLE_DEG = 180.0 / 2**31
_RECORD = "FIT message"


def _messages(path):
    """(1-based data message number, name, {field: value}) of every data message."""
    import fitdecode  # imported here: ``import calibration`` works without it

    n = 0
    try:
        with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE,
                                 error_handling=fitdecode.ErrorHandling.RAISE) as fit:
            for frame in fit:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                    n += 1
                    yield n, frame.name, {f.name: f.value for f in frame.fields
                                          if f.value is not None}
    except FileNotFoundError:
        raise DataError(path, None, None, "no such file") from None
    except fitdecode.FitCRCError as exc:
        raise DataError(path, None, "crc", f"the CRC does not check ({exc}): expected the "
                        "FIT SDK's CRC-16 of the header and of the file") from None
    except fitdecode.FitHeaderError as exc:
        raise DataError(path, None, "header", f"not a FIT file ({exc}): expected a FIT "
                        "file header with the '.FIT' signature") from None
    except fitdecode.FitEOFError as exc:
        raise DataError(path, n + 1, "data_size", f"the file ends inside a message "
                        f"({exc}): truncated; expected the header's data size",
                        record=_RECORD) from None
    except fitdecode.FitError as exc:
        raise DataError(path, n + 1, None, f"cannot be decoded ({exc})",
                        record=_RECORD) from None


def read_fit_track(path) -> Track:
    """The track of a FIT activity file (module docstring).

    Raises:
        DataError: unreadable, truncated or corrupt file; no timed record messages.
    """
    rows, sessions, offset = [], [], None
    for n, name, fields in _messages(path):
        if name == "record" and isinstance(fields.get("timestamp"), dt.datetime):
            rows.append((n, fields))
        elif name == "session":
            sessions.append(fields)
        elif name == "activity" and "local_timestamp" in fields and "timestamp" in fields:
            offset = _offset(fields["timestamp"], fields["local_timestamp"])
    if len(rows) < 2:
        raise DataError(path, None, "record.timestamp", "expected at least two record "
                        "messages with a timestamp")
    start = rows[0][1]["timestamp"]
    t = np.array([(r["timestamp"] - start).total_seconds() for _, r in rows])
    num = np.array([n for n, _ in rows])
    dist = [r.get("distance") for _, r in rows]
    speed = [r.get("enhanced_speed", r.get("speed")) for _, r in rows]
    pos = [(r.get("position_lat"), r.get("position_long")) for _, r in rows]
    if any(d is not None for d in dist):
        keep = np.array([d is not None for d in dist])
        s = np.array([d for d in dist if d is not None], dtype=float)
    elif all(v is not None for v in speed):
        keep = np.ones(t.size, bool)
        v = np.asarray(speed, float)
        s = np.concatenate([[0.0], np.cumsum((v[1:] + v[:-1]) / 2 * np.diff(t))])
    else:
        keep = np.array([None not in p for p in pos])
        if keep.sum() < 2:
            raise DataError(path, None, "record.distance", "expected distance, speed or "
                            "positions in the record messages")
        deg = np.array([p for p in pos if None not in p], float) * _SEMICIRCLE_DEG
        s = np.concatenate([[0.0], np.cumsum(haversine_m(deg[:, 0], deg[:, 1]))])
    sport = str(sessions[0].get("sport", "generic")) if sessions else "generic"
    elapsed = [x["total_elapsed_time"] for x in sessions if "total_elapsed_time" in x]
    totals = [x["total_distance"] for x in sessions if "total_distance" in x]
    return Track(str(path), start, offset, sport, (Segment(t[keep], s, num[keep]),),
                 record_name=_RECORD, elapsed_s=float(sum(elapsed)) if elapsed else None,
                 total_m=float(sum(totals)) if totals else None)


def _offset(utc, local) -> float:
    """Local clock minus UTC (s) from an activity's ``timestamp``/``local_timestamp``."""
    if isinstance(local, dt.datetime):
        local = local.replace(tzinfo=dt.UTC) if local.tzinfo is None else local
        return (local - utc).total_seconds()
    return float(local) - (utc - dt.datetime(1989, 12, 31, tzinfo=dt.UTC)).total_seconds()


def read_fit(path, *, athlete_id=None, bands=None, session: str = "training") -> pd.DataFrame:
    """One ``daily`` record from a FIT activity file (module docstring).

    Args:
        path: the ``.fit`` file.
        athlete_id: the athlete (a FIT file does not name one; required).
        bands: lower speed-band edges (m/s); default the schema's
            :data:`~calibration.schema.DISTANCE_BANDS`.
        session: ``"training"`` (minutes to ``training_min``) or ``"match"``.

    Raises:
        DataError: see :func:`read_fit_track`; records out of order, or values outside
            the ``daily`` schema (naming the FIT message and field).
    """
    return track_daily(read_fit_track(path), athlete_id=athlete_id, bands=bands,
                       session=session, time_field="record.timestamp",
                       distance_field="record.distance")
