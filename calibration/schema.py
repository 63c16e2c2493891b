"""Athlete data: the documented schema, and readers whose errors name file, row and column.

Tables (CSV or Parquet, one row per record; extra columns are refused so a typo cannot
pass silently):

``athletes``: ``athlete_id`` (str), ``jurisdiction`` (str, e.g. ``EU``), optional
    ``name`` and ``date_of_birth`` (direct identifiers: governance drops them),
    ``body_mass_kg`` (kg, > 0).
``daily``: ``athlete_id``, ``date`` (ISO), ``load`` (>= 0), ``load_kind`` (one of
    :data:`LOAD_KINDS`: session-RPE AU, TRIMP AU, TSS, BikeScore); optional
    ``distance_band_1_m`` ... ``distance_band_5_m`` (m run in each speed band of the
    config), ``sleep_onset`` and ``sleep_offset`` (local clock ``HH:MM``, sleep that
    ends on this date), ``free_day`` (true/false: no alarm, for mid-sleep on free days),
    ``training_min`` and ``match_min`` (min, >= 0; empty: none), from which the exposure
    log is derived when no ``exposure`` table is given.
``tests``: ``athlete_id``, ``date``, ``kind``, ``value``, ``unit``; the unit must be the
    one :data:`TEST_UNITS` declares for the kind (``power_5min`` in W, ``dlmo`` in h, ...).
``bests``: ``athlete_id``, ``duration_s`` (> 0), ``power_w`` (> 0), optional ``date``.
``travel``: ``athlete_id``, ``date``, ``from_venue``, ``to_venue``.
``injuries``: ``athlete_id``, ``date`` (the day of the injury), ``injury_type`` (str, e.g.
    ``muscle``, ``other``), ``days_lost`` (whole days, >= 1: the athlete returns to play
    on ``date + days_lost``), ``context`` (one of :data:`INJURY_CONTEXTS`); time-loss
    injuries as defined by Fuller et al. (2006).
``exposure``: ``athlete_id``, ``date``, ``training_min`` and ``match_min`` (min, >= 0);
    at most one row per athlete and date, a date without a row has no exposure, and the
    first and last rows bound the athlete's log.

Errors are :class:`DataError` (a ``ValueError``) with ``.file``, ``.row`` (1-based data
row; the CSV line is one more) and ``.column``. Checks across rows and tables of the
injury and exposure logs (duplicates, an injury outside the log or on a day without
exposure) are :func:`calibration.injury.injury_design`'s.

Reference:
    Fuller CW et al. (2006). Consensus statement on injury definitions and data collection
    procedures in studies of football (soccer) injuries. Br J Sports Med 40:193-201.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

LOAD_KINDS = ("session-RPE", "TRIMP", "TSS", "BikeScore")
#: Unit of each test kind (value column); a row in another unit is an error.
TEST_UNITS = {"power_5min": "W", "power_20min": "W", "cmj_height": "cm", "sprint_30m": "s",
              "yoyo_ir1": "m", "readiness": "1", "dlmo": "h"}
N_DISTANCE_BANDS = 5
#: Where an injury happened (the exposure it is counted against).
INJURY_CONTEXTS = ("training", "match")


class DataError(ValueError):
    """Bad input: names the file, the 1-based data row and the column."""

    def __init__(self, file, row: int | None, column: str | None, message: str):
        self.file, self.row, self.column = str(file), row, column
        where = [f"file {self.file!r}"]
        if row is not None:
            where.append(f"row {row} (CSV line {row + 1})")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(", ".join(where) + f": {message}")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str | date | float | int | time | bool
    required: bool = True
    minimum: float | None = None
    exclusive: bool = False
    choices: tuple[str, ...] | None = None


def _bands() -> list[Column]:
    return [Column(f"distance_band_{i}_m", "float", False, 0.0)
            for i in range(1, N_DISTANCE_BANDS + 1)]


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "athletes": (Column("athlete_id", "str"), Column("jurisdiction", "str"),
                 Column("name", "str", False), Column("date_of_birth", "date", False),
                 Column("body_mass_kg", "float", False, 0.0, True)),
    "daily": (Column("athlete_id", "str"), Column("date", "date"),
              Column("load", "float", True, 0.0), Column("load_kind", "str",
                                                          choices=LOAD_KINDS),
              *_bands(), Column("sleep_onset", "time", False),
              Column("sleep_offset", "time", False), Column("free_day", "bool", False),
              Column("training_min", "float", False, 0.0),
              Column("match_min", "float", False, 0.0)),
    "tests": (Column("athlete_id", "str"), Column("date", "date"), Column("kind", "str"),
              Column("value", "float"), Column("unit", "str")),
    "bests": (Column("athlete_id", "str"), Column("duration_s", "float", True, 0.0, True),
              Column("power_w", "float", True, 0.0, True), Column("date", "date", False)),
    "travel": (Column("athlete_id", "str"), Column("date", "date"),
               Column("from_venue", "str"), Column("to_venue", "str")),
    "injuries": (Column("athlete_id", "str"), Column("date", "date"),
                 Column("injury_type", "str"), Column("days_lost", "int", True, 1.0),
                 Column("context", "str", choices=INJURY_CONTEXTS)),
    "exposure": (Column("athlete_id", "str"), Column("date", "date"),
                 Column("training_min", "float", True, 0.0),
                 Column("match_min", "float", True, 0.0)),
}

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_MISSING = ("", "nan", "NaN", "NA", "None", "<NA>", "NaT")


def _parse(value, col: Column, file, row: int):
    """One cell: parsed value, or None for an empty optional cell."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or (
            isinstance(value, str) and value.strip() in _MISSING) or value is pd.NaT:
        if col.required:
            raise DataError(file, row, col.name, "empty, but the column is required")
        return None
    text = str(value).strip()
    if col.kind == "str":
        if col.choices and text not in col.choices:
            raise DataError(file, row, col.name, f"{text!r}: expected one of {col.choices}")
        return text
    if col.kind == "date":
        if isinstance(value, dt.datetime | pd.Timestamp):
            return np.datetime64(pd.Timestamp(value).date(), "D")
        if isinstance(value, dt.date):
            return np.datetime64(value, "D")
        try:
            return np.datetime64(dt.date.fromisoformat(text), "D")
        except ValueError:
            raise DataError(file, row, col.name,
                            f"{text!r}: expected an ISO date YYYY-MM-DD") from None
    if col.kind in ("float", "int"):
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise DataError(file, row, col.name, f"{text!r}: expected a number") from None
        if not np.isfinite(x):
            raise DataError(file, row, col.name, f"{text!r}: expected a finite number")
        if col.kind == "int":
            if not x.is_integer():
                raise DataError(file, row, col.name, f"{text!r}: expected a whole number")
            x = int(x)
        if col.minimum is not None and (x < col.minimum or (col.exclusive and
                                                            x == col.minimum)):
            op = ">" if col.exclusive else ">="
            raise DataError(file, row, col.name, f"{x!r}: expected a value {op} {col.minimum}")
        return x
    if col.kind == "time":
        m = _TIME.match(text)
        if not m:
            raise DataError(file, row, col.name, f"{text!r}: expected a clock time HH:MM")
        return int(m[1]) + int(m[2]) / 60 + int(m[3] or 0) / 3600
    if col.kind == "bool":
        low = text.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise DataError(file, row, col.name, f"{text!r}: expected true or false")
    raise AssertionError(col.kind)


