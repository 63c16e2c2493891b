"""Store integrity: chunk hashes detect a missing, corrupt or swapped chunk by name at open,
a rerun repairs it bit for bit, and one driver writes a store at a time (issue 22)."""

import functools
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

import twin
from tests.test_twin import tiny_cfg
from twin.runners import local as runner
from twin.store.cube import datasets
from twin.store.integrity import ChunkProblem, StoreLock, StoreLocked

CHUNKED = ("runner.chunk_athletes=1", "runner.chunk_points=3")  # 3 chunks, one per athlete


@functools.cache
def _reference(root):
    """A finished store (3 chunks) and its arrays, written once per session."""
    out = root / "ref"
    runner.run_sweep(tiny_cfg(*CHUNKED), out, progress=False)
    cube, summary = datasets(twin.open_cube(out / "cube.zarr"))
    return out, cube.load(), summary.load()


@pytest.fixture
def store(tmp_path_factory, tmp_path):
    """A fresh copy of the reference store, and the reference arrays."""
    src, cube, summary = _reference(tmp_path_factory.getbasetemp())
    for name in ("cube.zarr", "cube.zarr.chunks"):
        shutil.copytree(src / name, tmp_path / name)
    return tmp_path, cube, summary


def _chunk_files(out, variable: str, athlete: int):
    """The chunk files of an athlete's block (the store's keys ``c.<athlete>.<...>``,
    ``twin.store.cube.CHUNK_KEYS``)."""
    return sorted((out / "cube.zarr" / variable).glob(f"c.{athlete}.*"))


def _rerun_repairs(out, cube, summary, capsys, says: str) -> None:
    result = runner.run_sweep(tiny_cfg(*CHUNKED), out, progress=False)
    assert says in capsys.readouterr().err
    assert result.chunks_run >= 1
    _same(out, cube, summary)


def _same(out, cube, summary) -> None:
    again, again_summary = datasets(twin.open_cube(out / "cube.zarr"))
    for name in cube.data_vars:  # bit for bit: the same chunk, recomputed
        np.testing.assert_array_equal(again[name].values, cube[name].values, err_msg=name)
    for name in summary.data_vars:
        np.testing.assert_array_equal(again_summary[name].values, summary[name].values)


def test_a_deleted_chunk_file_is_named_and_repaired(store, capsys):
    out, cube, summary = store
    _chunk_files(out, "performance", 1)[0].unlink()
    with pytest.raises(ChunkProblem, match=r"chunk 1_0 \(athletes 1-1, points 0-2\): content "
                                           r"does not match its hash.*rerun the same command"):
        twin.open_cube(out / "cube.zarr")
    _rerun_repairs(out, cube, summary, capsys, "chunk 1_0")


def test_a_corrupt_chunk_file_is_named_and_repaired(store, capsys):
    out, cube, summary = store
    _chunk_files(out, "fitness", 2)[0].write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ChunkProblem, match=r"chunk 2_0 .*variable 'fitness' cannot be read"):
        twin.open_cube(out / "cube.zarr")
    _rerun_repairs(out, cube, summary, capsys, "chunk 2_0")


def test_swapped_chunk_files_are_named_and_repaired(store, capsys):
    out, cube, summary = store
    a, b = _chunk_files(out, "load_done", 0)[0], _chunk_files(out, "load_done", 2)[0]
    tmp = a.with_name("swap")
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)
    with pytest.raises(ChunkProblem, match=r"chunk 0_0 .*does not match its hash"):
        twin.open_cube(out / "cube.zarr")
    _rerun_repairs(out, cube, summary, capsys, "chunk 2_0")


def test_a_deleted_mark_or_marks_folder_is_noticed_and_rerun(store):
    out, cube, summary = store
    (out / "cube.zarr.chunks" / "1_0.done").unlink()
    with pytest.raises(ChunkProblem, match=r"2 of 3 chunk marks in cube.zarr.chunks"):
        twin.open_cube(out / "cube.zarr")
    assert runner.run_sweep(tiny_cfg(*CHUNKED), out, progress=False).chunks_run == 1
    shutil.rmtree(out / "cube.zarr.chunks")
    assert runner.run_sweep(tiny_cfg(*CHUNKED), out, progress=False).chunks_run == 3
    _same(out, cube, summary)


