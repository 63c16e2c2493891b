"""Where outcomes live: Zarr/netCDF cubes with CF metadata (:mod:`twin.store.cube`), and
governance by each athlete's jurisdiction (:mod:`twin.store.governance`: public ids,
pseudonyms, the identifiers kept out of recorded configs)."""

from twin.store.cube import Layout, ZarrStore, datasets, open_cube, write_netcdf
from twin.store.governance import public_config, public_ids

__all__ = ["Layout", "ZarrStore", "datasets", "open_cube", "public_config", "public_ids",
           "write_netcdf"]
