"""Integrity of a Zarr outcome store: chunk content hashes, and one writer at a time.

Chunk hashes. When a chunk (a block of athletes x a block along the first sweep dim) is
written, the arrays written are hashed (SHA-256 over the block's place and, for every
variable of the cube, the summary and the season outcomes in each draw, in name order,
its name, shape and float64 bytes: :func:`chunk_digest`); the digest goes into the
chunk's mark file in ``<store>.chunks/``. It is the hash of what was meant to be on disk,
so a write that went wrong is caught by the first verification, not recorded as right.
:func:`verify_block` reads the region back and compares (:func:`region_digest`, the same
hash of the values as read): a chunk file deleted (the
region reads as fill values), corrupted (it does not decompress, or decompresses to other
numbers) or swapped with another chunk's (the digest covers the block's place) is
reported by name. The store's ``twin_chunks`` attribute holds the number of chunks, so a
deleted mark is noticed too.

One writer. :class:`StoreLock` holds an exclusive ``flock`` on ``<store>.lock`` (which
records the writer's host and pid) while a run writes the store: a second driver on the
same store fails at once naming the first. The operating system drops the lock when its
process ends however it ends, so the lock of a killed run is never stale: the next run
takes it (the file itself stays, empty of meaning). ``flock`` is advisory and local: a
store on a network file system shared by several hosts needs one driver per store.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import socket
from pathlib import Path

import numpy as np
import zarr
import zarr.api.asynchronous
from zarr.core.sync import sync

from twin.model.variables import DAILY, SEASON_DRAWS, SUMMARY


class StoreLocked(RuntimeError):
    """Another live process is writing the store."""


class ChunkProblem(RuntimeError):
    """A chunk of a store is missing, corrupt or swapped; the message names it."""


def _region(n_lead_dims: int, athletes: slice, points: slice) -> tuple:
    return (athletes, points) if n_lead_dims else (athletes,)


def _digest(athletes: slice, points: slice, values_of) -> str:
    """SHA-256 of a block (module docstring); ``values_of(group_key, name)`` gives the
    block's values of a variable, ``group_key`` ``""``, ``"summary/"`` or ``"draws/"``."""
    digest = hashlib.sha256(f"{athletes.start}:{athletes.stop}|{points.start}:"
                            f"{points.stop}".encode())
    for key, names in (("", DAILY), ("summary/", SUMMARY), ("draws/", SEASON_DRAWS)):
        for name in sorted(names):
            values = np.ascontiguousarray(values_of(key, name), dtype=np.float64)
            digest.update(f"{name}{values.shape}".encode())
            digest.update(values.tobytes())
    return digest.hexdigest()


def chunk_digest(arrays: dict, athletes: slice, points: slice) -> str:
    """The digest of a block from the arrays about to be written (the keys of
    :func:`twin.store.cube.reshape_chunk`: ``name``, ``summary/name``, ``draws/name``):
    what :func:`region_digest` gives once they are on disk (float64 is stored as is)."""
    return _digest(athletes, points, lambda key, name: arrays[key + name])


def region_digest(path: Path, athletes: slice, points: slice, has_sweep: bool) -> str:
    """SHA-256 of a block's region of every variable as read from the store (module
    docstring); raises :class:`ChunkProblem` if a variable's chunk cannot be read."""
    return region_digests(path, [(athletes, points)], has_sweep)[0]


def region_digests(path: Path, regions, has_sweep: bool) -> list:
    """:func:`region_digest` of each ``(athletes, points)`` region. Each variable is read
    once, as the box that holds every region (one ``asyncio.gather`` on Zarr's own event
    loop), and cut into the regions in memory: Zarr's cost is mostly per call, so one
    read per variable and region took twice as long as one per variable (for the
    standard sweep's 25 chunks, 2.0 s against 1.1 s here). :class:`ChunkProblem` names
    a variable that cannot be read."""
    arrays = sync(open_arrays(path))
    a0, a1 = min(a.start for a, _ in regions), max(a.stop for a, _ in regions)
    p0, p1 = min(p.start for _, p in regions), max(p.stop for _, p in regions)
    box = _region(has_sweep, slice(a0, a1), slice(p0, p1))
    keys = list(arrays)
    reads = [arrays[key].getitem(box) for key in keys]
    boxes = {}
    for key, got in zip(keys, gather(reads, return_exceptions=True), strict=True):
        if isinstance(got, Exception):  # a codec error names nothing: say which chunk
            raise ChunkProblem(f"variable {key.rpartition('/')[2]!r} cannot be read "
                               f"({type(got).__name__}: {got})")
        boxes[key] = got

    def cut(athletes, points):
        index = _region(has_sweep, slice(athletes.start - a0, athletes.stop - a0),
                        slice(points.start - p0, points.stop - p0))
        return lambda key, name: boxes[key + name][index]

    return [_digest(athletes, points, cut(athletes, points)) for athletes, points in regions]


