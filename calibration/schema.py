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

Every number has a plausible range, every date lies from 1900 to today, every athlete id
is letters, digits and ``. _ -`` (:data:`SCHEMAS`; ranges and their sources under
"Plausible ranges" below: :data:`LOAD_MAX_PER_DAY`, :data:`TEST_RANGES`, ...); a value
outside is an entry or unit error, refused naming file, row and column.

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
    """One column: its kind, whether required, and its plausible range (with its source)."""

    name: str
    kind: str  # str | date | float | int | time | bool | id
    required: bool = True
    minimum: float | None = None
    exclusive: bool = False
    choices: tuple[str, ...] | None = None
    maximum: float | None = None
    source: str = ""  # where the range comes from


# Plausible ranges, each with its source. A value outside is a unit or entry error, named.
#: Minutes in a day: a day's exposure, training or match minutes cannot exceed it.
DAY_MIN = 24 * 60.0
#: Running no faster on average than the fastest human's peak speed (12.4 m/s, Bolt 2009)
#: in any band over a whole day (the ceiling scenarios/_season.py uses over a session).
MAX_SPEED_M_S = 12.5
_BAND = (MAX_SPEED_M_S * 60.0 * DAY_MIN,
         "at most 12.5 m/s (Bolt 2009 peak 12.4 m/s) for 24 h")
#: A day's load per kind: the scale's top for every minute of 24 h (an upper bound no day
#: reaches). session-RPE: CR-10 x min (Foster et al. 2001), 10 AU/min; TRIMP: Banister's
#: weighting at HRmax, 0.86 e^(1.67) = 4.6 AU/min (women; men 4.4); TSS and BikeScore:
#: 100 per hour at threshold (Coggan), 1.67 per min.
LOAD_MAX_PER_DAY = {"session-RPE": 10.0 * DAY_MIN, "TRIMP": 4.6 * DAY_MIN,
                    "TSS": 100.0 / 60.0 * DAY_MIN, "BikeScore": 100.0 / 60.0 * DAY_MIN}
#: Body mass: the range the squad config accepts (scenarios/_squad.py), 30-200 kg.
BODY_MASS_KG = (30.0, 200.0)
#: Peak power: the upper bound of the power-duration record's Pmax
#: (calibration.records.PowerDurationParams.p_max, 3000 W); no effort of any length beats it.
MAX_POWER_W = 3000.0
#: Longest power-duration best: a day (assumption: bests are efforts of one ride).
MAX_BEST_S = 86_400.0
#: Longest time loss: two seasons (assumption: a longer absence ends a career rather than
#: being one time-loss injury in Fuller et al.'s sense).
MAX_DAYS_LOST = 730
#: Dates: none before 1900, none after today (a future date is an entry error).
FIRST_DATE = dt.date(1900, 1, 1)
#: Plausible range of each test kind's value, in its unit, and the source.
TEST_RANGES: dict[str, tuple[float, float, str]] = {
    "power_5min": (0.0, MAX_POWER_W, "(0, Pmax upper bound 3000 W] (PowerDurationParams)"),
    "power_20min": (0.0, MAX_POWER_W, "(0, Pmax upper bound 3000 W] (PowerDurationParams)"),
    "cmj_height": (0.0, 100.0, "(0, 100] cm (assumption: elite jumpers reach 60-70 cm)"),
    "sprint_30m": (3.0, 15.0, "[3, 15] s (Bolt's 30 m split 3.78 s, Berlin 2009; a walk "
                              "is slower than 15 s)"),
    "yoyo_ir1": (0.0, 5_000.0, "(0, 5000] m (the Yo-Yo IR1 ends near 4800 m, Bangsbo "
                               "et al. 2008)"),
    "readiness": (0.0, 10.0, "[0, 10] (assumption: a 0-10 readiness scale)"),
    "dlmo": (0.0, 48.0, "(0, 48) h clock time, the domain of circadian.dlmo_h "
                        "(CircadianPhaseParams)"),
}
#: Athlete ids: letters, digits and . _ - (not first), at most 64 characters; an id is
#: part of file names (report_<id>.png) and of the twin's configs.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _bands() -> list[Column]:
    return [Column(f"distance_band_{i}_m", "float", False, 0.0, maximum=_BAND[0],
                   source=_BAND[1]) for i in range(1, N_DISTANCE_BANDS + 1)]


