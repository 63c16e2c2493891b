"""A FIT activity file writer of our own (for sample files and round-trip tests).

Structure (Garmin FIT SDK, *Flexible and Interoperable Data Transfer (FIT) Protocol*):

- a 14-byte file header, little endian: header size (uint8, 14), protocol version
  (uint8, 0x10 = 1.0), profile version (uint16, 2100 = 21.00), data size (uint32, the
  bytes of records after the header), the signature ``.FIT``, and the header's CRC
  (uint16, over its first 12 bytes);
- records, each a one-byte normal header (bit 6 set: definition message; bits 0-3: the
  local message type) and a message. A definition message is reserved (0),
  architecture (0: little endian), global message number (uint16), number of fields and,
  per field, (field definition number, size in bytes, base type). A data message is the
  fields' values in the order and sizes its local type's definition gives;
- the file CRC (uint16) over header and records.

The CRC is the SDK's nibble-table CRC-16 (:func:`crc16`; it is CRC-16/ARC: polynomial
0x8005 reflected, initial value 0, check value 0xBB3D for ``b"123456789"``).

Messages written: ``file_id`` (0; type 4 = activity, manufacturer 255 = development),
``record`` (20), ``lap`` (19), ``session`` (18), ``activity`` (34). Units as in the SDK's
profile: ``timestamp`` in seconds since the FIT epoch 1989-12-31 00:00 UTC
(:data:`FIT_EPOCH`); ``distance`` m x 100 (uint32); ``speed`` m/s x 1000 (uint16);
elapsed and timer times s x 1000 (uint32); ``position_lat``/``position_long`` in
semicircles (sint32, :math:`\\mathrm{deg} \\cdot 2^{31}/180`); ``heart_rate`` bpm (uint8).
A missing value is the base type's invalid value (all bits set; 0x7FFFFFFF for sint32).
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The FIT epoch: timestamps count seconds from here.
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
#: FIT base types: (base type byte, struct code, invalid value).
BASE_TYPES = {"enum": (0x00, "B", 0xFF), "uint8": (0x02, "B", 0xFF),
              "uint16": (0x84, "H", 0xFFFF), "sint32": (0x85, "i", 0x7FFFFFFF),
              "uint32": (0x86, "I", 0xFFFFFFFF), "uint32z": (0x8C, "I", 0x00000000)}
#: Messages written: global number and fields (name, field number, base type).
MESSAGES = {
    "file_id": (0, (("type", 0, "enum"), ("manufacturer", 1, "uint16"),
                    ("product", 2, "uint16"), ("serial_number", 3, "uint32z"),
                    ("time_created", 4, "uint32"))),
    "record": (20, (("timestamp", 253, "uint32"), ("position_lat", 0, "sint32"),
                    ("position_long", 1, "sint32"), ("distance", 5, "uint32"),
                    ("speed", 6, "uint16"), ("heart_rate", 3, "uint8"))),
    "lap": (19, (("timestamp", 253, "uint32"), ("event", 0, "enum"),
                 ("event_type", 1, "enum"), ("start_time", 2, "uint32"),
                 ("total_elapsed_time", 7, "uint32"), ("total_timer_time", 8, "uint32"),
                 ("total_distance", 9, "uint32"), ("message_index", 254, "uint16"))),
    "session": (18, (("timestamp", 253, "uint32"), ("event", 0, "enum"),
                     ("event_type", 1, "enum"), ("start_time", 2, "uint32"),
                     ("sport", 5, "enum"), ("total_elapsed_time", 7, "uint32"),
                     ("total_timer_time", 8, "uint32"), ("total_distance", 9, "uint32"),
                     ("avg_speed", 14, "uint16"), ("max_speed", 15, "uint16"),
                     ("first_lap_index", 25, "uint16"), ("num_laps", 26, "uint16"),
                     ("message_index", 254, "uint16"))),
    "activity": (34, (("timestamp", 253, "uint32"), ("total_timer_time", 0, "uint32"),
                      ("num_sessions", 1, "uint16"), ("type", 2, "enum"),
                      ("event", 3, "enum"), ("event_type", 4, "enum"),
                      ("local_timestamp", 5, "uint32"))),
}
#: FIT profile ``sport`` enum values this writer knows.
SPORTS = {"generic": 0, "running": 1, "cycling": 2, "soccer": 7, "training": 10,
          "walking": 11}
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
_SEMICIRCLE = 2**31 / 180.0


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT SDK's CRC-16 of ``data`` (two table steps per byte, low nibble first)."""
    for byte in data:
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[byte & 0xF]
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[(byte >> 4) & 0xF]
    return crc


