"""Device readers (calibration.devices): samples parse to the known daily records, the FIT
writer round-trips through fitdecode, bad input is a one-line DataError naming file and
field, and band distances partition the track's distance."""

import datetime as dt
import re

import fitdecode
import gpxpy
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calibration import DISTANCE_BANDS, DataError, merge_daily, read_device_file
from calibration.devices import (
    DAILY_COLUMNS,
    FitActivity,
    band_distances,
    crc16,
    device_kind,
    encode_activity,
    read_fit_track,
    read_tcx_track,
    write_fit,
)
from calibration.devices import samples as S
from calibration.devices._bands import BAND_EDGES_M_S
from calibration.devices.vendor_csv import HEADER

DATA = S.DEFAULT_DIR
FIT, GPX, TCX = DATA / "football_session.fit", DATA / "run_5km.gpx", DATA / "ride.tcx"
BANDS = [f"distance_band_{b}_m" for b in range(1, 6)]


def _bands(frame):
    return frame[BANDS].to_numpy(float)[0]


def test_band_edges_agree_with_scenarios():
    # The schema's five bands are scenarios.SPEED_BANDS with walk_jog split at 7.2 km/h:
    # the same edges (km/h / 3.6 = m/s), declared for the daily schema in calibration.
    from scenarios import SPEED_BANDS

    lower = [float(re.match(r">?([\d.]+)", s).group(1)) / 3.6 for _, s, _ in SPEED_BANDS]
    assert np.allclose(lower, [BAND_EDGES_M_S[0], *BAND_EDGES_M_S[2:]], rtol=0, atol=1e-12)
    assert tuple(e for _, e in DISTANCE_BANDS) == BAND_EDGES_M_S == (0.0, 2.0, 4.0, 5.5, 7.0)


def test_fit_sample_is_the_synthesised_session():
    _, truth = S.football_session()
    day = read_device_file(FIT, athlete_id="p01")
    assert tuple(day.columns) == DAILY_COLUMNS and len(day) == 1
    # 1 %: the brief's tolerance; the only error here is the FIT distance resolution
    # (0.01 m per point), far below it.
    np.testing.assert_allclose(_bands(day), truth, rtol=0.01)
    track = read_fit_track(FIT)
    # the file's own session total_distance (m x 100) against the band sum: 1 %
    assert _bands(day).sum() == pytest.approx(track.total_m, rel=0.01)
    assert day["training_min"][0] == 90.0  # 2700 intervals of 2 s, elapsed time
    assert day["date"][0] == pd.Timestamp("2024-03-04") and track.utc_offset_s == 3600
    assert day["load"][0] is None and track.sport == "soccer"


def test_gpx_sample_is_the_synthesised_run():
    _, truth = S.run_5km()
    day = read_device_file(GPX, athlete_id="p02")
    # 1 %: positions rounded to 1e-7 deg (about 1 cm) and chords of a 300-m loop
    # (<= 0.05 % shorter than the arcs) are the errors, well inside it.
    np.testing.assert_allclose(_bands(day), truth, rtol=0.01)
    with open(GPX) as fh:
        own = gpxpy.parse(fh).length_2d()
    # gpxpy's own total on the same points: 1e-4, haversine against gpxpy's flat-earth
    # step formula on the same sphere differ by about 1e-6 over steps of tens of metres.
    assert _bands(day).sum() == pytest.approx(own, rel=1e-4)
    assert day["date"][0] == pd.Timestamp("2024-03-05")


def test_tcx_ride_has_minutes_but_no_running_bands():
    _, truth = S.ride()
    day = read_device_file(TCX, athlete_id="p03")
    assert day["training_min"][0] == 20.0
    assert all(v is None for v in day[BANDS].to_numpy()[0])  # a ride is not running volume
    track = read_tcx_track(TCX)
    np.testing.assert_allclose(track.bands(), truth, rtol=0.01)  # 1 %, as for GPX
    assert track.sport == "cycling"


def test_csv_samples_merge_into_one_record_per_athlete_and_date():
    frames = [read_device_file(DATA / n) for n in
              ("vendor_sessions.csv", "srpe.csv", "sleep.csv", "hrv.csv")]
    assert [device_kind(DATA / n) for n in ("vendor_sessions.csv", "srpe.csv", "sleep.csv",
                                            "hrv.csv")] == ["vendor", "srpe", "sleep", "hrv"]
    merged = merge_daily(frames, missing_load="zero")
    assert tuple(merged.columns) == DAILY_COLUMNS
    assert len(merged) == 3 * S.DAYS and not merged.duplicated(["athlete_id", "date"]).any()
    vendor = pd.read_csv(DATA / "vendor_sessions.csv")
    srpe = pd.read_csv(DATA / "srpe.csv")
    first = merged.iloc[0]
    assert first["load"] == srpe["rpe"][0] * srpe["duration_min"][0]  # Foster 2001
    assert first["load_kind"] == "session-RPE"
    assert first["distance_band_3_m"] == vendor["Distance Band 3 (m)"][0]
    assert first["sleep_offset"] == pytest.approx(7 + 16 / 60)  # 07:16, ends on 03-04
    assert first["hrv_rmssd_ms"] == 81.8
    rest = merged[merged["date"] == pd.Timestamp(S.FIRST_DAY + dt.timedelta(days=6))]
    assert (rest["load"] == 0).all() and rest["distance_band_1_m"].isna().all()
    match = merged[merged["date"] == pd.Timestamp(S.FIRST_DAY + dt.timedelta(days=5))]
    assert match["match_min"].notna().all() and match["training_min"].isna().all()
    with pytest.raises(DataError, match="no load for p01 on 2024-03-10"):
        merge_daily(frames)


