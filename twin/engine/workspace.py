"""Kernel output memory that a loop of kernel calls reuses (:class:`Workspace`)."""

from __future__ import annotations

import numpy as np

__all__ = ["Workspace"]


class Workspace:
    """Memory a loop of day-kernel calls reuses: the outputs of one call.

    Fresh from the allocator every call, each page of the outputs is faulted in and
    zeroed by the kernel on first touch; large blocks (above glibc's mmap threshold, at
    most 32 MiB) are mapped fresh by every allocation and handed back by every free. On
    the 2-core development machine, a virtual machine whose pages are backed on first
    touch, a first touch costs 6-12 ms per MB: a whole standard-sweep chunk's 200 MB of
    outputs took the day kernel from 70 to 88 ms (medians of 15 in one process). Hold one
    per loop, never across threads; take what is kept out of it before the next call
    (nothing :func:`twin.engine.run_chunk` returns is a view of it).
    """

    def __init__(self):
        self._memory = np.empty(0)

    def outputs(self, shape: tuple[int, ...]) -> np.ndarray:
        """A C-contiguous float64 array of ``shape`` on the reused memory (its old values)."""
        n = int(np.prod(shape))
        if self._memory.size < n:
            self._memory = np.empty(n)
        return self._memory[:n].reshape(shape)
