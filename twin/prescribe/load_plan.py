"""Per-athlete training-load plans (``scenario.load_plan``): read and check (the engine
applies them, :func:`twin.engine.load_plan.apply_load_plan`).

A plan is a CSV with columns ``athlete`` (the id as the cube shows it), ``date`` (ISO)
and ``training_load_au`` (session-RPE, AU, >= 0), as ``twin-plan`` writes it. On the
planned dates it replaces the scenario's training load for that athlete (times the sweep's
training-volume multiplier); running volume follows the load at the season's metres per
AU of training in each speed band (the optimiser's model). Match and rest days keep what
the calendar says. Errors name the file, row and column; a plan that names an athlete not
in the squad, or a date outside the season, is refused.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from scenarios import ConfigError

COLUMNS = ("athlete", "date", "training_load_au")
#: A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


#: The columns ``twin-plan`` and ``twin-serve`` write (the template's load and the match
#: flag beside the plan's, for people; :func:`read_load_plan` reads :data:`COLUMNS`).
WRITTEN = ("athlete", "date", "training_load_au", "template_load_au", "match")


def write_load_plan(fh, rows) -> None:
    """Write a plan to the text file ``fh``: ``rows`` of (athlete id, ISO date, planned
    load AU, template load AU, match day); ids are written spreadsheet-safe."""
    w = csv.writer(fh)  # RFC 4180 line ends
    w.writerow(WRITTEN)
    for athlete, day, load, template, match in rows:
        w.writerow([safe_cell(athlete), str(day), f"{load:.3f}", f"{template:.3f}",
                    int(match)])


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character gets a ``'``
    in front (as the OWASP guidance on CSV injection advises); :func:`read_load_plan`
    takes it off again, so ids round-trip."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA) else text


def _unsafe_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA) else text


def read_load_plan(path, athletes, dates) -> np.ndarray:
    """Planned training load ``(athletes, days)``, NaN on days without a plan."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"scenario.load_plan = {str(path)!r}: no such file")
    index = {a: i for i, a in enumerate(athletes)}
    day0 = np.datetime64(dates[0], "D")
    out = np.full((len(athletes), len(dates)), np.nan)
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ConfigError(f"{path}: missing column(s) {missing}; expected {list(COLUMNS)}")
        for row_no, row in enumerate(reader, start=2):
            where = f"{path}, row {row_no}"
            row["athlete"] = _unsafe_cell(row["athlete"])
            if row["athlete"] not in index:
                raise ConfigError(f"{where}, column athlete: {row['athlete']!r} is not in the "
                                  "squad (ids as the cube shows them)")
            try:
                day = int((np.datetime64(row["date"], "D") - day0).astype(int))
            except ValueError:
                raise ConfigError(f"{where}, column date: {row['date']!r} is not an ISO "
                                  "date") from None
            if not 0 <= day < len(dates):
                raise ConfigError(f"{where}, column date: {row['date']} is outside the "
                                  f"season ({dates[0]} to {dates[-1]})")
            try:
                load = float(row["training_load_au"])
            except ValueError:
                load = np.nan
            if not np.isfinite(load) or load < 0:
                raise ConfigError(f"{where}, column training_load_au: "
                                  f"{row['training_load_au']!r}: expected a load >= 0 AU")
            out[index[row["athlete"]], day] = load
    return out