def test_merge_refuses_conflicting_duplicates_and_sums_sessions():
    vendor = read_device_file(DATA / "vendor_sessions.csv")
    fit = read_device_file(FIT, athlete_id="p01")  # the same athlete and date as row 1
    with pytest.raises(DataError, match="conflicting duplicate") as err:
        merge_daily([vendor, fit])
    assert "football_session.fit" in str(err.value) and err.value.column == "distance_band_1_m"
    double = merge_daily([pd.concat([fit, fit])], missing_load="keep")  # two sessions
    np.testing.assert_allclose(_bands(double), 2 * _bands(fit), rtol=1e-12)
    assert double["training_min"][0] == 180.0


def test_samples_are_reproduced_byte_for_byte(tmp_path):
    for path in S.write_samples(tmp_path).values():
        assert path.read_bytes() == (DATA / path.name).read_bytes(), path.name
    assert sum((DATA / p.name).stat().st_size for p in tmp_path.iterdir()) < 200_000


def _activity(n=40, start=dt.datetime(2023, 6, 1, 9, 0, 7, tzinfo=dt.UTC)):
    rng = np.random.default_rng(7)
    v = rng.uniform(0.5, 8.0, n)
    return FitActivity(start, np.arange(n) * 3, np.concatenate([[0], np.cumsum(v[1:] * 3)]),
                       v, rng.integers(60, 200, n), 47.0 + rng.normal(0, 1e-3, n),
                       8.0 + rng.normal(0, 1e-3, n), sport="running", utc_offset_s=-7200)


def test_fit_round_trip_through_fitdecode(tmp_path):
    act = _activity()
    path = write_fit(tmp_path / "a.fit", act)
    recs, names = [], []
    with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE) as fit:
        for frame in fit:  # RAISE: fitdecode checks the header and the file CRC
            if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                names.append(frame.name)
                if frame.name == "record":
                    recs.append({f.name: f.value for f in frame.fields})
    assert names == ["file_id", *["record"] * 40, "lap", "session", "activity"]
    sc = 2**31 / 180
    for k, r in enumerate(recs):
        # exact for integers: timestamps (s), heart rate (bpm), positions (semicircles)
        assert r["timestamp"] == act.start.replace(second=7) + dt.timedelta(seconds=3 * k)
        assert r["heart_rate"] == act.heart_rate[k]
        assert r["position_lat"] == round(act.lat_deg[k] * sc)
        assert r["position_long"] == round(act.lon_deg[k] * sc)
        # scaled fields to half their resolution: distance 1/100 m, speed 1/1000 m/s
        assert abs(r["distance"] - act.distance_m[k]) <= 0.005 + 1e-9
        assert abs(r["speed"] - act.speed_m_s[k]) <= 0.0005 + 1e-9
    track = read_fit_track(path)
    assert track.utc_offset_s == -7200 and track.sport == "running"
    assert track.elapsed_s == 117.0 and track.total_m == pytest.approx(act.distance_m[-1],
                                                                       abs=0.01)


def test_crc16_reference_values():
    # FIT's CRC is CRC-16/ARC: the catalogue's check value for "123456789" is 0xBB3D,
    # and a reflected CRC without final xor over data + its own CRC (little endian) is 0.
    assert crc16(b"123456789") == 0xBB3D
    assert crc16(b"") == 0
    data = encode_activity(_activity(5))
    assert crc16(data) == 0 and crc16(data[:14]) == 0


# ---- bad input: each a one-line DataError naming the file and the field ----------------

def _fit_bytes(**kw):
    return encode_activity(_activity(**kw))


def _gpx(times):
    pts = "".join(f'<trkpt lat="{47 + k * 1e-4:.4f}" lon="8">' +
                  (f"<time>{t}</time>" if t else "") + "</trkpt>" for k, t in enumerate(times))
    return ('<?xml version="1.0"?><gpx version="1.1" creator="t" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>' + pts +
            "</trkseg></trk></gpx>")


_T = ["2024-01-01T10:00:00Z", "2024-01-01T10:00:05Z", "2024-01-01T10:00:10Z"]
_V = ",".join(HEADER)
_ROW = "p01,2024-03-04,Training,60,1000,200,300,300,100,100,200,3,100"
_FUTURE = (dt.date.today() + dt.timedelta(days=400)).isoformat()


def _nonmonotonic_fit():
    act = _activity(6)
    t = act.elapsed_s.copy()
    t[3] = t[2]
    return encode_activity(FitActivity(act.start, t, act.distance_m, act.speed_m_s))


