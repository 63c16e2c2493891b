"""Outcome cubes: xarray datasets with CF metadata, written chunk by chunk to Zarr.

Layout (DESIGN.md principle 6). The daily cube has dims ``athlete``, the sweep's dims (one
per axis of a grid, or ``scenario`` for a sampled sweep, with each axis's values as a
coordinate), ``quantile`` (or ``draw`` with ``keep_draws``) and ``date``. The summary
(:mod:`twin.engine.summary`) is the group ``summary`` of the same store, without ``date``,
and the season outcomes in each draw (what the summary reduces over draws, for comparing
runs draw by draw) its group ``summary/draws``.

A Zarr store is created with every variable's metadata first (``twin_complete = 0``),
then each chunk (a block of athletes x a block along the first sweep dim) is written into
its region and marked done by a file in ``<store>.chunks/`` holding the hash of what was
written (:mod:`twin.store.integrity`; checked against the store as read at every resume
and every :func:`open_cube`); only when every chunk is in does the store get
``twin_complete = 1``. The store is Zarr format 3 with consolidated metadata
(re-consolidated whenever an attribute changes, so a reader never sees a stale
``twin_complete``); text coordinates are variable-length UTF-8, the string type format 3
specifies. A rerun of
the same config on the same store skips the chunks already marked whose content still
matches their hash, and recomputes the others, naming them (the store records a hash of
the config and refuses a different one). :func:`open_cube` verifies every chunk and
returns the store as what it is, an :class:`xarray.DataTree`: the daily cube at the root
and the ``summary`` child. netCDF (``output.format=netcdf``) is written whole, to a
temporary name moved into place at the end.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import xarray as xr
import xarray.conventions
import zarr
import zarr.api.asynchronous

from scenarios import SWEEP_AXES
from twin.engine import Plan
from twin.model.variables import DAILY, SEASON_DRAWS, SUMMARY
from twin.store.chunk_files import chunk_file
from twin.store.integrity import (
    ChunkProblem,
    chunk_digest,
    gather,
    open_arrays,
    verify_block,
    verify_store,
    write_mark,
)

_PACKAGES = ("physiology", "scenarios", "calibration", "twin")
ZARR_FORMAT = 3
#: The group of the season outcomes in each draw (:data:`twin.model.variables.SEASON_DRAWS`).
DRAWS_GROUP = "summary/draws"


def consolidate(path: Path) -> None:
    """Write the store's consolidated metadata (after any change of attributes).

    zarr-python warns that consolidated metadata is its extension of format 3, not yet in
    the specification; that is known and chosen (xarray reads it, and it saves a listing
    per variable), so the warning is not passed on to every run's console."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Consolidated metadata is currently not",
                                category=UserWarning)
        zarr.consolidate_metadata(str(path))


#: CF attributes of the draw and quantile coordinates: a Monte-Carlo draw is an ensemble
#: member (CF standard name ``realization``).
DRAW_ATTRS = {"long_name": "Monte-Carlo draw", "standard_name": "realization"}
QUANTILE_ATTRS = {"long_name": "quantile over Monte-Carlo draws", "units": "1"}


def _text(values) -> np.ndarray:
    """Text coordinate values as variable-length strings (Zarr format 3's string type)."""
    return np.asarray([str(v) for v in values], dtype=object)


