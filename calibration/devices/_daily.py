"""Device readers' common end: raw daily records -> the ``daily`` schema's validated frame.

Every reader builds plain records (dicts keyed by ``daily`` column names) and hands them
here with, for each record, the source record it came from (a CSV row, a FIT message, a
trackpoint) and the source's name for each field. The schema's own
:func:`calibration.schema.check_table` then enforces the ranges (one way, for files and
devices alike); its errors are re-raised naming the source's record and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from calibration.schema import SCHEMAS, Column, DataError, _parse, check_table

#: The ``daily`` schema's columns: every device reader returns exactly these.
DAILY_COLUMNS: tuple[str, ...] = tuple(c.name for c in SCHEMAS["daily"])
#: Required ``daily`` columns a device's partial record may leave empty until
#: :func:`calibration.devices.merge_daily` joins it with the session-RPE table.
PARTIAL = ("load", "load_kind")


def to_daily(records: Sequence[Mapping], *, file, rows: Sequence[int | None],
             names: Mapping[str, str] | None = None, record: str = "row") -> pd.DataFrame:
    """Validate raw daily records; the frame of :func:`calibration.schema.read_table`.

    Args:
        records: one mapping per daily record (missing keys: empty).
        file: the source file (named in errors; ``frame.attrs["file"]``).
        rows: the source record number of each record (named in errors).
        names: the source's field name of each daily column, for errors.
        record: what ``rows`` count (``"row"``, ``"FIT message"``, ``"GPX trackpoint"``).

    Raises:
        DataError: a value outside the schema's range, naming file, record and field.
    """
    raw = pd.DataFrame([{c: rec.get(c) for c in DAILY_COLUMNS} for rec in records],
                       columns=list(DAILY_COLUMNS), dtype=object)
    try:
        frame = check_table(raw, "daily", file=file, may_be_empty=PARTIAL)
    except DataError as err:
        row = rows[err.row - 1] if err.row is not None else None
        column = (names or {}).get(err.column, err.column)
        raise DataError(file, row, column, err.message, record=record) from None
    frame.attrs["file"] = str(file)
    return frame


def parse_row(rec: Mapping, columns: Sequence[Column], *, file, row: int) -> dict:
    """One source row's cells by the schema's cell rules (:class:`calibration.schema.Column`)."""
    return {c.name: _parse(rec.get(c.name), c, file, row) for c in columns}


def check_columns(header, columns: Sequence[Column], *, file) -> None:
    """Refuse an unknown column (a typo must not pass silently) or a missing required one."""
    known = [c.name for c in columns]
    for name in header:
        if name not in known:
            raise DataError(file, None, str(name), f"unknown column; expected columns {known}")
    for c in columns:
        if c.required and c.name not in header:
            raise DataError(file, None, c.name, "missing required column")


def read_csv(path) -> pd.DataFrame:
    """A CSV of strings (no NA guessing); an unreadable file is a :class:`DataError`."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # unreadable: say which file
        raise DataError(path, None, None, f"cannot be read as CSV ({exc})") from None


def athlete_rows(table: pd.DataFrame, athlete_id, *, file) -> list[tuple[int, dict]]:
    """(1-based row, record) pairs, the athlete's only when ``athlete_id`` is given;
    a file without an ``athlete_id`` column takes ``athlete_id`` for every row."""
    recs = table.to_dict("records")
    if "athlete_id" not in table.columns:
        if athlete_id is None:
            raise DataError(file, None, "athlete_id", "no athlete_id column: pass "
                            "athlete_id= for a one-athlete export")
        return [(i, {**r, "athlete_id": athlete_id}) for i, r in enumerate(recs, start=1)]
    return [(i, r) for i, r in enumerate(recs, start=1)
            if athlete_id is None or r["athlete_id"].strip() == athlete_id]