def _bad_crc():
    b = bytearray(_fit_bytes())
    b[200] ^= 0x55
    return bytes(b)


BAD = [
    # (name, file name, content (bytes or text), athlete_id, expected column)
    ("truncated FIT", "t.fit", lambda: _fit_bytes()[:500], "p01", "data_size"),
    ("FIT with bad CRC", "c.fit", _bad_crc, "p01", "crc"),
    ("FIT time not increasing", "m.fit", _nonmonotonic_fit, "p01", "record.timestamp"),
    ("FIT without athlete", "a.fit", lambda: _fit_bytes(), None, "athlete_id"),
    ("GPX without timestamps", "n.gpx", lambda: _gpx([None, None, None]), "p01", "time"),
    ("GPX non-monotonic time", "b.gpx", lambda: _gpx([_T[0], _T[2], _T[1]]), "p01", "time"),
    ("GPX jump of 11 km in 5 s", "j.gpx", lambda: _gpx(_T[:2]).replace('lat="47.0001"',
                                                                       'lat="47.1000"'),
     "p01", "lat/lon"),
    ("TCX bad time", "x.tcx", lambda: (
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenter'
        'Database/v2"><Activities><Activity Sport="Running"><Lap><Track><Trackpoint>'
        "<Time>yesterday</Time></Trackpoint></Track></Lap></Activity></Activities>"
        "</TrainingCenterDatabase>"), "p01", "Time"),
    ("vendor unknown column", "v1.csv",
     lambda: _V + ",Max Speed\n" + _ROW + ",8.1\n", None, "Max Speed"),
    ("vendor negative distance", "v2.csv",
     lambda: _V + "\n" + _ROW.replace(",200,300,300", ",200,-300,300") + "\n", None,
     "Distance Band 2 (m)"),
    ("vendor bands not the total", "v3.csv",
     lambda: _V + "\n" + _ROW.replace(",1000,", ",1500,") + "\n", None, "Total Distance (m)"),
    ("vendor session kind", "v4.csv",
     lambda: _V + "\n" + _ROW.replace("Training", "Gym") + "\n", None, "Session Type"),
    ("RPE 11", "r1.csv", lambda: "athlete_id,date,rpe,duration_min\np01,2024-03-04,11,60\n",
     None, "rpe"),
    ("sRPE date in the future", "r2.csv",
     lambda: f"athlete_id,date,rpe,duration_min\np01,{_FUTURE},5,60\n", None, "date"),
    ("sleep offset malformed", "s1.csv", lambda: "athlete_id,sleep_onset,sleep_offset\n"
     "p01,2024-03-03 23:00,2024-03-04 7h30\n", None, "sleep_offset"),
    ("sleep offset before onset", "s2.csv", lambda: "athlete_id,sleep_onset,sleep_offset\n"
     "p01,2024-03-04 23:00,2024-03-04 07:00\n", None, "sleep_offset"),
    ("rMSSD 0 ms", "h1.csv", lambda: "athlete_id,date,rmssd_ms\np01,2024-03-04,0\n", None,
     "rmssd_ms"),
    ("HRV in the afternoon", "h2.csv",
     lambda: "athlete_id,date,rmssd_ms,time\np01,2024-03-04,60,15:30\n", None, "time"),
    ("HRV twice on a date", "h3.csv",
     lambda: "athlete_id,date,rmssd_ms\np01,2024-03-04,60\np01,2024-03-04,61\n", None,
     "date"),
    ("daily table rMSSD 300 ms", "d.csv", lambda: "athlete_id,date,load,load_kind,"
     "hrv_rmssd_ms\np01,2024-03-04,300,session-RPE,300\n", None, "hrv_rmssd_ms"),
    ("one-athlete export without athlete", "h4.csv",
     lambda: "date,rmssd_ms\n2024-03-04,60\n", None, "athlete_id"),
]


@pytest.mark.parametrize(("name", "file", "content", "athlete", "column"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_input_is_a_one_line_error_naming_file_and_field(tmp_path, name, file, content,
                                                             athlete, column):
    data = content()
    path = tmp_path / file
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    with pytest.raises(DataError) as err:
        read_device_file(path, athlete_id=athlete)
    msg = str(err.value)
    assert err.value.column == column and f"column {column!r}" in msg
    assert str(path) in msg and "\n" not in msg


# ---- property: the bands partition the distance -------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 60.0), st.floats(0.0, 12.0) | st.sampled_from(
    BAND_EDGES_M_S)), min_size=1, max_size=200))
def test_band_distances_sum_to_the_total(intervals):
    dt_s, v = np.array(intervals, dtype=float).T
    t = np.concatenate([[0.0], np.cumsum(dt_s)])
    s = np.concatenate([[0.0], np.cumsum(v * dt_s)])
    bands = band_distances(t, s)
    # 1e-9 relative: the band sums regroup the same increments (rounding only)
    assert bands.sum() == pytest.approx(s[-1], rel=1e-9, abs=1e-9)
    assert (bands >= 0).all()