def config_hash(text: str) -> str:
    """What a cube depends on: the config ``text`` and the code (every module of the
    packages, so a store written by other code is never resumed)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256(text.encode())
    for path in sorted(p for pkg in _PACKAGES for p in (root / pkg).rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Layout:
    """Dims, coords and chunk blocks of a plan's cube."""

    def __init__(self, plan: Plan, chunk_athletes: int, chunk_points: int):
        self.plan = plan
        sw = plan.sweep
        self.sweep_dims = sw.dims
        self.inner = int(np.prod(sw.shape[1:])) if sw.dims else 1
        lead = sw.shape[0] if sw.dims else 1
        self.ca = max(1, min(chunk_athletes, plan.squad.size))
        self.cp = max(1, min(chunk_points, lead))
        self.blocks = [(a, p) for a in range(0, plan.squad.size, self.ca)
                       for p in range(0, lead, self.cp)]
        self.lead = lead

    def slices(self, block):
        a, p = block
        a_sl = slice(a, min(a + self.ca, self.plan.squad.size))
        p_end = min(p + self.cp, self.lead)
        return a_sl, slice(p, p_end), slice(p * self.inner, p_end * self.inner)

    def coords(self) -> dict:
        plan = self.plan
        c = {"athlete": ("athlete", _text(plan.public_ids),
                         {"long_name": "athlete id (as the governance policy lets it out)",
                          "cf_role": "timeseries_id"}),
             "date": ("date", plan.season.dates.astype("datetime64[ns]"),
                      {"long_name": "date", "standard_name": "time", "axis": "T"})}
        for dim, values in plan.sweep.coords.items():
            target = dim if plan.sweep.mode == "grid" else "scenario"
            axis = SWEEP_AXES[dim]
            if np.asarray(values).dtype.kind in "OUS":
                values = _text(values)
            c[dim] = (target, values, {"long_name": axis.long_name, "units": axis.units})
        if plan.sweep.mode != "grid":
            c["scenario"] = ("scenario", np.arange(plan.sweep.size),
                             {"long_name": "scenario point"})
        if plan.keep_draws:
            c["draw"] = ("draw", np.arange(plan.draws), DRAW_ATTRS)
        else:
            c["quantile"] = ("quantile", plan.quantiles, QUANTILE_ATTRS)
        return c

    def dims(self, name: str, table=DAILY) -> tuple[str, ...]:
        """The cube dims of a declared variable (``point`` becomes the sweep's dims,
        ``draw`` the quantiles or, for daily variables with ``keep_draws``, the draws)."""
        var = table[name]
        out = []
        for d in var.dims:
            if d == "point":
                out += self.sweep_dims
            elif d == "draw":
                if var.reduce == "quantiles":
                    keep = self.plan.keep_draws and table is DAILY
                    out.append("draw" if keep else "quantile")
                elif var.reduce == "draws":
                    out.append("draw")
            else:
                out.append(d)
        return tuple(out)

    def shape(self, dims) -> tuple[int, ...]:
        sizes = {"athlete": self.plan.squad.size, "date": self.plan.season.days,
                 "quantile": self.plan.quantiles.size, "draw": self.plan.draws}
        sizes.update(dict(zip(self.sweep_dims, self.plan.sweep.shape, strict=True)))
        return tuple(sizes[d] for d in dims)

    def chunks(self, dims) -> tuple[int, ...]:
        lead = {"athlete": self.ca}
        if self.sweep_dims:
            lead[self.sweep_dims[0]] = self.cp
        return tuple(lead.get(d, s) for d, s in zip(dims, self.shape(dims), strict=True))


def _attrs(plan: Plan, config_text: str, command: str, key_text: str | None = None) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("athlete-twin")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        ver = "unknown"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    key, travel = key_text or config_text, {}
    if plan.travel_plan is not None:  # the replayed plan's values, not only its file name
        from twin.travel.plan_file import plan_digest

        t, digest = plan.travel_plan, plan_digest(plan.travel_plan)
        key += f"travel_plan: {digest}\n"
        travel["twin_travel_plan"] = (f"{t.strategy}: {len(t.actions)} actions for "
                                      f"{len(t.athletes)} athletes, sha256 {digest}")
    return {"Conventions": "CF-1.10",
            "title": f"athlete-twin outcomes: {plan.squad.name} x {plan.season.name} x "
                     f"{plan.sweep.name}",
            "source": f"athlete-twin {ver} ({plan.model} fitness-fatigue, {plan.backend})",
            "history": f"{now}: {command}", "config": config_text,
            "twin_config_hash": config_hash(key), "twin_complete": 0,
            "draws": plan.draws, "seed": plan.seed, **travel}