@dataclass(frozen=True)
class FitActivity:
    """One activity to write: points at ``elapsed_s`` (whole s) after ``start`` (UTC).

    ``distance_m`` cumulative (m), ``speed_m_s`` (m/s), optional ``heart_rate`` (bpm),
    ``lat_deg``/``lon_deg`` (degrees); ``sport`` a :data:`SPORTS` name; ``utc_offset_s``
    the local clock's offset (written as the activity's ``local_timestamp``).
    """

    start: dt.datetime
    elapsed_s: np.ndarray
    distance_m: np.ndarray
    speed_m_s: np.ndarray
    heart_rate: np.ndarray | None = None
    lat_deg: np.ndarray | None = None
    lon_deg: np.ndarray | None = None
    sport: str = "soccer"
    utc_offset_s: int = 0


def fit_time(when: dt.datetime) -> int:
    """Seconds since :data:`FIT_EPOCH` (whole seconds)."""
    return round((when - FIT_EPOCH).total_seconds())


def _definition(local: int, message: str, names) -> bytes:
    number, fields = MESSAGES[message]
    chosen = [f for f in fields if f[0] in names]
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(chosen))
    for _, num, base in chosen:
        code, fmt, _ = BASE_TYPES[base]
        out += struct.pack("<BBB", num, struct.calcsize(fmt), code)
    return out


def _data(local: int, message: str, values: dict) -> bytes:
    out = struct.pack("<B", local)
    for name, _, base in MESSAGES[message][1]:
        if name in values:
            _, fmt, invalid = BASE_TYPES[base]
            v = values[name]
            out += struct.pack("<" + fmt, invalid if v is None else int(v))
    return out


def _message(local: int, message: str, values: dict) -> bytes:
    return _definition(local, message, values) + _data(local, message, values)


def encode_activity(act: FitActivity) -> bytes:
    """The bytes of a FIT activity file (module docstring)."""
    t0 = fit_time(act.start)
    t = t0 + np.asarray(act.elapsed_s, dtype=np.int64)
    dist = np.round(np.asarray(act.distance_m, float) * 100).astype(np.int64)
    speed = np.round(np.asarray(act.speed_m_s, float) * 1000).astype(np.int64)
    n = t.size
    body = _message(0, "file_id", {"type": 4, "manufacturer": 255, "product": 1,
                                   "serial_number": 1, "time_created": t0})
    names = {"timestamp", "distance", "speed"}
    if act.heart_rate is not None:
        names.add("heart_rate")
    if act.lat_deg is not None:
        names |= {"position_lat", "position_long"}
        lat = np.round(np.asarray(act.lat_deg, float) * _SEMICIRCLE).astype(np.int64)
        lon = np.round(np.asarray(act.lon_deg, float) * _SEMICIRCLE).astype(np.int64)
    body += _definition(1, "record", names)
    for i in range(n):
        rec = {"timestamp": t[i], "distance": dist[i], "speed": speed[i]}
        if act.heart_rate is not None:
            rec["heart_rate"] = int(act.heart_rate[i])
        if act.lat_deg is not None:
            rec["position_lat"], rec["position_long"] = lat[i], lon[i]
        body += _data(1, "record", rec)
    elapsed_ms = int(t[-1] - t0) * 1000
    total = int(dist[-1] - dist[0])
    body += _message(2, "lap", {"timestamp": t[-1], "event": 9, "event_type": 1,
                                "start_time": t0, "total_elapsed_time": elapsed_ms,
                                "total_timer_time": elapsed_ms, "total_distance": total,
                                "message_index": 0})
    body += _message(3, "session", {
        "timestamp": t[-1], "event": 8, "event_type": 1, "start_time": t0,
        "sport": SPORTS[act.sport], "total_elapsed_time": elapsed_ms,
        "total_timer_time": elapsed_ms, "total_distance": total,
        "avg_speed": round(total * 10_000 / max(elapsed_ms, 1)),  # 1000 (total/100)/(ms/1000)
        "max_speed": int(speed.max()), "first_lap_index": 0, "num_laps": 1,
        "message_index": 0})
    body += _message(4, "activity", {"timestamp": t[-1], "total_timer_time": elapsed_ms,
                                     "num_sessions": 1, "type": 0, "event": 26,
                                     "event_type": 1,
                                     "local_timestamp": t[-1] + act.utc_offset_s})
    header = struct.pack("<BBHI4s", 14, 0x10, 2100, len(body), b".FIT")
    header += struct.pack("<H", crc16(header))
    return header + body + struct.pack("<H", crc16(header + body))


def write_fit(path, act: FitActivity) -> Path:
    """Write :func:`encode_activity`'s bytes to ``path``; returns the path."""
    path = Path(path)
    path.write_bytes(encode_activity(act))
    return path