def read_table(path, table: str, *, test_units: dict[str, str] | None = None) -> pd.DataFrame:
    """Read and validate one table (CSV or Parquet) against :data:`SCHEMAS`.

    Returns a DataFrame with the schema's columns (optional ones absent from the file
    are filled with None): dates as ``datetime64[D]``, clock times as hours (float).

    Raises:
        DataError: unreadable file, missing or unknown column, bad cell (naming file, row,
            column); for ``tests``, a unit other than the kind's declared unit.
    """
    if table not in SCHEMAS:
        raise ValueError(f"table={table!r}: expected one of {tuple(SCHEMAS)}")
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            raw = pd.read_parquet(path)
            raw = raw.astype(object).where(raw.notna(), None)
        elif path.suffix == ".csv":
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            raise DataError(path, None, None, "expected a .csv or .parquet file")
    except DataError:
        raise
    except Exception as exc:  # unreadable: say which file
        raise DataError(path, None, None, f"cannot be read ({exc})") from None
    schema = SCHEMAS[table]
    known = {c.name for c in schema}
    for name in raw.columns:
        if name not in known:
            raise DataError(path, None, str(name), f"unknown column for table {table!r}; "
                                                   f"expected columns {sorted(known)}")
    for col in schema:
        if col.required and col.name not in raw.columns:
            raise DataError(path, None, col.name, f"missing required column of {table!r}")
    units = {**TEST_UNITS, **(test_units or {})}
    out: dict[str, list] = {c.name: [] for c in schema}
    for i, rec in enumerate(raw.to_dict("records"), start=1):
        for col in schema:
            out[col.name].append(_parse(rec.get(col.name), col, path, i))
        if table == "tests":
            kind, unit = out["kind"][-1], out["unit"][-1]
            if kind not in units:
                raise DataError(path, i, "kind", f"{kind!r}: unknown test kind; expected one "
                                                 f"of {sorted(units)} (extend test_units)")
            if unit != units[kind]:
                raise DataError(path, i, "unit", f"{unit!r}: a {kind} test is recorded in "
                                                 f"{units[kind]!r}")
    return pd.DataFrame(out)


@dataclass(frozen=True)
class DataPolicy:
    """How gaps and duplicates are handled (config ``data``); none is silent: each fix is
    returned as a note for the report.

    ``duplicates``: several daily rows for one athlete and date: ``"error"``, ``"sum"``
    (two sessions on one day) or ``"last"``. ``gaps``: dates missing between an
    athlete's first and last row: ``"error"`` or ``"zero"`` (a rest day, load 0).
    ``duplicate_tests``: several tests of one kind on a date: ``"error"`` or ``"mean"``.
    """

    duplicates: str = "error"
    gaps: str = "error"
    duplicate_tests: str = "error"

    def __post_init__(self) -> None:
        for key, options in (("duplicates", ("error", "sum", "last")),
                             ("gaps", ("error", "zero")),
                             ("duplicate_tests", ("error", "mean"))):
            if getattr(self, key) not in options:
                raise ValueError(f"data.{key}={getattr(self, key)!r}: expected one of "
                                 f"{options}")