def _dataset(layout: Layout, arrays: dict, attrs: dict | None = None) -> tuple:
    coords = layout.coords()
    cube = xr.Dataset({n: (layout.dims(n), arrays[n], _var_attrs(layout, n))
                       for n in DAILY}, coords=coords, attrs=attrs or {})
    lead = ("athlete", *layout.sweep_dims)
    summ_coords = {k: v for k, v in coords.items() if v[0] in lead}
    summ_coords["quantile"] = ("quantile", layout.plan.quantiles, QUANTILE_ATTRS)
    summ = {n: (_summary_dims(layout, n), arrays[f"summary/{n}"], v.attrs)
            for n, v in SUMMARY.items()}
    draws = {n: (layout.dims(n, SEASON_DRAWS), arrays[f"draws/{n}"], v.attrs)
             for n, v in SEASON_DRAWS.items()}
    draw_coords = {k: v for k, v in summ_coords.items() if k != "quantile"}
    draw_coords["draw"] = ("draw", np.arange(layout.plan.draws), DRAW_ATTRS)
    return (cube, xr.Dataset(summ, coords=summ_coords, attrs=attrs or {}),
            xr.Dataset(draws, coords=draw_coords, attrs=attrs or {}))


def _var_attrs(layout: Layout, name: str) -> dict:
    """A daily variable's CF attributes; kept draws (``keep_draws``) were not reduced, so
    they carry no cell method over the draws."""
    attrs = dict(DAILY[name].attrs)
    if "draw" in layout.dims(name):
        attrs.pop("cell_methods", None)
    return attrs


def _summary_dims(layout: Layout, name: str) -> tuple[str, ...]:
    return layout.dims(name, SUMMARY)


def _empty(layout: Layout) -> dict:
    """Every variable as NaN of its shape, a zero-stride view (nothing allocated): what
    :func:`_dataset` needs to describe the store's variables."""
    return {key + n: np.broadcast_to(np.nan, layout.shape(dims_of(n)))
            for key, names, dims_of in (
                ("", DAILY, layout.dims),
                ("summary/", SUMMARY, lambda n: _summary_dims(layout, n)),
                ("draws/", SEASON_DRAWS, lambda n: layout.dims(n, SEASON_DRAWS)))
            for n in names}


#: The data variables' chunk keys (Zarr format 3 "default" encoding): flat names
#: ``c.<i>.<j>...`` in each variable's folder rather than nested folders ``c/<i>/<j>/...``
#: (the format's default). A standard-sweep chunk's key was 5 folders deep, each new for
#: every athlete: 4 426 ``mkdir`` calls over the sweep's 1 175 chunk files, 0.19 s of the
#: writer's CPU on the 2-core machine, taken from the kernels. The coordinates keep
#: xarray's default.
CHUNK_KEYS = {"name": "default", "separator": "."}

#: NaN as xarray encodes a float64 variable's ``_FillValue`` attribute in Zarr format 3
#: (base64 of its little-endian bytes).
_NAN_FILL = base64.standard_b64encode(np.float64(np.nan).tobytes()).decode()


def _create(path: Path, layout: Layout, attrs: dict) -> None:
    """The empty store: each group's coordinates and attributes written by xarray, then
    every data variable created by Zarr with the metadata xarray gives it (dims, CF
    attributes, NaN fill, one chunk per block), all of a group's at once, with no data
    written. This is the store ``to_zarr(compute=False)`` makes from dask arrays of these
    chunks and chunk keys (byte for byte, ``tests/test_twin.py::
    test_a_new_store_is_the_template_xarray_writes_from_dask``) without dask's graphs:
    the standard sweep's store is created in 0.2 s instead of 0.55-0.8 s."""
    datasets = _dataset(layout, _empty(layout), attrs)
    for ds, group, mode in zip(datasets, (None, "summary", DRAWS_GROUP), "waa", strict=True):
        ds.drop_vars(list(ds.data_vars)).to_zarr(path, group=group, mode=mode,
                                                 consolidated=False, zarr_format=ZARR_FORMAT)
        gather([_create_arrays(path, group or "", layout, ds)])


