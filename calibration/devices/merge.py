"""Several sources' daily records -> one record per athlete and date.

Each source (a frame from :func:`calibration.devices.read_device_file` or
:func:`calibration.read_table`) gives some fields: the session-RPE table the load, GPS
(FIT, GPX, TCX, a vendor export) the distances per band and the minutes, a wearable the
sleep, an HRV app the morning rMSSD. :func:`merge_daily` joins them on
(``athlete_id``, ``date``):

- within one frame, rows of one athlete and date are sessions of that day: additive
  fields (load, band distances, minutes) are summed; the others (load kind, sleep,
  free day, rMSSD) must agree. Concatenate two FIT files of one day's double session
  into one frame to sum them;
- across frames, a field may come from one source only: two sources giving one field
  for one athlete and date is a conflicting duplicate (the same session counted twice,
  or two devices that disagree) and is refused, unless the values are equal;
- a merged record without a load is an error by default (``missing_load="error"``);
  ``"zero"`` takes it for a rest day (load 0 in the athlete's load kind) and ``"keep"``
  leaves it empty (a partial record: :func:`calibration.read_table` would refuse it).

The summed fields are checked against the schema's ranges again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from calibration.devices._daily import DAILY_COLUMNS
from calibration.schema import LOAD_MAX_PER_DAY, SCHEMAS, DataError, _parse

ADDITIVE = ("load", *(c for c in DAILY_COLUMNS if c.startswith("distance_band_")),
            "training_min", "match_min")
MISSING_LOAD = ("error", "zero", "keep")
_KEY = ("athlete_id", "date")


def _empty(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT


def _same(a, b) -> bool:
    if isinstance(a, float | int | np.floating) and isinstance(b, float | int | np.floating):
        return float(a) == float(b)
    return a == b


def _collapse(frame: pd.DataFrame, file: str) -> dict:
    """{(athlete, date): {field: value}} of one frame, sessions of a day combined."""
    cols = {c.name: c for c in SCHEMAS["daily"]}
    out: dict[tuple, dict] = {}
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        key = (str(rec["athlete_id"]), np.datetime64(rec["date"], "D"))
        day = out.setdefault(key, {})
        for name in DAILY_COLUMNS:
            v = rec.get(name)
            if name in _KEY or _empty(v):
                continue
            if name not in day:
                day[name] = v
            elif name in ADDITIVE:
                day[name] = _parse(float(day[name]) + float(v), cols[name], file, i)
            elif not _same(day[name], v):
                raise DataError(file, i, name, f"{v!r} for {key[0]} on {key[1]}, but an "
                                f"earlier row has {day[name]!r}: expected one value a day")
    return out


def merge_daily(frames: Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame], *,
                missing_load: str = "error") -> pd.DataFrame:
    """One ``daily`` record per athlete and date from several sources (module docstring).

    Args:
        frames: daily frames; a mapping names each source, else ``frame.attrs["file"]``
            (set by the readers) or its position.
        missing_load: ``"error"``, ``"zero"`` or ``"keep"`` for a record without load.

    Returns:
        The ``daily`` columns, sorted by athlete and date, dates ``datetime64``, clock
        times as hours, as :func:`calibration.read_table` returns them.

    Raises:
        DataError: a conflicting duplicate (naming both sources, the athlete, the date
            and the field), a summed value out of range, a record without load.
    """
    if missing_load not in MISSING_LOAD:
        raise ValueError(f"missing_load={missing_load!r}: expected one of {MISSING_LOAD}")
    items = (list(frames.items()) if isinstance(frames, Mapping) else
             [(f.attrs.get("file", f"frame {k}"), f) for k, f in enumerate(frames)])
    merged: dict[tuple, dict] = {}
    origin: dict[tuple, str] = {}
    for name, frame in items:
        missing = set(_KEY) - set(frame.columns)
        if missing:
            raise DataError(name, None, sorted(missing)[0], "missing key column")
        for key, fields in _collapse(frame, str(name)).items():
            day = merged.setdefault(key, {})
            for field, v in fields.items():
                if field in day and not _same(day[field], v):
                    raise DataError(f"{origin[key, field]} and {name}", None, field,
                                    f"{key[0]} on {key[1]}: {day[field]!r} from "
                                    f"{origin[key, field]!r} but {v!r} from {name!r}: "
                                    "a conflicting duplicate (expected one source per "
                                    "field, or equal values)")
                day[field] = v
                origin.setdefault((key, field), str(name))
    kinds: dict[str, str] = {}
    for (aid, _), day in merged.items():
        if "load_kind" in day:
            kinds.setdefault(aid, day["load_kind"])
    rows = []
    for key in sorted(merged):
        day = merged[key]
        if "load" not in day and missing_load != "keep":
            if missing_load == "error" or key[0] not in kinds:
                sources = " and ".join(sorted({origin[key, f] for f in day}))
                raise DataError(sources, None, "load", f"no load for "
                                f"{key[0]} on {key[1]} in any source (missing_load: error "
                                "| zero | keep; zero needs the athlete's load kind)")
            day.update(load=0.0, load_kind=kinds[key[0]])
        if "load" in day and day["load"] > LOAD_MAX_PER_DAY[day["load_kind"]]:
            raise DataError(origin[key, "load"], None, "load", f"{day['load']!r} for "
                            f"{key[0]} on {key[1]}: above a day's "
                            f"{LOAD_MAX_PER_DAY[day['load_kind']]:g} {day['load_kind']}")
        rows.append({"athlete_id": key[0], "date": key[1],
                     **{c: day.get(c) for c in DAILY_COLUMNS if c not in _KEY}})
    out = pd.DataFrame(rows, columns=list(DAILY_COLUMNS))
    out["date"] = out["date"].astype("datetime64[s]")
    return out
