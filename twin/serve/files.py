"""Device files posted to ``POST /athletes/{id}/files``, read into the records the
service ingests (pure: bytes in, record bodies out; no HTTP, no database).

A single file (FIT, GPX, TCX or a CSV export, its kind from the name and header) is read
by :func:`calibration.devices.read_device_file`. A ZIP archive of several is one day's
(or week's) exports of one athlete's sources: each member is read the same way and the
members are joined by :func:`calibration.devices.merge_daily` (sessions of a day summed,
a field given by two sources refused as a conflicting duplicate). This is how a file
without a load (a GPS track, a vendor export, a sleep or HRV export) is accepted: in one
archive with the session-RPE table that gives the day's load. A day with no load in any
member is refused, unless ``missing_load="zero"`` takes it for a rest day (load 0 in the
athlete's load kind: another day's in the upload, else ``load_kind``, the kind of the
athlete's stored records).

Errors are :class:`FileError` naming the field (``filename``, ``file``, or the member and
column) in one line, with the member's name, never a temporary path.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
#: Members of one archive: at most this many (a day's or a week's exports of one athlete).
MAX_MEMBERS = 32
MISSING_LOAD = ("error", "zero")


class FileError(ValueError):
    """A bad upload: ``field`` names what is wrong (``filename``, ``file``, a column)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def upload_rows(name: str, raw: bytes, athlete_id: str, *, max_bytes: int,
                missing_load: str = "error", load_kind: str | None = None) -> list[dict]:
    """The record bodies (fields of ``POST .../records``, source ``file``) in an upload.

    Args:
        name: the file name (``?filename=``): its suffix and header give its kind;
            ``.zip`` an archive of device files.
        raw: the body.
        athlete_id: the athlete of the URL (a multi-athlete export keeps their rows).
        max_bytes: the largest upload, and the largest an archive may unpack to.
        missing_load: ``"error"`` or ``"zero"`` (module docstring).
        load_kind: the athlete's load kind for ``missing_load="zero"`` (None: unknown).

    Raises:
        FileError: naming the field.
    """
    name = Path(name).name
    if not name or not NAME.match(name):
        raise FileError("filename", "expected a file name of letters, digits, . _ -")
    if missing_load not in MISSING_LOAD:
        raise FileError("missing_load", f"missing_load={missing_load!r}: expected one of "
                                            f"{MISSING_LOAD}")
    try:
        from calibration.devices import merge_daily, read_device_file
    except ImportError:
        raise FileError("filename", "device files need calibration.devices, which this "
                                    "installation lacks") from None
    from calibration.schema import DataError

    members = _members(name, raw, max_bytes) if name.lower().endswith(".zip") else \
        [(name, raw)]
    with tempfile.TemporaryDirectory() as tmp:
        frames = {}
        for member, data in members:
            path = Path(tmp) / member
            path.write_bytes(data)
            try:
                frames[member] = read_device_file(path, athlete_id=athlete_id)
            except DataError as exc:
                raise _named(exc, member, len(members) > 1) from None
    if len(frames) == 1 and missing_load == "error":
        frame = next(iter(frames.values()))
    else:
        try:
            frame = merge_daily(frames, missing_load="keep")
        except DataError as exc:
            raise FileError(exc.column or "file", f"{exc.file}: {exc.message}") from None
    rows = [{k: _plain(v) for k, v in r.items() if k != "athlete_id"}
            for r in frame.to_dict("records")]
    kinds = [r["load_kind"] for r in rows if r.get("load_kind")]
    for r in rows:
        if r.get("load") is not None:
            continue
        kind = kinds[0] if kinds else load_kind
        if missing_load == "error" or kind is None:
            raise FileError("load", f"no load for {r['date']} in {sorted(frames)}: a track, "
                            "GPS, sleep or HRV file goes in one .zip with the session-RPE "
                            "table of its day (or ?missing_load=zero for a rest day of an "
                            "athlete whose load kind is known)")
        r["load"], r["load_kind"] = 0.0, kind
    out = []
    for r in rows:
        for k in ("sleep_onset", "sleep_offset"):  # hours back to clock time
            if isinstance(r.get(k), float):
                sec = round(r[k] * 3600) % 86400
                r[k] = f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
        r.setdefault("source", "file")
        out.append({k: v for k, v in r.items() if v is not None})
    return out


def _members(name: str, raw: bytes, max_bytes: int) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file in a ZIP archive, checked before it is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileError("file", f"file {name}: not a readable ZIP archive ({exc})") from None
    if not infos:
        raise FileError("file", f"file {name}: an empty archive; expected device files")
    if len(infos) > MAX_MEMBERS:
        raise FileError("file", f"file {name}: {len(infos)} files; expected at most "
                                f"{MAX_MEMBERS}")
    if sum(i.file_size for i in infos) > max_bytes:
        raise FileError("file", f"file {name}: unpacks to more than {max_bytes} bytes")
    out, seen = [], set()
    for info in infos:
        member = info.filename
        if not NAME.match(member) or member.lower().endswith(".zip"):
            raise FileError("file", f"file {name}: member {member!r}: expected a device file "
                                    "name of letters, digits, . _ - (no folders, no archive)")
        if member in seen:
            raise FileError("file", f"file {name}: member {member!r} twice")
        seen.add(member)
        try:
            data = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise FileError("file", f"file {name}: member {member!r} cannot be read "
                                    f"({exc})") from None
        out.append((member, data))
    return out


def _named(exc, member: str, in_archive: bool) -> FileError:
    """A reader's DataError as the upload's error: the member's name for the temp path."""
    where = [f"file {member!r}"]
    if exc.row is not None:
        where.append(f"row {exc.row} (CSV line {exc.row + 1})" if exc.record == "row"
                     else f"{exc.record} {exc.row}")
    if exc.column is not None:
        where.append(f"column {exc.column!r}")
    field = exc.column or "file"
    return FileError(f"{member}:{field}" if in_archive else field,
                     ", ".join(where) + f": {exc.message}")


def _plain(v):
    """A DataFrame cell as JSON would give it (dates as ISO text, NaN as None)."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, np.datetime64):
        return str(np.datetime64(v, "D"))
    if isinstance(v, pd.Timestamp | dt.date):
        return str(pd.Timestamp(v).date())
    if isinstance(v, np.floating | np.integer):
        return v.item()
    if isinstance(v, np.bool_):
        return bool(v)
    return v