async def _create_arrays(path: Path, group: str, layout: Layout, ds: xr.Dataset) -> None:
    """Every data variable of ``ds`` created in the store's ``group``, concurrently."""
    node = await zarr.api.asynchronous.open_group(str(path), path=group, mode="r+")
    encoded, _ = xr.conventions.encode_dataset_coordinates(ds)  # CF "coordinates"
    await asyncio.gather(*(node.create_array(
        name, shape=var.shape, dtype=var.dtype, chunks=layout.chunks(var.dims),
        fill_value=np.nan, dimension_names=var.dims, chunk_key_encoding=CHUNK_KEYS,
        attributes={**encoded[name].attrs, "_FillValue": _NAN_FILL}, write_data=False)
        for name, var in ds.data_vars.items()))


def reshape_chunk(layout: Layout, result: dict, a_sl: slice, p_sl: slice) -> dict:
    """Chunk arrays with the flat point axis unfolded into the sweep dims."""
    n_lead = p_sl.stop - p_sl.start
    trailing = layout.plan.sweep.shape[1:] if layout.sweep_dims else ()
    out = {}
    for k, v in result.items():
        point_shape = (n_lead, *trailing) if layout.sweep_dims else ()
        out[k] = v.reshape(v.shape[0], *point_shape, *v.shape[2:])
    return out


class ZarrStore:
    """A Zarr outcome store written chunk by chunk (module docstring)."""

    def __init__(self, path: Path, layout: Layout, config_text: str, command: str,
                 key_text: str | None = None):
        """``key_text``: what must match for a rerun to resume (default the config)."""
        self.path, self.layout = Path(path), layout
        self.marks = self.path.with_name(self.path.name + ".chunks")
        self.repaired: list[str] = []  # chunks found bad on resume, recomputed
        self._known: set = set()  # blocks verified or written through this object
        self._arrays = None  # key: (asynchronous Zarr array, ChunkFile or None)
        attrs = _attrs(layout.plan, config_text, command, key_text)
        attrs.update(twin_chunks=len(layout.blocks),
                     twin_has_sweep=int(bool(layout.sweep_dims)))
        if self.path.exists():
            have = zarr.open_group(str(self.path), mode="r").attrs.get("twin_config_hash")
            if have is None:
                raise FileExistsError(f"{self.path}: exists but is not an athlete-twin "
                                      "store (no twin_config_hash); remove it or choose a "
                                      "new output path")
            if have != attrs["twin_config_hash"]:
                raise FileExistsError(f"{self.path}: holds a cube of another config "
                                      f"(hash {have}); expected {attrs['twin_config_hash']} "
                                      "or a new output path")
            self.marks.mkdir(exist_ok=True)  # a deleted marks folder: every chunk again
            return
        tmp = self.path.with_name(self.path.name + ".init")
        shutil.rmtree(tmp, ignore_errors=True)
        _create(tmp, layout, attrs)
        consolidate(tmp)
        shutil.rmtree(self.marks, ignore_errors=True)
        self.marks.mkdir()
        os.replace(tmp, self.path)

    def _mark(self, block) -> Path:
        return self.marks / f"{block[0]}_{block[1]}.done"

    def done(self, block) -> bool:
        """Whether the block is written and its content matches its hash; a bad block's
        mark is removed (it will be recomputed) and the problem kept in ``repaired``."""
        mark = self._mark(block)
        if not mark.exists():
            self._known.discard(block)
            return False
        if block in self._known:  # checked, or written, by this store object already
            return True
        try:
            verify_block(self.path, mark, bool(self.layout.sweep_dims))
        except ChunkProblem as exc:
            self.repaired.append(str(exc))
            mark.unlink()
            return False
        self._known.add(block)
        return True

    def reopen(self) -> None:
        """Mark the store incomplete again before chunks are (re)written into it."""
        root = zarr.open_group(str(self.path), mode="r+")
        if int(root.attrs.get("twin_complete", 0)):
            root.attrs["twin_complete"] = 0
            root["summary"].attrs["twin_complete"] = 0
            consolidate(self.path)

    def write(self, block, result: dict) -> None:
        """Write a block's arrays into their regions and mark it done with the hash of
        what was written (:func:`twin.store.integrity.chunk_digest`). The store's arrays
        were made by xarray with these dims, so a region is an index; a region that is one
        chunk of a plain array is written as its chunk file (:mod:`twin.store.chunk_files`),
        any other through Zarr, all of those at once."""
        a_sl, p_sl, _ = self.layout.slices(block)
        arrays = reshape_chunk(self.layout, result, a_sl, p_sl)
        where = (a_sl, p_sl) if self.layout.sweep_dims else (a_sl,)
        if self._arrays is None:  # opened once per store object
            self._arrays = {key: (array, chunk_file(self.path, array))
                            for key, array in gather([open_arrays(self.path, "r+")])[0].items()}
        through_zarr = []
        for key, (array, files) in self._arrays.items():
            coords = None if files is None else files.coords(where)
            if coords is None:
                through_zarr.append(array.setitem(where, arrays[key]))
            else:
                files.write(coords, arrays[key])
        gather(through_zarr)
        write_mark(self._mark(block), a_sl, p_sl, chunk_digest(arrays, a_sl, p_sl))
        self._known.add(block)

    def finish(self) -> None:
        missing = [b for b in self.layout.blocks if not self.done(b)]
        if missing:
            raise RuntimeError(f"{self.path}: chunks {missing} are not written")
        root = zarr.open_group(str(self.path), mode="r+")
        root.attrs["twin_complete"] = 1
        root["summary"].attrs["twin_complete"] = 1
        consolidate(self.path)


