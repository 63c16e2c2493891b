"""Heart-rate variability exports (morning rMSSD) -> ``hrv_rmssd_ms`` of the daily record.

Columns: ``athlete_id`` (optional in a one-athlete export: pass ``athlete_id=``),
``date`` (ISO), ``rmssd_ms`` (ms), optional ``time`` (local clock ``HH:MM`` of the
measurement). rMSSD is the root mean square of successive differences of the RR
intervals :math:`RR_k` of the recording,

.. math:: \\mathrm{rMSSD} = \\sqrt{\\frac{1}{N-1}\\sum_{k=1}^{N-1}(RR_{k+1} - RR_k)^2},

measured on waking (Shaffer & Ginsberg 2017). One morning measurement per date: a
second one on a date is an error, and so is a ``time`` at or after 12:00 (assumption:
a morning measurement is taken before noon). The range, [5, 250] ms, is the schema's
(:data:`calibration.schema.HRV_RMSSD_MS`).

Reference:
    Shaffer F, Ginsberg JP (2017). An overview of heart rate variability metrics and
    norms. Front Public Health 5:258.
"""

from __future__ import annotations

import pandas as pd

from calibration.devices._daily import (
    athlete_rows,
    check_columns,
    parse_row,
    read_csv,
    to_daily,
)
from calibration.schema import Column, DataError

#: A morning measurement is taken before this local hour (assumption).
MORNING_BEFORE_H = 12.0
COLUMNS = (Column("athlete_id", "id", False), Column("date", "date"),
           Column("rmssd_ms", "float"), Column("time", "time", False))


def read_hrv(path, *, athlete_id=None) -> pd.DataFrame:
    """Daily morning rMSSD (``daily`` columns) from an HRV export (module docstring).

    Raises:
        DataError: unknown or missing column, a second measurement on a date, an
            afternoon time, rMSSD outside [5, 250] ms (naming file, row, column).
    """
    table = read_csv(path)
    check_columns(table.columns, COLUMNS, file=path)
    recs, rows, seen = [], [], {}
    for i, raw in athlete_rows(table, athlete_id, file=path):
        row = parse_row(raw, COLUMNS, file=path, row=i)
        key = (row["athlete_id"], row["date"])
        if key in seen:
            raise DataError(path, i, "date", f"a second rMSSD for {key[0]} on {key[1]} "
                            f"(first on row {seen[key]}): expected one morning measurement")
        seen[key] = i
        if row["time"] is not None and row["time"] >= MORNING_BEFORE_H:
            raise DataError(path, i, "time", f"{raw['time']!r}: expected a morning "
                            "measurement, before 12:00")
        recs.append({"athlete_id": key[0], "date": str(key[1]),
                     "hrv_rmssd_ms": raw["rmssd_ms"]})
        rows.append(i)
    return to_daily(recs, file=path, rows=rows, names={"hrv_rmssd_ms": "rmssd_ms"})