def _minutes(name: str, required: bool) -> Column:
    return Column(name, "float", required, 0.0, maximum=DAY_MIN,
                  source="minutes in a day")


_AID = Column("athlete_id", "id")


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "athletes": (_AID, Column("jurisdiction", "str"),
                 Column("name", "str", False), Column("date_of_birth", "date", False),
                 Column("body_mass_kg", "float", False, BODY_MASS_KG[0],
                        maximum=BODY_MASS_KG[1], source="the squad config's range")),
    "daily": (_AID, Column("date", "date"),
              Column("load", "float", True, 0.0, source="LOAD_MAX_PER_DAY of the load_kind"),
              Column("load_kind", "str", choices=LOAD_KINDS),
              *_bands(), Column("sleep_onset", "time", False),
              Column("sleep_offset", "time", False), Column("free_day", "bool", False),
              _minutes("training_min", False), _minutes("match_min", False)),
    "tests": (_AID, Column("date", "date"), Column("kind", "str"),
              Column("value", "float", source="TEST_RANGES of the kind"),
              Column("unit", "str")),
    "bests": (_AID, Column("duration_s", "float", True, 0.0, True, maximum=MAX_BEST_S,
                           source="a day (assumption)"),
              Column("power_w", "float", True, 0.0, True, maximum=MAX_POWER_W,
                     source="Pmax upper bound (PowerDurationParams)"),
              Column("date", "date", False)),
    "travel": (_AID, Column("date", "date"),
               Column("from_venue", "str"), Column("to_venue", "str")),
    "injuries": (_AID, Column("date", "date"),
                 Column("injury_type", "str"),
                 Column("days_lost", "int", True, 1.0, maximum=MAX_DAYS_LOST,
                        source="two seasons (assumption)"),
                 Column("context", "str", choices=INJURY_CONTEXTS)),
    "exposure": (_AID, Column("date", "date"), _minutes("training_min", True),
                 _minutes("match_min", True)),
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
    if col.kind == "id":
        if not _ID.match(text):
            raise DataError(file, row, col.name, "expected an id of letters, digits and "
                                                 "'.', '_', '-' (not first), at most 64")
        return text
    if col.kind == "str":
        if col.choices and text not in col.choices:
            raise DataError(file, row, col.name, f"{text!r}: expected one of {col.choices}")
        return text
    if col.kind == "date":
        if isinstance(value, dt.datetime | pd.Timestamp):
            day = pd.Timestamp(value).date()
        elif isinstance(value, dt.date):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise DataError(file, row, col.name,
                                f"{text!r}: expected an ISO date YYYY-MM-DD") from None
        if not FIRST_DATE <= day <= dt.date.today():
            raise DataError(file, row, col.name, f"{text!r}: expected a date from "
                                                 f"{FIRST_DATE} to today ({dt.date.today()})")
        return np.datetime64(day, "D")
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
        if col.maximum is not None and x > col.maximum:
            raise DataError(file, row, col.name, f"{x!r}: expected a value <= "
                                                 f"{col.maximum:g} ({col.source})")
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
            low, high, source = TEST_RANGES.get(kind, (-np.inf, np.inf, ""))
            value = out["value"][-1]
            if not low < value <= high and not (low == value == 0.0 and kind == "readiness"):
                raise DataError(path, i, "value", f"{value!r}: a {kind} test is expected in "
                                                  f"{source}")
        elif table == "daily":
            kind, load = out["load_kind"][-1], out["load"][-1]
            if load > LOAD_MAX_PER_DAY[kind]:
                raise DataError(path, i, "load", f"{load!r}: expected a day's {kind} load <= "
                                                 f"{LOAD_MAX_PER_DAY[kind]:g} (the scale's "
                                                 "top for 24 h; calibration.schema)")
    frame = pd.DataFrame(out)
    if table == "bests" and len(frame):
        dup = frame.duplicated(["athlete_id", "duration_s"]).to_numpy()
        if dup.any():
            i = int(np.argmax(dup))
            raise DataError(path, i + 1, "duration_s", f"a second best of "
                            f"{frame['duration_s'][i]:g} s for one athlete; expected one "
                            "per athlete and duration")
    return frame


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