def write_netcdf(path: Path, layout: Layout, arrays: dict, config_text: str,
                 command: str) -> None:
    """The whole cube (and ``<name>.summary.nc``) to netCDF, moved into place at the end."""
    attrs = _attrs(layout.plan, config_text, command)
    attrs["twin_complete"] = 1
    cube, summ, draws = _dataset(layout, arrays, attrs)
    for ds, target in ((summ, path.with_suffix(".summary.nc")),
                       (draws, path.with_suffix(".draws.nc")), (cube, path)):
        tmp = target.with_name(target.name + ".tmp")
        ds.to_netcdf(tmp)
        os.replace(tmp, target)


def open_cube(path, *, verify: bool = True, chunks: dict | None = {}) -> xr.DataTree:  # noqa: B006
    """A finished store (Zarr or netCDF) as a :class:`xarray.DataTree`: the daily cube at
    the root, the season summary as the child ``summary``.

    ``tree.to_dataset()`` is the daily cube and ``tree["summary"].to_dataset()`` the
    summary (with the athlete and sweep coordinates it shares with the cube); both are lazy
    (dask) over a Zarr store.

    Args:
        path: ``cube.zarr`` or ``cube.nc``.
        verify: check every chunk of a Zarr store against its hash (reads the whole
            store once).
        chunks: as :func:`xarray.open_datatree`'s for a Zarr store: ``{}`` (default)
            dask arrays in the store's chunks; ``None`` xarray's own lazy arrays, no
            dask, each read whole on first use (loading the small summary group this
            way took 0.5 s against 1.3 s through dask's graph of its chunks).

    Raises:
        RuntimeError: for a Zarr store whose chunks are not all in, or one missing,
            corrupt or swapped (a :class:`twin.store.integrity.ChunkProblem` naming it).
    """
    path = Path(path)
    if path.suffix == ".nc":
        return xr.DataTree.from_dict({
            "/": xr.open_dataset(path),
            "summary": xr.open_dataset(path.with_suffix(".summary.nc")),
            DRAWS_GROUP: xr.open_dataset(path.with_suffix(".draws.nc"))})
    tree = xr.open_datatree(path, engine="zarr", consolidated=True, chunks=chunks)
    if int(tree.attrs.get("twin_complete", 0)) != 1:
        raise RuntimeError(f"{path}: incomplete cube (a run stopped before every chunk "
                           "was written); rerun the same command to resume")
    if verify:
        try:
            verify_store(path)
        except ChunkProblem as exc:
            raise ChunkProblem(f"{path}: {exc}; rerun the same command to recompute "
                               "it") from None
    return tree


def datasets(tree: xr.DataTree) -> tuple[xr.Dataset, xr.Dataset]:
    """The daily cube and the summary of :func:`open_cube`'s tree, as two datasets."""
    return tree.to_dataset(), tree["summary"].to_dataset()
