"""Session-RPE tables (Foster et al. 2001) -> the daily internal load.

Columns: ``athlete_id`` (optional in a one-athlete file: pass ``athlete_id=``), ``date``
(ISO), ``rpe`` (the athlete's rating of the whole session on Borg's CR-10 scale as
modified by Foster, 0-10, about 30 min after it), ``duration_min`` (min, > 0), optional
``session`` (``training`` or ``match``).

Session load (AU) and the daily load, summed over the day's sessions :math:`j`:

.. math:: L_j = \\mathrm{RPE}_j \\times \\mathrm{duration}_j, \\qquad
          L_{\\text{day}} = \\sum_j L_j ,

``load_kind`` ``"session-RPE"``. With ``minutes=True`` the durations also fill
``training_min`` and ``match_min`` (leave it off when a GPS source gives the minutes,
or :func:`calibration.devices.merge_daily` sees two sources for them).

Reference:
    Foster C, Florhaug JA, Franklin J, et al. (2001). A new approach to monitoring
    exercise training. J Strength Cond Res 15:109-115.
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
from calibration.schema import DAY_MIN, Column

#: CR-10 (Foster et al. 2001): 0 rest ... 10 maximal.
RPE_RANGE = (0.0, 10.0)
COLUMNS = (
    Column("athlete_id", "id", False),
    Column("date", "date"),
    Column("rpe", "float", True, RPE_RANGE[0], maximum=RPE_RANGE[1],
           source="the CR-10 scale, 0-10 (Foster et al. 2001)"),
    Column("duration_min", "float", True, 0.0, True, maximum=DAY_MIN,
           source="minutes in a day"),
    Column("session", "str", False, choices=("training", "match")),
)


def read_srpe(path, *, athlete_id=None, minutes: bool = False) -> pd.DataFrame:
    """Daily session-RPE load (``daily`` columns) from a session-RPE table (module
    docstring).

    Raises:
        DataError: unknown or missing column, an RPE outside 0-10, a bad duration or
            date, a day's load above the schema's ceiling (naming file, row, column).
    """
    table = read_csv(path)
    check_columns(table.columns, COLUMNS, file=path)
    days: dict[tuple, dict] = {}
    first: dict[tuple, int] = {}
    for i, raw in athlete_rows(table, athlete_id, file=path):
        row = parse_row(raw, COLUMNS, file=path, row=i)
        key = (row["athlete_id"], row["date"])
        day = days.setdefault(key, {"athlete_id": key[0], "date": str(key[1]), "load": 0.0,
                                    "load_kind": "session-RPE"})
        first.setdefault(key, i)
        day["load"] += row["rpe"] * row["duration_min"]
        if minutes:
            name = f"{row['session'] or 'training'}_min"
            day[name] = day.get(name, 0.0) + row["duration_min"]
    keys = sorted(days)
    return to_daily([days[k] for k in keys], file=path, rows=[first[k] for k in keys],
                    names={"load": "rpe", "training_min": "duration_min",
                           "match_min": "duration_min"})
