"""Synthetic sample files of every device format, made here (deterministic, seeded).

``python -m calibration.devices.samples [DIR]`` (default ``calibration/data/devices``)
writes:

- ``football_session.fit``: a 90-min football training session of athlete ``p01`` on
  2024-03-04 (17:30 UTC, local UTC+1), a point every 2 s, written by
  :func:`calibration.devices.write_fit`;
- ``run_5km.gpx``: a 5-km run (``p02``, 2024-03-05) on a 300-m-radius loop, a point
  every 5 s;
- ``ride.tcx``: a 20-min ride (``p03``, 2024-03-06), a point every 10 s;
- ``vendor_sessions.csv``, ``srpe.csv``, ``sleep.csv``, ``hrv.csv``: 3 athletes
  (``p01``-``p03``) x 14 days from 2024-03-04 (matches on days 5 and 12, rest days 6
  and 13).

The speed of each track is piecewise constant over its sampling intervals, drawn within
a band and at least 0.2 m/s from its edges, so the true distance per band is known
exactly (:func:`football_session`, :func:`run_5km`, :func:`ride` return it): sum of
speed x interval over the intervals of each band.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import gpxpy.gpx
import numpy as np

from calibration.devices._bands import EARTH_RADIUS_M, band_edges
from calibration.devices.fit_write import FitActivity, write_fit
from calibration.devices.tcx_read import NS
from calibration.devices.vendor_csv import BANDS, HEADER

SEED = 20240304
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "devices"
ATHLETES = ("p01", "p02", "p03")
FIRST_DAY = dt.date(2024, 3, 4)
DAYS = 14
MATCH_DAYS, REST_DAYS = (5, 12), (6, 13)
#: Speed range (m/s) drawn within each band: 0.2 m/s inside its edges (and the top
#: band below 8.6 m/s).
_RANGES = ((0.2, 1.8), (2.2, 3.8), (4.2, 5.3), (5.7, 6.8), (7.2, 8.6))


def speed_profile(rng, n: int, mix, *, block=(1, 15)) -> tuple[np.ndarray, np.ndarray]:
    """``n`` interval speeds (m/s) and their bands: blocks of ``block`` intervals in a
    band drawn with probabilities ``mix``, each interval's speed uniform in the band."""
    band = np.empty(n, dtype=int)
    k = 0
    while k < n:
        length = int(rng.integers(block[0], block[1] + 1))
        band[k:k + length] = rng.choice(len(mix), p=mix)
        k += length
    lo, hi = np.array(_RANGES).T
    return lo[band] + (hi[band] - lo[band]) * rng.random(n), band


def _truth(v, band, dt_s) -> np.ndarray:
    return np.bincount(band, weights=v * dt_s, minlength=len(band_edges()))


