"""The squad calibration file: athlete x draw x parameter, with CF attributes.

Layout (what ``athletes=`` configs of the twin name, and :func:`read_squad_calibration`
returns)::

    dims    athlete, draw, parameter
    coords  athlete (str)    pseudonymised id where the governance policy says so
            parameter (str)  "<model>.<field>" (calibration.records)
            units(parameter), long_name(parameter): from the parameter records
            policy(athlete) (str): governance policy applied to each athlete
    vars    value(athlete, draw, parameter) float64: posterior (or prior) draws
            point(athlete, parameter) float64: the point estimate
    attrs   Conventions, title, source, history, institution, governance_policy, references

NaN in ``point`` and ``value`` marks a parameter not calibrated for that athlete: the twin
falls back to the record's default or prior. Files are netCDF (``.nc``; netCDF-3 through
SciPy, no further dependency), written to a temporary name in the target directory and
moved into place, so a failed write never leaves a file that looks finished.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from calibration.records import param_spec

CONVENTIONS = "CF-1.10"
_ENGINE = "scipy"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("athlete-twin")
    except Exception:  # not installed (a plain checkout)
        return "unknown"


def squad_dataset(estimates: Mapping[str, Mapping[str, tuple[float, np.ndarray]]],
                  n_draws: int, *, policies: Mapping[str, str] | None = None,
                  title: str = "Squad calibration", history: str = "",
                  parameters: Sequence[str] | None = None) -> xr.Dataset:
    """Build the dataset from ``{athlete: {"<model>.<field>": (point, draws)}}``.

    ``draws`` has ``n_draws`` values. Athletes lacking a parameter get NaN there.
    ``policies`` maps athlete to the governance policy applied (default ``"none"``).
    """
    athletes = list(estimates)
    names = list(parameters) if parameters is not None else sorted(
        {p for est in estimates.values() for p in est})
    specs = [param_spec(n) for n in names]
    value = np.full((len(athletes), n_draws, len(names)), np.nan)
    point = np.full((len(athletes), len(names)), np.nan)
    for i, a in enumerate(athletes):
        for name, (pt, draws) in estimates[a].items():
            j = names.index(name)
            draws = np.asarray(draws, dtype=float)
            if draws.shape != (n_draws,):
                raise ValueError(f"athlete {a!r}, {name}: expected {n_draws} draws, got "
                                 f"shape {draws.shape}")
            point[i, j], value[i, :, j] = float(pt), draws
    pol = [str((policies or {}).get(a, "none")) for a in athletes]
    coords = {
        "athlete": ("athlete", np.array(athletes, dtype=object),
                    {"long_name": "athlete identifier (pseudonymised where the policy "
                                  "requires)"}),
        "draw": ("draw", np.arange(n_draws), {"long_name": "posterior draw"}),
        "parameter": ("parameter", np.array(names, dtype=object),
                      {"long_name": "<model>.<field> of the parameter records"}),
        "units": ("parameter", np.array([s.units for s in specs], dtype=object)),
        "long_name": ("parameter", np.array([s.description for s in specs], dtype=object)),
        "policy": ("athlete", np.array(pol, dtype=object),
                   {"long_name": "governance policy applied"}),
    }
    ds = xr.Dataset(
        {"value": (("athlete", "draw", "parameter"), value,
                   {"long_name": "parameter draws (posterior, or prior where not fitted)",
                    "units": "see the units coordinate (per parameter)"}),
         "point": (("athlete", "parameter"), point,
                   {"long_name": "point estimate (best fit, or prior median)",
                    "units": "see the units coordinate (per parameter)"})},
        coords=coords)
    ds.attrs.update({
        "Conventions": CONVENTIONS, "title": title,
        "source": f"athlete-twin {_version()} calibration",
        "history": history or f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} "
                              "calibration.squad_dataset",
        "governance_policy": ",".join(sorted(set(pol))),
        "references": "Clarke & Skiba 2013 doi:10.1152/advan.00078.2011; Busso 2003; "
                      "Kalman 1960; see calibration docstrings",
    })
    return ds


def _check(ds: xr.Dataset, where: str) -> None:
    for var, dims in (("value", ("athlete", "draw", "parameter")),
                      ("point", ("athlete", "parameter"))):
        if var not in ds or ds[var].dims != dims:
            raise ValueError(f"{where}: expected data variable {var}{dims}")
    for name, units in zip(ds["parameter"].values, ds["units"].values, strict=True):
        spec = param_spec(str(name))
        if spec.units != str(units):
            raise ValueError(f"{where}: parameter {name!r} has units {units!r}, the record "
                             f"says {spec.units!r}")
    for key in ("Conventions", "title", "source", "history", "governance_policy"):
        if key not in ds.attrs:
            raise ValueError(f"{where}: missing attribute {key!r}")


def write_squad_calibration(ds: xr.Dataset, path) -> Path:
    """Write ``ds`` to ``path`` (``.nc``) atomically: temporary name, then ``os.replace``."""
    path = Path(path)
    if path.suffix != ".nc":
        raise ValueError(f"{path}: expected a .nc path (netCDF); Zarr is not installed here")
    _check(ds, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine=_ENGINE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_squad_calibration(path) -> xr.Dataset:
    """Read a squad calibration file into memory (validated; ``ValueError`` names it)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no squad calibration file")
    with xr.open_dataset(path, engine=_ENGINE) as ds:
        ds = ds.load()
    for name in ("athlete", "parameter", "units", "long_name", "policy"):
        if name in ds.coords:
            ds = ds.assign_coords({name: (ds[name].dims, ds[name].values.astype(str),
                                          ds[name].attrs)})
    _check(ds, str(path))
    return ds
