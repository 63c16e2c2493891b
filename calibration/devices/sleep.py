"""Wearable sleep exports -> ``sleep_onset`` and ``sleep_offset`` of the daily record.

Columns: ``athlete_id`` (optional in a one-athlete export: pass ``athlete_id=``),
``sleep_onset`` and ``sleep_offset`` (local date and clock time, ISO
``YYYY-MM-DD HH:MM[:SS]`` or with ``T``; a UTC offset, if written, is ignored: the local
clock is what the schema records), optional ``duration_min`` (time asleep, min: at
most the time from onset to offset).

Each sleep belongs to the date on which it ends (the schema's "sleep that ends on this
date"); the record's clock times are ``HH:MM`` of onset and offset. Where several sleeps
end on one date (a nap), the longest (onset to offset) is the day's main sleep.
Sleep period: 0 < offset - onset <= 24 h.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from calibration.devices._daily import athlete_rows, check_columns, read_csv, to_daily
from calibration.schema import DAY_MIN, Column, DataError, _parse

COLUMNS = (Column("athlete_id", "id", False), Column("sleep_onset", "str"),
           Column("sleep_offset", "str"),
           Column("duration_min", "float", False, 0.0, maximum=DAY_MIN,
                  source="minutes in a day"))


def _clock(text: str, path, row: int, column: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise DataError(path, row, column, f"{text!r}: expected a local date and time "
                        "YYYY-MM-DD HH:MM") from None
    return when.replace(tzinfo=None)


def read_sleep(path, *, athlete_id=None) -> pd.DataFrame:
    """Daily sleep records (``daily`` columns) from a sleep export (module docstring).

    Raises:
        DataError: unknown or missing column, a malformed time, offset not after onset,
            time asleep longer than the sleep period (naming file, row, column).
    """
    table = read_csv(path)
    check_columns(table.columns, COLUMNS, file=path)
    days: dict[tuple, tuple] = {}
    for i, raw in athlete_rows(table, athlete_id, file=path):
        aid = _parse(raw["athlete_id"], COLUMNS[0], path, i)
        onset = _clock(raw["sleep_onset"], path, i, "sleep_onset")
        offset = _clock(raw["sleep_offset"], path, i, "sleep_offset")
        period = (offset - onset).total_seconds() / 60.0
        if not 0.0 < period <= DAY_MIN:
            raise DataError(path, i, "sleep_offset", f"{offset} is {period:g} min after "
                            f"onset {onset}: expected 0 < offset - onset <= 24 h")
        asleep = _parse(raw.get("duration_min"), COLUMNS[3], path, i)
        if asleep is not None and asleep > period + 1.0:
            raise DataError(path, i, "duration_min", f"{asleep:g} min asleep in a "
                            f"{period:g}-min sleep period: expected at most the period")
        key = (aid, offset.date())
        if key not in days or period > days[key][0]:
            days[key] = (period, i, {"athlete_id": aid, "date": offset.date(),
                                     "sleep_onset": onset.strftime("%H:%M:%S"),
                                     "sleep_offset": offset.strftime("%H:%M:%S")})
    keys = sorted(days)
    return to_daily([days[k][2] for k in keys], file=path, rows=[days[k][1] for k in keys],
                    names={"date": "sleep_offset"})
