"""The demo season as device files: each day of :func:`twin.serve.demo.synthetic_records`
written as the exports a club has, in the formats :mod:`calibration.devices` reads.

For each day, four squad-wide CSV files (:func:`write_day`):

- ``vendor.csv``: the GPS vendor's session export (:func:`calibration.devices.read_vendor_csv`),
  one row per pitch session (the plan's training or match minutes): its minutes, and
  distances of ``M_PER_MIN`` metres a minute split over the five speed bands by
  ``BAND_SHARE``; high-speed running bands 4 + 5, sprints one per 25 m of band 5, player
  load ``PLAYER_LOAD_PER_MIN`` a minute (all assumptions of the demo: a plausible export,
  not a model the twin reads);
- ``srpe.csv``: session-RPE (:func:`calibration.devices.read_srpe`), whose RPE x
  duration sum to the day's synthetic load: the pitch session at RPE load / minutes
  while that is at most 10; a load more than 10 a minute (the overload block, or a load
  on a day without a pitch session) is the pitch session at RPE 10 plus gym sessions of
  ``GYM_MIN`` minutes (no GPS) at equal RPE <= 10; a day of load 0 has no row (a rest
  day: posted with ``missing_load=zero``);
- ``sleep.csv``: the night ending that day (:func:`calibration.devices.read_sleep`),
  onset on the day before when it is after noon;
- ``hrv.csv``: a morning rMSSD 10 minutes after waking (:func:`calibration.devices.read_hrv`),
  ``HRV_BASE_MS`` times ``exp(HRV_PER_POINT * (readiness - 7))``: the synthetic readiness
  score carried by the HRV channel (an assumption of the demo; the twin's filter reads
  neither, it is shown to ``medical``).

Readiness itself is a questionnaire score, not a device file: the demo's files carry
none, so the readiness-drop rule has nothing to fire on. Everything is deterministic
(no random numbers beyond the synthetic season's own).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from pathlib import Path

from calibration.devices.vendor_csv import HEADER as VENDOR_HEADER

#: Metres a minute of a pitch session (assumption: 70 in training, 105 in a match).
M_PER_MIN = {"Training": 70.0, "Match": 105.0}
#: Share of the distance in each speed band (assumption; bands of calibration.schema).
BAND_SHARE = (0.32, 0.40, 0.16, 0.08, 0.04)
PLAYER_LOAD_PER_MIN = 9.5  # AU a minute (assumption)
GYM_MIN = 60.0  # minutes of a gym session of the overload (assumption)
HRV_BASE_MS, HRV_PER_POINT = 65.0, 0.06  # ms; per readiness point (assumption)
FILES = ("vendor.csv", "srpe.csv", "sleep.csv", "hrv.csv")


def srpe_sessions(load: float, pitch_min: float, kind: str) -> list[tuple[float, float, str]]:
    """(RPE, minutes, session) rows whose RPE x minutes sum to ``load`` (docstring)."""
    if load <= 0.0:
        return []
    if pitch_min > 0.0 and load <= 10.0 * pitch_min:
        return [(load / pitch_min, pitch_min, kind)]
    rows = [(10.0, pitch_min, kind)] if pitch_min > 0.0 else []
    rest = load - 10.0 * pitch_min
    n = math.ceil(rest / (10.0 * GYM_MIN))
    return rows + [(rest / (n * GYM_MIN), GYM_MIN, "training")] * n


def _vendor_row(aid: str, date: str, kind: str, minutes: float) -> list:
    total = minutes * M_PER_MIN[kind]
    bands = [round(total * share, 1) for share in BAND_SHARE]
    return [aid, date, kind, minutes, round(sum(bands), 1), *bands,
            round(bands[3] + bands[4], 1), int(bands[4] // 25.0),
            round(minutes * PLAYER_LOAD_PER_MIN, 1)]


def _hours(clock: str) -> float:
    h, m = clock.split(":")[:2]
    return int(h) + int(m) / 60.0


def write_day(records: list[dict], folder) -> list[Path]:
    """The four CSV files of one day's records (every athlete's) in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vendor, srpe, sleep, hrv = [VENDOR_HEADER], [("athlete_id", "date", "rpe",
                                                  "duration_min", "session")], \
        [("athlete_id", "sleep_onset", "sleep_offset")], [("athlete_id", "date",
                                                           "rmssd_ms", "time")]
    for r in records:
        aid, date = r["athlete"], r["date"]
        day = dt.date.fromisoformat(date)
        pitch = [("Training", r["training_min"]), ("Match", r["match_min"])]
        for kind, minutes in pitch:
            if minutes > 0:
                vendor.append(_vendor_row(aid, date, kind, minutes))
        kind, minutes = max(pitch, key=lambda p: p[1])
        for rpe, dur, session in srpe_sessions(r["load"], minutes, kind.lower()):
            srpe.append((aid, date, repr(rpe), repr(dur), session))
        on, off = _hours(r["sleep_onset"]), _hours(r["sleep_offset"])
        onset_day = day - dt.timedelta(days=1) if on >= 12.0 else day
        sleep.append((aid, f"{onset_day} {r['sleep_onset']}", f"{date} {r['sleep_offset']}"))
        if r.get("readiness") is not None:
            ms = HRV_BASE_MS * math.exp(HRV_PER_POINT * (r["readiness"] - 7.0))
            t = round(off * 60 + 10) % (24 * 60)
            hrv.append((aid, date, f"{ms:.1f}", f"{t // 60:02d}:{t % 60:02d}"))
    paths = []
    for name, rows in zip(FILES, (vendor, srpe, sleep, hrv), strict=True):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (folder / name).write_text(buf.getvalue())
        paths.append(folder / name)
    return paths


def bundle(paths) -> bytes:
    """A ZIP archive of the files (fixed timestamps: the same files, the same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.writestr(zipfile.ZipInfo(Path(p).name, (2026, 1, 1, 0, 0, 0)),
                       Path(p).read_bytes(), zipfile.ZIP_DEFLATED)
    return buf.getvalue()
