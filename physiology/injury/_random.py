r"""Counter-based random numbers: the same draw for the same key, whatever the chunking.

DESIGN.md principle 5: random numbers come from streams keyed by (seed, stream, channel,
day), so a Monte-Carlo draw for one athlete, scenario point and draw number does not
depend on which other draws ran with it, in what order or on which worker. Each uniform
is a hash of its key: the 64-bit words are combined through the SplitMix64 output
function (Steele, Lea & Flood 2014), a bijective mixer whose sequence passes BigCrush,
and the top 53 bits give a float64 in [0, 1).

Reference:
    Steele GL, Lea D, Flood CH (2014). Fast splittable pseudorandom number generators.
    OOPSLA 2014, doi:10.1145/2660193.2660195.
"""

from __future__ import annotations

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64: add the golden gamma, then the output function (uint64, wrapping)."""
    z = x + _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _word(name: str, value) -> np.uint64:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not (
            0 <= int(value) < 2**64):
        raise ValueError(f"{name} = {value!r}: expected an integer in [0, 2**64)")
    return np.uint64(int(value))


def _ids(name: str, part) -> np.ndarray:
    ids = np.asarray(part)
    if ids.dtype.kind not in "iu" or np.any(ids < 0):
        raise ValueError(f"{name}: expected non-negative integer ids")
    return ids.astype(np.uint64)


def uniforms(seed: int, stream, n: int, channel: int = 0, start: int = 0) -> np.ndarray:
    """Uniform [0, 1) draws for days ``start .. start + n - 1`` of each stream.

    Args:
        seed: the run's seed (an integer in [0, 2**64)).
        stream: the stream key: an array of non-negative integer ids, or a tuple of such
            arrays (for example ``(athlete, scenario, draw)``) that broadcast together and
            are mixed in order, so adding a scenario to a sweep does not change the numbers
            of the others; the result has shape ``(*broadcast shape, n)``.
        n: number of days.
        channel: which use of the stream (injury event, time loss, ...), so uses never
            share numbers.
        start: first day (a later chunk of days continues the same stream).
    """
    seed, channel, start = _word("seed", seed), _word("channel", channel), _word("start", start)
    n = int(_word("n", n))
    parts = stream if isinstance(stream, tuple) else (stream,)
    ids = [_ids(f"stream[{i}]", part) for i, part in enumerate(parts)]
    shape = np.broadcast_shapes(*(i.shape for i in ids))
    with np.errstate(over="ignore"):
        key = _mix(np.full(shape, seed, dtype=np.uint64))
        for part in ids:
            key = _mix(key ^ part)
        key = _mix(key ^ channel)
        days = start + np.arange(n, dtype=np.uint64)
        bits = _mix(key[..., None] ^ days)
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53
