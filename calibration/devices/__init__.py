"""Readers for what clubs actually have: device files -> rows of the ``daily`` schema.

Public surface (everything else is private):

- :func:`read_device_file` (kind from extension or header: :func:`device_kind`,
  :data:`DEVICE_KINDS`) and :func:`merge_daily` (one record per athlete and date from
  several sources, refusing conflicting duplicates);
- one reader per format: :func:`read_fit` (FIT via ``fitdecode``), :func:`read_gpx`
  (GPX 1.1 via ``gpxpy``), :func:`read_tcx` (TCX v2 via ``xml.etree``),
  :func:`read_vendor_csv` (GPS-vendor session export), :func:`read_srpe` (session-RPE,
  Foster et al. 2001), :func:`read_sleep` (wearable sleep), :func:`read_hrv` (morning
  rMSSD); the track readers' :class:`Track` (:func:`read_fit_track`,
  :func:`read_gpx_track`, :func:`read_tcx_track`);
- speed bands: :func:`band_distances`, :data:`BAND_EDGES_M_S` (from
  :data:`calibration.schema.DISTANCE_BANDS`);
- a FIT writer of our own: :class:`FitActivity`, :func:`encode_activity`,
  :func:`write_fit`, :func:`crc16`;
- sample files: :mod:`calibration.devices.samples` (``calibration/data/devices/``).

Every reader returns exactly :data:`DAILY_COLUMNS`, validated by the schema's own checks
(:func:`calibration.schema.check_table`); errors are :class:`calibration.DataError`
naming the file, the record (row, FIT message, trackpoint) and the field.
"""

from calibration.devices._bands import BAND_EDGES_M_S, band_distances
from calibration.devices._daily import DAILY_COLUMNS
from calibration.devices._track import Track
from calibration.devices.fit_read import read_fit, read_fit_track
from calibration.devices.fit_write import FitActivity, crc16, encode_activity, write_fit
from calibration.devices.gpx_read import read_gpx, read_gpx_track
from calibration.devices.hrv import read_hrv
from calibration.devices.merge import merge_daily
from calibration.devices.read import DEVICE_KINDS, device_kind, read_device_file
from calibration.devices.sleep import read_sleep
from calibration.devices.srpe import read_srpe
from calibration.devices.tcx_read import read_tcx, read_tcx_track
from calibration.devices.vendor_csv import read_vendor_csv

__all__ = [
    "BAND_EDGES_M_S",
    "DAILY_COLUMNS",
    "DEVICE_KINDS",
    "FitActivity",
    "Track",
    "band_distances",
    "crc16",
    "device_kind",
    "encode_activity",
    "merge_daily",
    "read_device_file",
    "read_fit",
    "read_fit_track",
    "read_gpx",
    "read_gpx_track",
    "read_hrv",
    "read_sleep",
    "read_srpe",
    "read_tcx",
    "read_tcx_track",
    "read_vendor_csv",
    "write_fit",
]