def test_a_second_driver_fails_at_once_and_a_dead_ones_lock_is_taken(tmp_path):
    """A live holder (another process) blocks a second driver with a one-line message
    naming it, before any work is written; once it dies (SIGKILL), its lock file is left
    behind but the next run takes it (the OS released the flock)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from twin.store.integrity import StoreLock; "
         "StoreLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(600)",
         str(tmp_path / "cube.zarr")], stdout=subprocess.PIPE, text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreLocked, match=rf"another run \(pid {holder.pid} on .*\) is "
                                              "writing this store"):
            runner.run_sweep(tiny_cfg(*CHUNKED), tmp_path, progress=False)
        assert not (tmp_path / "cube.zarr").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / "cube.zarr.lock").exists()  # stale file, no lock held
    with StoreLock(tmp_path / "cube.zarr"):  # taken at once (no wait, no stale-pid logic)
        with pytest.raises(StoreLocked):  # and it is exclusive within a process too
            StoreLock(tmp_path / "cube.zarr").acquire()


def test_the_chunk_writer_writes_in_order_one_at_a_time_and_raises_a_failed_write():
    """twin.runners.local.ChunkWriter: writes run in submission order with at most one in
    flight, and a write that failed is raised at the next chunk, not lost."""
    import threading

    from twin.runners.local import ChunkWriter

    class Store:
        def __init__(self):
            self.written, self.busy, self.overlap = [], threading.Lock(), False

        def write(self, block, result):
            if not self.busy.acquire(blocking=False):
                self.overlap = True
                return
            try:
                if block == "bad":
                    raise OSError("disk full")
                self.written.append((block, result))
            finally:
                self.busy.release()

    store = Store()
    with ChunkWriter(store) as writer:
        for k in range(5):
            writer.write(k, k * 10)
        writer.wait()
    assert store.written == [(k, k * 10) for k in range(5)] and not store.overlap
    with pytest.raises(OSError, match="disk full"), ChunkWriter(store) as writer:
        writer.write("bad", None)
        writer.write(5, 50)  # raises the previous chunk's failure; 5 is not written
    assert store.written[-1] == (4, 40)


def test_chunk_files_are_the_ones_zarr_writes(tmp_path):
    """twin.store.chunk_files against Zarr's own setitem on twin arrays of the store's
    form: a whole chunk, a chunk cut short by the array's edge (stored whole, padded with
    NaN), and a chunk rewritten as all NaN (its file removed); the files byte for byte
    the same. Another codec, sharding or a region that is not one chunk go through Zarr."""
    import zarr
    from zarr.codecs import BloscCodec

    from twin.store.chunk_files import chunk_file
    from twin.store.integrity import gather

    root = zarr.open_group(str(tmp_path / "s.zarr"), mode="w", zarr_format=3)
    make = functools.partial(root.create_array, shape=(5, 3, 4), chunks=(2, 3, 4),
                             dtype="f8", fill_value=np.nan)
    by_zarr, direct = make("by_zarr"), make("direct").async_array
    values = np.random.default_rng(0).normal(size=(5, 3, 4))
    values[0, 1, 2] = np.nan  # a NaN inside a chunk is written
    files = chunk_file(tmp_path / "s.zarr", direct)
    assert files is not None
    writes = [(slice(0, 2), values[0:2]), (slice(4, 5), values[4:5]),
              (slice(2, 4), values[2:4]), (slice(2, 4), np.full((2, 3, 4), np.nan))]
    for where, v in writes:
        gather([by_zarr.async_array.setitem((where,), v)])
        files.write(files.coords((where,)), v)

    def chunk_bytes(name):
        folder = tmp_path / "s.zarr" / name
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "zarr.json"}

    ours = chunk_bytes("direct")
    assert sorted(ours) == ["c/0/0/0", "c/2/0/0"]  # the all-NaN chunk 1 was removed
    assert ours == chunk_bytes("by_zarr")
    expect = values.copy()
    expect[2:4] = np.nan
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "s.zarr" / "direct"))[:],
                                  expect)
    assert files.coords((slice(1, 3),)) is None and files.coords((slice(0, 1),)) is None
    other = [make("blosc", compressors=BloscCodec()), make("sharded", shards=(4, 3, 4))]
    assert [chunk_file(tmp_path / "s.zarr", a.async_array) for a in other] == [None, None]
    # the folders it made are remembered; one removed since is made again
    shutil.rmtree(tmp_path / "s.zarr" / "direct" / "c")
    files.write(files.coords((slice(0, 2),)), values[0:2])
    assert chunk_bytes("direct") == {"c/0/0/0": ours["c/0/0/0"]}
