"""One athlete's daily series from validated tables, under an explicit :class:`DataPolicy`.

:func:`daily_series` turns the ``daily`` and ``tests`` rows of one athlete into aligned
daily arrays (load, a performance test series with NaN on days without one, sleep times),
applying the policy for duplicates and gaps and returning a note for every fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calibration.schema import DataError, DataPolicy


@dataclass(frozen=True)
class AthleteSeries:
    """Daily arrays of one athlete, all of length T (first to last daily row)."""

    athlete_id: str
    dates: np.ndarray
    load: np.ndarray
    load_kind: str
    performance: np.ndarray
    sleep_onset_h: np.ndarray
    sleep_offset_h: np.ndarray
    free_day: np.ndarray
    notes: tuple[str, ...] = field(default=())


def daily_series(daily: pd.DataFrame, tests: pd.DataFrame, athlete_id: str, *,
                 performance_test: str = "power_5min", policy: DataPolicy | None = None,
                 file: str = "daily", tests_file: str = "tests") -> AthleteSeries:
    """Aligned daily arrays of one athlete (module docstring).

    Raises:
        DataError: duplicates or gaps under the ``"error"`` policy, mixed load kinds, or
            a test outside the daily record (naming the file, row and column).
    """
    policy = policy or DataPolicy()
    rows = daily.index[daily["athlete_id"] == athlete_id]
    if len(rows) == 0:
        raise DataError(file, None, "athlete_id", f"no daily rows for athlete {athlete_id!r}")
    d = daily.loc[rows]
    notes = []
    kinds = d["load_kind"].unique()
    if len(kinds) > 1:
        second = int(rows[np.argmax(d["load_kind"].to_numpy() != kinds[0])]) + 1
        raise DataError(file, second, "load_kind", f"athlete {athlete_id!r} mixes load kinds "
                        f"{sorted(kinds)}; they are not interchangeable units")
    dates = d["date"].to_numpy(dtype="datetime64[D]")
    dup = pd.Series(dates).duplicated(keep="first").to_numpy()
    if dup.any():
        if policy.duplicates == "error":
            raise DataError(file, int(rows[np.argmax(dup)]) + 1, "date",
                            f"duplicate date {dates[dup][0]} for athlete {athlete_id!r} "
                            "(config data.duplicates: error | sum | last)")
        notes.append(f"{int(dup.sum())} duplicate daily row(s) merged by "
                     f"data.duplicates={policy.duplicates}")
    agg = "sum" if policy.duplicates == "sum" else "last"
    frame = pd.DataFrame({"date": dates, "load": d["load"].to_numpy(float),
                          "onset": d["sleep_onset"].to_numpy(object),
                          "offset": d["sleep_offset"].to_numpy(object),
                          "free": d["free_day"].to_numpy(object)})
    g = frame.groupby("date", sort=True)
    merged = pd.DataFrame({"load": g["load"].agg(agg), "onset": g["onset"].last(),
                           "offset": g["offset"].last(), "free": g["free"].last()})
    full = np.arange(merged.index.min(), merged.index.max() + np.timedelta64(1, "D"),
                     dtype="datetime64[D]")
    missing = np.setdiff1d(full, merged.index.to_numpy(dtype="datetime64[D]"))
    if missing.size:
        if policy.gaps == "error":
            raise DataError(file, None, "date", f"athlete {athlete_id!r} has {missing.size} "
                            f"missing date(s), first {missing[0]} (config data.gaps: "
                            "error | zero)")
        notes.append(f"{missing.size} missing date(s) filled with load 0 by data.gaps=zero")
    merged = merged.reindex(pd.DatetimeIndex(full))
    load = merged["load"].fillna(0.0).to_numpy(float)
    total, count = np.zeros(full.size), np.zeros(full.size)
    t = tests[(tests["athlete_id"] == athlete_id) & (tests["kind"] == performance_test)]
    for i, date, value in zip(t.index, t["date"], t["value"], strict=True):
        k = int((np.datetime64(date, "D") - full[0]).astype(int))
        if not 0 <= k < full.size:
            raise DataError(tests_file, int(i) + 1, "date", f"{date}: outside athlete "
                            f"{athlete_id!r}'s daily record {full[0]}..{full[-1]}")
        if count[k] and policy.duplicate_tests == "error":
            raise DataError(tests_file, int(i) + 1, "date", f"second {performance_test} "
                            f"test on {date} (config data.duplicate_tests: error | mean)")
        total[k] += float(value)
        count[k] += 1
    if (count > 1).any():
        notes.append(f"{int((count > 1).sum())} day(s) with several {performance_test} "
                     "tests averaged by data.duplicate_tests=mean")
    with np.errstate(invalid="ignore"):
        perf = np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def col(name):
        return np.array([np.nan if v is None or v != v else float(v)
                         for v in merged[name].to_numpy(object)])

    free = np.array([bool(v) if v is not None and v == v else False
                     for v in merged["free"].to_numpy(object)])
    return AthleteSeries(athlete_id, full, load, str(kinds[0]), perf, col("onset"),
                         col("offset"), free, tuple(notes))