async def open_arrays(path: Path, mode: str = "r") -> dict:
    """Every variable's asynchronous Zarr array by key (``name``, ``summary/name``,
    ``draws/name``: the three groups of a store), opened concurrently."""
    root = await zarr.api.asynchronous.open_group(str(path), mode=mode)
    summary = await root.getitem("summary")
    groups = (("", root, DAILY), ("summary/", summary, SUMMARY),
              ("draws/", await summary.getitem("draws"), SEASON_DRAWS))
    keys = [(key + name, group, name) for key, group, names in groups for name in names]
    arrays = await asyncio.gather(*(group.getitem(name) for _, group, name in keys))
    return {key: array for (key, _, _), array in zip(keys, arrays, strict=True)}


def gather(coroutines, *, return_exceptions: bool = False) -> list:
    """Run Zarr's asynchronous calls (``Array.async_array`` methods) together on Zarr's
    event loop and wait for all of them."""
    async def _all():
        return await asyncio.gather(*coroutines, return_exceptions=return_exceptions)

    return sync(_all())


def write_mark(mark: Path, athletes: slice, points: slice, digest: str) -> None:
    """The mark of a written chunk: its region and content hash (written atomically)."""
    tmp = mark.with_name(mark.name + ".tmp")
    tmp.write_text(json.dumps({"athletes": [athletes.start, athletes.stop],
                               "points": [points.start, points.stop], "sha256": digest}))
    os.replace(tmp, mark)


def read_mark(mark: Path) -> tuple[slice, slice, str]:
    try:
        data = json.loads(mark.read_text())
        return slice(*data["athletes"]), slice(*data["points"]), str(data["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ChunkProblem(f"mark {mark.name} is unreadable") from None


def verify_block(path: Path, mark: Path, has_sweep: bool) -> None:
    """Compare a chunk's region with the digest of its mark; :class:`ChunkProblem`
    naming the chunk if they differ or cannot be read."""
    _verify_marks(path, [mark], has_sweep)


#: Bytes of a store's variables :func:`verify_store` reads at once (the chunks of as many
#: whole athletes as fit; at least one): the memory it holds stays bounded.
VERIFY_BATCH_BYTES = 256 * 2**20


def _verify_marks(path: Path, marks: list, has_sweep: bool) -> None:
    """The chunks of ``marks`` against their digests, read together."""
    read = [read_mark(mark) for mark in marks]

    def where(k):
        athletes, points, _ = read[k]
        return (f"chunk {marks[k].stem} (athletes {athletes.start}-{athletes.stop - 1}, "
                f"points {points.start}-{points.stop - 1})")

    try:
        got = region_digests(path, [(a, p) for a, p, _ in read], has_sweep)
    except ChunkProblem as exc:
        if len(marks) > 1:  # which chunk: each on its own
            for mark in marks:
                _verify_marks(path, [mark], has_sweep)
        raise ChunkProblem(f"{where(0)}: {exc}") from None
    for k, (digest, (_, _, want)) in enumerate(zip(got, read, strict=True)):
        if digest != want:
            raise ChunkProblem(f"{where(k)}: content does not match its hash (a chunk "
                               "file missing, corrupted or swapped)")


def _athlete_bytes(path: Path) -> int:
    """Bytes of one athlete's row of every variable."""
    return sum(8 * int(np.prod(array.shape[1:])) for array in sync(open_arrays(path)).values())


def verify_store(path: Path) -> None:
    """Every chunk of a finished store against its mark, and the number of marks against
    ``twin_chunks``; :class:`ChunkProblem` naming the first problem found. The chunks are
    read in batches of at most :data:`VERIFY_BATCH_BYTES`."""
    path = Path(path)
    marks = path.with_name(path.name + ".chunks")
    root = zarr.open_group(str(path), mode="r")
    expected = root.attrs.get("twin_chunks")
    found = sorted(marks.glob("*.done")) if marks.is_dir() else []
    if expected is not None and len(found) != int(expected):
        raise ChunkProblem(f"{path}: {len(found)} of {expected} chunk marks in {marks.name} "
                           "(a mark deleted)")
    has_sweep = bool(root.attrs.get("twin_has_sweep", True))
    rows = max(1, VERIFY_BATCH_BYTES // max(1, _athlete_bytes(path)))  # athletes a batch
    batches: dict[int, list] = {}
    for mark in found:  # by athlete block: a batch reads whole rows of athletes
        batches.setdefault(read_mark(mark)[0].start // rows, []).append(mark)
    for _, batch in sorted(batches.items()):
        _verify_marks(path, batch, has_sweep)


class StoreLock(contextlib.AbstractContextManager):
    """``<store>.lock`` held while a run writes the store (module docstring)."""

    def __init__(self, store: Path):
        self.path = Path(store).with_name(Path(store).name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                owner = json.loads(os.pread(fd, 4096, 0) or b"{}")
            except ValueError:
                owner = {}
            os.close(fd)
            raise StoreLocked(f"{self.path.with_suffix('')}: another run (pid "
                              f"{owner.get('pid', '?')} on {owner.get('host', '?')}) is "
                              "writing this store; wait for it to finish, or choose another "
                              "output directory") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"host": socket.gethostname(), "pid": os.getpid()}).encode(),
                  0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
