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


def uniforms(seed: int, stream, n: int, channel: int = 0, start: int = 0) -> np.ndarray:
    """Uniform [0, 1) draws for days ``start .. start + n - 1`` of each stream.

    Args:
        seed: the run's seed (a non-negative integer).
        stream: integer stream ids, any shape (for example athlete x scenario x draw
            flattened to one id each); the result has shape ``(*stream.shape, n)``.
        n: number of days.
        channel: which use of the stream (injury event, time loss, ...), so uses never
            share numbers.
        start: first day (a later chunk of days continues the same stream).
    """
    if seed < 0 or channel < 0 or start < 0 or n < 0:
        raise ValueError("seed, channel, start and n must be >= 0")
    ids = np.asarray(stream)
    if ids.dtype.kind not in "iu" or np.any(ids < 0):
        raise ValueError("stream: expected non-negative integer ids")
    with np.errstate(over="ignore"):
        key = _mix(np.full(ids.shape, seed, dtype=np.uint64))
        key = _mix(key ^ ids.astype(np.uint64))
        key = _mix(key ^ np.uint64(channel))
        days = np.arange(start, start + n, dtype=np.uint64)
        bits = _mix(key[..., None] ^ days)
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53
