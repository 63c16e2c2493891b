"""One entry point for device files: :func:`read_device_file` (kind from the file).

Kinds (:data:`DEVICE_KINDS`) and how each is recognised when ``kind`` is not given:

==========  ===========================================  =================================
kind        reader                                       recognised by
==========  ===========================================  =================================
``fit``     :func:`~calibration.devices.read_fit`        extension ``.fit``
``gpx``     :func:`~calibration.devices.read_gpx`        extension ``.gpx``
``tcx``     :func:`~calibration.devices.read_tcx`        extension ``.tcx``
``vendor``  :func:`~calibration.devices.read_vendor_csv` CSV header with ``Player ID``
``srpe``    :func:`~calibration.devices.read_srpe`       CSV header with ``rpe``
``sleep``   :func:`~calibration.devices.read_sleep`      CSV header with ``sleep_onset``
                                                         and no ``date``
``hrv``     :func:`~calibration.devices.read_hrv`        CSV header with ``rmssd_ms``
``daily``   :func:`calibration.read_table` (``daily``)   CSV header with ``load_kind``
==========  ===========================================  =================================
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from calibration.devices.fit_read import read_fit
from calibration.devices.gpx_read import read_gpx
from calibration.devices.hrv import read_hrv
from calibration.devices.sleep import read_sleep
from calibration.devices.srpe import read_srpe
from calibration.devices.tcx_read import read_tcx
from calibration.devices.vendor_csv import read_vendor_csv
from calibration.schema import DataError, read_table

DEVICE_KINDS = ("fit", "gpx", "tcx", "vendor", "srpe", "sleep", "hrv", "daily")
_EXTENSIONS = {".fit": "fit", ".gpx": "gpx", ".tcx": "tcx"}


def device_kind(path) -> str:
    """The kind of a device file, from its extension or its CSV header (module docstring).

    Raises:
        DataError: a file whose kind cannot be told.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if ext == ".csv":
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                header = {h.strip() for h in next(csv.reader(fh), [])}
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(path, None, None, f"cannot be read ({exc})") from None
        for kind, test in (("vendor", "Player ID" in header), ("daily", "load_kind" in header),
                           ("srpe", "rpe" in header), ("hrv", "rmssd_ms" in header),
                           ("sleep", "sleep_onset" in header and "date" not in header)):
            if test:
                return kind
        raise DataError(path, None, None, f"cannot tell the kind of CSV from its header "
                        f"{sorted(header)}: pass kind= one of {DEVICE_KINDS}")
    raise DataError(path, None, None, f"cannot tell the kind from extension {ext!r}: "
                    f"expected .fit, .gpx, .tcx or .csv, or pass kind= one of {DEVICE_KINDS}")


def read_device_file(path, *, athlete_id=None, kind=None, bands=None) -> pd.DataFrame:
    """Daily records (exactly the ``daily`` schema's columns) from one device file.

    Args:
        path: the file.
        athlete_id: the athlete of a track file (required there: FIT, GPX and TCX files
            do not name one) or of a one-athlete CSV export; in a multi-athlete CSV,
            keep only this athlete's rows.
        kind: one of :data:`DEVICE_KINDS`; default from the file (module docstring).
        bands: lower speed-band edges (m/s) for track files only; default
            :data:`calibration.schema.DISTANCE_BANDS`.

    Returns:
        A frame of the ``daily`` columns (:data:`~calibration.devices.DAILY_COLUMNS`) as
        :func:`calibration.read_table` returns them (dates ``datetime64``, clock times in
        hours); fields the file does not give are empty (a track has no ``load``: join
        sources with :func:`~calibration.devices.merge_daily`). ``attrs["file"]`` is
        the path.

    Raises:
        DataError: naming the file, the record and the field (see each reader).
        ValueError: an unknown ``kind``; ``bands`` for a table.
    """
    kind = kind or device_kind(path)
    if bands is not None and kind not in ("fit", "gpx", "tcx"):
        raise ValueError(f"bands={bands!r} for a {kind!r} file: band edges apply to track "
                         "files (a table's bands are the schema's DISTANCE_BANDS)")
    if kind in ("fit", "gpx", "tcx"):
        reader = {"fit": read_fit, "gpx": read_gpx, "tcx": read_tcx}[kind]
        return reader(path, athlete_id=athlete_id, bands=bands)
    if kind == "daily":
        frame = read_table(path, "daily")
        frame.attrs["file"] = str(path)
        return frame if athlete_id is None else frame[frame["athlete_id"] == athlete_id]
    readers = {"vendor": read_vendor_csv, "srpe": read_srpe, "sleep": read_sleep,
               "hrv": read_hrv}
    if kind not in readers:
        raise ValueError(f"kind={kind!r}: expected one of {DEVICE_KINDS}")
    return readers[kind](path, athlete_id=athlete_id)
