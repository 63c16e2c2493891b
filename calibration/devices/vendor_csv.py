"""GPS-vendor session exports (CSV, one row per player and session) -> daily records.

The column set, modelled on how team-sport GPS exports (Catapult OpenField, STATSports
Apex) lay out a session report; names are this module's, no vendor's code or template:

=============================  ===============================================
``Player ID``                  the athlete id (a pseudonym: no names here)
``Date``                       session date, ISO ``YYYY-MM-DD`` (local)
``Session Type``               ``Training`` or ``Match``
``Duration (min)``             session duration (min)
``Total Distance (m)``         distance (m)
``Distance Band 1 (m)`` .. 5   distance (m) in each speed band; the export's zones
                               must be the project's bands
                               (:data:`calibration.schema.DISTANCE_BANDS`: 0-2,
                               2-4, 4-5.5, 5.5-7, > 7 m/s)
``High Speed Running (m)``     distance above 5.5 m/s (19.8 km/h) (m)
``Sprints``                    count of sprint efforts
``Player Load``                accelerometer load (AU, the vendor's)
=============================  ===============================================

Checks beyond each cell's range: the bands must sum to the total distance and bands 4
and 5 to the high-speed running distance, each within 1 % or 1 m (:data:`TOLERANCE`;
the vendor rounds each figure: a larger gap means the zones are not the project's
bands). Sessions of one athlete and date are summed into one daily record: distances
per band, ``training_min`` from training sessions, ``match_min`` from matches.
Sprints and player load are checked, not kept: the ``daily`` schema has no column for
them. The export has no internal load: ``load`` comes from the session-RPE table
(:func:`calibration.devices.merge_daily`).
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
from calibration.schema import _BAND, DAY_MIN, N_DISTANCE_BANDS, Column, DataError

BANDS = tuple(f"Distance Band {b} (m)" for b in range(1, N_DISTANCE_BANDS + 1))
#: Sum checks: within 1 % or 1 m, whichever is larger (the vendor rounds each figure).
TOLERANCE = (0.01, 1.0)
#: Sprint efforts in one session: at most 500 (assumption: a match has 20-40).
MAX_SPRINTS = 500
#: Player load of one session: at most 10 000 AU (assumption: a match is near 1 000 AU).
MAX_PLAYER_LOAD = 10_000.0
_DIST = {"minimum": 0.0, "maximum": _BAND[0], "source": _BAND[1]}
COLUMNS = (
    Column("Player ID", "id"),
    Column("Date", "date"),
    Column("Session Type", "str", choices=("Training", "Match")),
    Column("Duration (min)", "float", True, 0.0, maximum=DAY_MIN, source="minutes in a day"),
    Column("Total Distance (m)", "float", True, **_DIST),
    *(Column(name, "float", True, **_DIST) for name in BANDS),
    Column("High Speed Running (m)", "float", True, **_DIST),
    Column("Sprints", "int", True, 0.0, maximum=MAX_SPRINTS, source="assumption"),
    Column("Player Load", "float", True, 0.0, maximum=MAX_PLAYER_LOAD, source="assumption"),
)
HEADER = tuple(c.name for c in COLUMNS)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(TOLERANCE[0] * max(abs(a), abs(b)), TOLERANCE[1])


def read_vendor_csv(path, *, athlete_id=None) -> pd.DataFrame:
    """Daily records (``daily`` columns, no load) from a vendor export (module docstring).

    Args:
        path: the CSV file.
        athlete_id: only this athlete's rows (default: all).

    Raises:
        DataError: unknown or missing column, a bad cell, bands that do not add up
            (naming file, row and column).
    """
    table = read_csv(path)
    check_columns(table.columns, COLUMNS, file=path)
    days: dict[tuple, dict] = {}
    first: dict[tuple, int] = {}
    for i, raw in athlete_rows(table.rename(columns={"Player ID": "athlete_id"}),
                               athlete_id, file=path):
        row = parse_row({**raw, "Player ID": raw["athlete_id"]}, COLUMNS, file=path, row=i)
        bands = [row[name] for name in BANDS]
        if not _close(sum(bands), row["Total Distance (m)"]):
            raise DataError(path, i, "Total Distance (m)", f"{row['Total Distance (m)']:g}"
                            f" m, but the bands sum to {sum(bands):g} m: expected equal "
                            "within 1 % or 1 m (the export's zones must be the project's "
                            "speed bands)")
        if not _close(bands[3] + bands[4], row["High Speed Running (m)"]):
            raise DataError(path, i, "High Speed Running (m)",
                            f"{row['High Speed Running (m)']:g} m, but bands 4 and 5 sum to"
                            f" {bands[3] + bands[4]:g} m: expected equal within 1 % or 1 m "
                            "(high-speed running is > 5.5 m/s)")
        key = (row["Player ID"], row["Date"])
        minutes = "match_min" if row["Session Type"] == "Match" else "training_min"
        day = days.setdefault(key, {"athlete_id": key[0], "date": str(key[1]),
                                    **{f"distance_band_{b}_m": 0.0
                                       for b in range(1, N_DISTANCE_BANDS + 1)}})
        first.setdefault(key, i)
        for b, metres in enumerate(bands, start=1):
            day[f"distance_band_{b}_m"] += metres
        day[minutes] = day.get(minutes, 0.0) + row["Duration (min)"]
    names = {"athlete_id": "Player ID", "date": "Date", "training_min": "Duration (min)",
             "match_min": "Duration (min)",
             **{f"distance_band_{b}_m": BANDS[b - 1]
                for b in range(1, N_DISTANCE_BANDS + 1)}}
    keys = sorted(days)
    return to_daily([days[k] for k in keys], file=path, rows=[first[k] for k in keys],
                    names=names)

