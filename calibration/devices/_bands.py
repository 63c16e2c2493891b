"""Distance per speed band from a track: the one integration every track reader uses.

A track is a sequence of points with times :math:`t_i` (s) and cumulative distance
:math:`s_i` (m). Interval :math:`i` (from point :math:`i-1` to :math:`i`) covers
:math:`\\Delta s_i = s_i - s_{i-1}` at the mean speed :math:`v_i = \\Delta s_i/\\Delta t_i`,
and its whole distance goes to the band :math:`b` with
:math:`e_b \\le v_i < e_{b+1}` (lower edges :math:`e_1 = 0 < e_2 < \\dots < e_5`, the top
band open):

.. math:: D_b = \\sum_i \\Delta s_i \\, [e_b \\le v_i < e_{b+1}], \\qquad
          \\sum_b D_b = s_n - s_0 .

The bands partition the intervals, so the band distances sum to the track's distance
(to rounding). The edges are :data:`calibration.schema.DISTANCE_BANDS` (Bradley et al.
2009) unless a caller gives others.

Distance between positions is the haversine great-circle distance on a sphere of radius
6 378 137 m (WGS-84's equatorial radius, the radius gpxpy uses, so totals agree with
``gpxpy``'s ``length_2d``).
"""

from __future__ import annotations

import numpy as np

from calibration.schema import DISTANCE_BANDS, N_DISTANCE_BANDS

#: Lower edge of each speed band (m/s), from :data:`calibration.schema.DISTANCE_BANDS`.
BAND_EDGES_M_S: tuple[float, ...] = tuple(edge for _, edge in DISTANCE_BANDS)
#: Earth radius for the haversine distance (m): WGS-84 equatorial, as gpxpy.geo.
EARTH_RADIUS_M = 6_378_137.0


def band_edges(bands=None) -> np.ndarray:
    """The lower edges (m/s) of the five bands: ``bands``, or the configured ones.

    Raises:
        ValueError: not :data:`~calibration.schema.N_DISTANCE_BANDS` finite edges
            starting at 0 and strictly increasing.
    """
    edges = np.asarray(BAND_EDGES_M_S if bands is None else bands, dtype=float)
    if (edges.shape != (N_DISTANCE_BANDS,) or not np.isfinite(edges).all()
            or edges[0] != 0.0 or (np.diff(edges) <= 0).any()):
        raise ValueError(f"bands={bands!r}: expected {N_DISTANCE_BANDS} lower band edges "
                         "in m/s, the first 0, strictly increasing (e.g. "
                         f"{BAND_EDGES_M_S})")
    return edges


def band_distances(time_s, distance_m, bands=None) -> np.ndarray:
    """Distance (m) in each speed band of one track segment (module docstring).

    Args:
        time_s: point times (s), shape ``(n,)``, strictly increasing.
        distance_m: cumulative distance at each point (m), shape ``(n,)``, non-decreasing.
        bands: lower band edges (m/s), default :data:`BAND_EDGES_M_S`.

    Returns:
        ``(N_DISTANCE_BANDS,)`` array of metres; all zero for fewer than two points.
    """
    edges = band_edges(bands)
    t, s = np.asarray(time_s, dtype=float), np.asarray(distance_m, dtype=float)
    ds, dt = np.diff(s), np.diff(t)
    band = np.searchsorted(edges, ds / dt, side="right") - 1
    return np.bincount(band, weights=ds, minlength=edges.size).astype(float)


def haversine_m(lat_deg, lon_deg) -> np.ndarray:
    """Great-circle distance (m) between consecutive positions, shape ``(n - 1,)``."""
    lat, lon = np.radians(np.asarray(lat_deg, float)), np.radians(np.asarray(lon_deg, float))
    a = (np.sin(np.diff(lat) / 2) ** 2
         + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
