"""A block's chunk files written directly, in the layout Zarr reads them from.

Zarr's own ``setitem`` spends about 1 ms of CPU per array and chunk in Python (its
asynchronous codec pipeline and thread hand-offs). On the 2-core machine the kernels of
the next chunk run on both cores while a chunk is written, so that CPU comes straight out
of them: for the standard sweep's 47 arrays a chunk's write took 45-85 ms of CPU through
Zarr against 17-21 ms for encoding and writing the same files here (``time.process_time``
over 25 chunks, 2026-12-03), and the chunk loop ran 1.2 s faster with no writes at all.

So where an array's metadata is the plain form the store is made with (a regular chunk
grid, the default chunk key encoding, the codecs ``bytes`` little-endian then ``zstd`` without
checksum, float64, no sharding or storage transformers; Zarr format 3 specification,
sections "Chunk grids", "Chunk key encoding", "Codecs") and the region is exactly one
chunk, the chunk is encoded by the compressor Zarr's ``ZstdCodec`` itself calls
(numcodecs' ``Zstd`` at the array's level) and written to the file its chunk key names,
padded with the fill value where the chunk runs past the array's edge (chunks are stored
whole). A chunk that is all fill value is not written and an old file of it removed, as
Zarr does when the array's ``write_empty_chunks`` is false (Zarr's default), which this
follows.
Anything else goes through Zarr. The files are byte for byte Zarr's
(``tests/test_store_integrity.py::test_chunk_files_are_the_ones_zarr_writes``), and every
chunk is read back through Zarr and checked against its hash at each verified open.
"""

from __future__ import annotations

import os
from pathlib import Path

import numcodecs
import numpy as np
from zarr.codecs import BytesCodec, ZstdCodec


class ChunkFile:
    """How one array's chunks are written directly (:func:`chunk_file` makes it)."""

    def __init__(self, root: Path, array):
        meta = array.metadata
        self.folder = Path(root) / array.path
        self.meta, self.shape = meta, tuple(meta.shape)
        self.chunk = tuple(meta.chunk_grid.chunk_shape)
        self.codec = numcodecs.Zstd(level=meta.codecs[1].level)
        self.skip_empty = not array.config.write_empty_chunks  # the array's own setting
        # Folders of chunk keys known to exist: the array's own, where the store's flat
        # keys put every chunk (twin.store.cube.CHUNK_KEYS); nested keys (a store made
        # before them, resumed) make theirs once.
        self._folders: set[Path] = {self.folder}

    def coords(self, where: tuple) -> tuple | None:
        """The chunk that the region ``where`` (slices of the leading dims, the rest
        whole) is exactly, or None."""
        out = []
        for k, (size, chunk) in enumerate(zip(self.shape, self.chunk, strict=True)):
            s = where[k] if k < len(where) else slice(0, size)
            start, stop, _ = s.indices(size)
            if start % chunk or stop != min(start + chunk, size) or s.step not in (None, 1):
                return None
            out.append(start // chunk)
        return tuple(out)

    def write(self, coords: tuple, values: np.ndarray) -> None:
        """Chunk ``coords`` holding ``values`` (the region's values, edge chunks short)."""
        path = self.folder / self.meta.encode_chunk_key(coords)
        values = np.asarray(values, dtype=np.float64)
        if self.skip_empty and np.isnan(values).all():
            path.unlink(missing_ok=True)
            return
        if values.shape != self.chunk:
            full = np.full(self.chunk, np.nan)
            full[tuple(slice(0, n) for n in values.shape)] = values
            values = full
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        tmp = path.with_name(path.name + ".tmp")
        data = self.codec.encode(np.ascontiguousarray(values))
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # its folder removed since (a store cleared by hand)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, path)


def chunk_file(root: Path, array) -> ChunkFile | None:
    """A :class:`ChunkFile` for an asynchronous Zarr array of the plain form (module
    docstring), else None."""
    meta = array.metadata
    plain = (meta.zarr_format == 3 and np.dtype(meta.data_type.to_native_dtype()) == np.float64
             and np.isnan(meta.fill_value)
             and type(meta.chunk_grid).__name__ == "RegularChunkGrid"
             and type(meta.chunk_key_encoding).__name__ == "DefaultChunkKeyEncoding"
             and not meta.storage_transformers and len(meta.codecs) == 2
             and isinstance(meta.codecs[0], BytesCodec)
             and getattr(meta.codecs[0].endian, "value", None) == "little"
             and isinstance(meta.codecs[1], ZstdCodec) and not meta.codecs[1].checksum)
    return ChunkFile(root, array) if plain else None