def _loop(s, radius, lat0, lon0):
    """Positions (deg) at arc length ``s`` (m) on a circle of ``radius`` m."""
    th = s / radius
    lat = lat0 + np.degrees(radius * np.sin(th) / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(radius * np.cos(th) / (EARTH_RADIUS_M * np.cos(np.radians(lat0))))
    return np.round(lat, 7), np.round(lon, 7)


def football_session(seed: int = SEED) -> tuple[FitActivity, np.ndarray]:
    """The FIT sample's activity and its true distance per band (m)."""
    rng = np.random.default_rng([seed, 1])
    n, step = 90 * 30, 2
    v, band = speed_profile(rng, n, (0.42, 0.35, 0.13, 0.07, 0.03))
    s = np.concatenate([[0.0], np.cumsum(v * step)])
    x, y, heading = [0.0], [0.0], 0.0
    for d in v * step:  # a random walk on a 105 x 68 m pitch, reflected at its lines
        heading += rng.normal(0.0, 0.6)
        nx, ny = x[-1] + d * np.cos(heading), y[-1] + d * np.sin(heading)
        if abs(nx) > 52.5 or abs(ny) > 34.0:
            heading += np.pi
            nx, ny = x[-1] + d * np.cos(heading), y[-1] + d * np.sin(heading)
        x.append(nx)
        y.append(ny)
    lat0, lon0 = 48.2082, 16.3738
    lat = lat0 + np.degrees(np.array(y) / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(np.array(x) / (EARTH_RADIUS_M * np.cos(np.radians(lat0))))
    speed = np.concatenate([[v[0]], v])  # a point's speed: its interval's (the first: next)
    hr = np.clip(110 + 12 * np.concatenate([[band[0]], band]) + rng.normal(0, 4, n + 1),
                 60, 200).round()
    act = FitActivity(dt.datetime(2024, 3, 4, 17, 30, tzinfo=dt.UTC),
                      np.arange(n + 1) * step, s, speed, hr.astype(int), lat, lon,
                      sport="soccer", utc_offset_s=3600)
    return act, _truth(v, band, step)


def run_5km(seed: int = SEED) -> tuple[str, np.ndarray]:
    """The GPX sample's XML and its true distance per band (m)."""
    rng = np.random.default_rng([seed, 2])
    step = 5
    v, band = speed_profile(rng, 2000, (0.05, 0.6, 0.3, 0.05, 0.0), block=(6, 40))
    s = np.concatenate([[0.0], np.cumsum(v * step)])
    n = int(np.searchsorted(s, 5000.0)) + 1  # points up to the first past 5 km
    s, v, band = s[:n], v[:n - 1], band[:n - 1]
    lat, lon = _loop(s, 300.0, 51.5074, -0.1278)
    gpx = gpxpy.gpx.GPX()
    trk = gpxpy.gpx.GPXTrack(name="5-km run (synthetic)")
    trk.type = "running"
    seg = gpxpy.gpx.GPXTrackSegment()
    t0 = dt.datetime(2024, 3, 5, 7, 0, tzinfo=dt.UTC)
    for k in range(n):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(
            float(lat[k]), float(lon[k]), time=t0 + dt.timedelta(seconds=step * k)))
    trk.segments.append(seg)
    gpx.tracks.append(trk)
    return gpx.to_xml(version="1.1"), _truth(v, band, step)


def ride(seed: int = SEED) -> tuple[str, np.ndarray]:
    """The TCX sample's XML (a ride) and its true distance per band (m)."""
    rng = np.random.default_rng([seed, 3])
    n, step = 120, 10
    v = 7.0 + 4.0 * rng.random(n)  # 7-11 m/s (25-40 km/h)
    band = np.searchsorted(band_edges(), v, side="right") - 1
    s = np.concatenate([[0.0], np.cumsum(v * step)])
    lat, lon = _loop(s, 1500.0, 45.4642, 9.19)
    ET.register_namespace("", NS["tcx"])
    q = f"{{{NS['tcx']}}}"
    root = ET.Element(q + "TrainingCenterDatabase")
    act = ET.SubElement(ET.SubElement(root, q + "Activities"), q + "Activity", Sport="Biking")
    t0 = dt.datetime(2024, 3, 6, 16, 0, tzinfo=dt.UTC)
    ET.SubElement(act, q + "Id").text = t0.strftime("%Y-%m-%dT%H:%M:%SZ")
    lap = ET.SubElement(act, q + "Lap", StartTime=t0.strftime("%Y-%m-%dT%H:%M:%SZ"))
    ET.SubElement(lap, q + "TotalTimeSeconds").text = f"{n * step:.1f}"
    ET.SubElement(lap, q + "DistanceMeters").text = f"{s[-1]:.2f}"
    track = ET.SubElement(lap, q + "Track")
    for k in range(n + 1):
        tp = ET.SubElement(track, q + "Trackpoint")
        when = t0 + dt.timedelta(seconds=step * k)
        ET.SubElement(tp, q + "Time").text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        pos = ET.SubElement(tp, q + "Position")
        ET.SubElement(pos, q + "LatitudeDegrees").text = f"{lat[k]:.7f}"
        ET.SubElement(pos, q + "LongitudeDegrees").text = f"{lon[k]:.7f}"
        ET.SubElement(tp, q + "DistanceMeters").text = f"{s[k]:.2f}"
    ET.indent(root)
    xml = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return xml + "\n", _truth(v, band, step)


def squad_tables(seed: int = SEED) -> dict[str, list[dict]]:
    """Rows of the four CSV samples: vendor sessions, session-RPE, sleep, HRV."""
    rng = np.random.default_rng([seed, 4])
    out: dict[str, list[dict]] = {"vendor": [], "srpe": [], "sleep": [], "hrv": []}
    sessions = []
    for aid in ATHLETES:
        for k in range(DAYS):
            day = FIRST_DAY + dt.timedelta(days=k)
            night = dt.datetime.combine(day, dt.time(7, 0)) + dt.timedelta(
                minutes=float(rng.integers(-30, 60)))
            onset = night - dt.timedelta(minutes=float(rng.integers(450, 540)))
            period = (night - onset).total_seconds() / 60
            out["sleep"].append({"athlete_id": aid,
                                 "sleep_onset": onset.strftime("%Y-%m-%d %H:%M"),
                                 "sleep_offset": night.strftime("%Y-%m-%d %H:%M"),
                                 "duration_min": int(period - rng.integers(10, 40))})
            out["hrv"].append({"athlete_id": aid, "date": day.isoformat(),
                               "rmssd_ms": round(float(np.exp(rng.normal(4.2, 0.25))), 1),
                               "time": (night + dt.timedelta(minutes=10)).strftime("%H:%M")})
            if k in REST_DAYS:
                continue
            match = k in MATCH_DAYS
            total = rng.uniform(9_800, 11_500) if match else rng.uniform(4_500, 7_000)
            share = rng.dirichlet(np.array([30, 40, 18, 8, 4]) * 5.0)
            minutes = rng.uniform(92, 97) if match else float(rng.integers(60, 91))
            sessions.append({"athlete_id": aid, "date": day,
                             "session": "match" if match else "training",
                             "duration_min": minutes, "bands_m": total * share,
                             "sprints": int(total * share[4] / 25),
                             "player_load": total / 10 * rng.uniform(0.9, 1.1)})
            out["srpe"].append({"athlete_id": aid, "date": day.isoformat(),
                                "rpe": int(rng.integers(7, 10)) if match
                                else int(rng.integers(3, 8)),
                                "duration_min": round(minutes)})
    out["vendor"] = vendor_rows(sessions)
    return out


def vendor_rows(records) -> list[dict]:
    """Vendor-export rows (``HEADER`` keys) from per-session mappings with keys
    ``athlete_id``, ``date``, ``session``, ``duration_min``, ``bands_m`` (five metres),
    ``sprints``, ``player_load``; totals and high-speed running summed from the bands
    (what the sample generator writes)."""
    out = []
    for r in records:
        bands = np.round(np.asarray(r["bands_m"], float), 1)
        out.append({"Player ID": r["athlete_id"], "Date": str(r["date"]),
                    "Session Type": r["session"].capitalize(),
                    "Duration (min)": round(float(r["duration_min"]), 1),
                    "Total Distance (m)": round(float(bands.sum()), 1),
                    **{name: float(x) for name, x in zip(BANDS, bands, strict=True)},
                    "High Speed Running (m)": round(float(bands[3] + bands[4]), 1),
                    "Sprints": int(r["sprints"]),
                    "Player Load": round(float(r["player_load"]), 1)})
    return out


def _csv(rows: list[dict], header) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_samples(directory=DEFAULT_DIR, *, seed: int = SEED) -> dict[str, Path]:
    """Write every sample (module docstring) into ``directory``; returns name -> path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"fit": write_fit(directory / "football_session.fit", football_session(seed)[0])}
    for kind, name, (text, _) in (("gpx", "run_5km.gpx", run_5km(seed)),
                                  ("tcx", "ride.tcx", ride(seed))):
        paths[kind] = directory / name
        paths[kind].write_text(text, encoding="utf-8")
    tables = squad_tables(seed)
    for kind, name in (("vendor", "vendor_sessions.csv"), ("srpe", "srpe.csv"),
                       ("sleep", "sleep.csv"), ("hrv", "hrv.csv")):
        header = HEADER if kind == "vendor" else list(tables[kind][0])
        paths[kind] = directory / name
        paths[kind].write_text(_csv(tables[kind], header), encoding="utf-8")
    return paths


if __name__ == "__main__":
    for path in write_samples(*sys.argv[1:2]).values():
        print(path, path.stat().st_size, "bytes")
