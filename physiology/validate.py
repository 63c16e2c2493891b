"""Input checks shared by the public model functions (and by calibration, which checks
athletes' series the same way).

Every error names the argument, the first offending index and value, and what was
expected, so a user can find the bad row of their data.
"""

from __future__ import annotations

import numpy as np


def _index(mask: np.ndarray) -> str:
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return "[" + ", ".join(map(str, index)) + "]"


def series(name: str, x, *, units: str = "AU", min_length: int = 1) -> np.ndarray:
    """A daily series ``(*batch, T)``: finite, non-negative float64, ``T >= min_length``."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected an array of numbers ({units}), got {x!r}") from None
    if arr.ndim == 0:
        raise ValueError(f"{name}: expected an array with time as its last axis, got a scalar")
    if arr.shape[-1] < min_length:
        raise ValueError(f"{name}: expected at least {min_length} day(s) on the last axis, "
                         f"got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name}{_index(bad)} = {float(arr[bad][0])!r}: expected a finite {units} "
                         "value (fill gaps explicitly, e.g. with 0 for rest days)")
    bad = arr < 0
    if bad.any():
        raise ValueError(f"{name}{_index(bad)} = {float(arr[bad][0])!r}: expected a non-negative "
                         f"{units} value")
    return arr


def window(name: str, value, n_t: int) -> int:
    """A window length in days: an integer in ``[1, n_t]``."""
    whole = isinstance(value, int | np.integer | float | np.floating) and not isinstance(
        value, bool) and np.isfinite(value) and int(value) == value
    if not whole or value < 1:
        raise ValueError(f"{name} = {value!r}: expected a whole number of days >= 1")
    if value > n_t:
        raise ValueError(f"{name} = {value!r} d: longer than the series ({n_t} d)")
    return int(value)


def positive(name: str, value) -> np.ndarray:
    """A strictly positive, finite number or array (a time constant, say)."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~(np.isfinite(arr) & (arr > 0))
    if bad.any():
        shown = arr[bad][0] if arr.ndim else float(arr)
        where = _index(bad) if arr.ndim else ""
        raise ValueError(f"{name}{where} = {float(shown)!r}: expected a finite value > 0")
    return arr


def flag(name: str, value) -> bool:
    """A true/false option (Python or NumPy bool only; no truthy strings)."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} = {value!r}: expected True or False")
    return bool(value)


def choice(name: str, value: str, options) -> str:
    """One of a fixed set of names."""
    if value not in options:
        raise ValueError(f"{name}={value!r}: expected one of {tuple(options)}")
    return value


def in_range(name: str, value, low: float, high: float, expected: str) -> np.ndarray:
    """Finite numbers in ``[low, high]``, elementwise; ``expected`` words the rule."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~(np.isfinite(arr) & (arr >= low) & (arr <= high))
    if bad.any():
        where = _index(bad) if arr.ndim else ""
        shown = arr[bad][0] if arr.ndim else float(arr)
        raise ValueError(f"{name}{where} = {float(shown)!r}: expected {expected}")
    return arr


def record(name: str, value, cls):
    """A parameter record of type ``cls`` (its defaults when ``value`` is None)."""
    if value is None:
        return cls()
    if not isinstance(value, cls):
        raise ValueError(f"{name}: expected a {cls.__name__}, got {type(value).__name__}")
    return value


def binary(name: str, value, shape: tuple[int, ...], meaning: str = "0 or 1") -> np.ndarray:
    """A 0/1 series broadcast to ``shape`` (sleep state, opportunity, ...)."""
    arr = np.broadcast_to(in_range(name, value, 0.0, 1.0, meaning), shape)
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        raise ValueError(f"{name}{_index(bad)} = {float(arr[bad][0])!r}: expected {meaning}")
    return arr


def clock_hours(name: str, value) -> np.ndarray:
    """A series of clock or body-clock hours: finite, with time as the last axis."""
    arr = in_range(name, value, -np.inf, np.inf, "a finite hour")
    if arr.ndim == 0:
        raise ValueError(f"{name}: expected an array with time as its last axis")
    return arr


def steps_per_day(dt: float) -> int:
    """Grid steps in a 24-h day; ``dt`` (h) must divide the day."""
    per_day = 24.0 / dt
    if abs(per_day - round(per_day)) > 1e-9 * per_day:
        raise ValueError(f"dt = {dt!r} h: expected a step that divides the 24 h day "
                         "(0.1, 0.05, 0.25, ...)")
    return round(per_day)
