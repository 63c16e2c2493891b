"""Reading config values: dates, clock times, instants and numbers, with errors naming the key."""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum

import numpy as np


class ConfigError(ValueError):
    """A config value is wrong; the message names the key, the value and what was expected."""


def fail(key: str, value, expected: str) -> ConfigError:
    return ConfigError(f"{key} = {value!r}: {expected}")


def date(key: str, value) -> np.datetime64:
    try:
        return np.datetime64(dt.date.fromisoformat(str(value)), "D")
    except ValueError:
        raise fail(key, value, "expected an ISO date 'YYYY-MM-DD'") from None


def clock(key: str, value) -> float:
    """A local clock time "HH:MM" as hours in [0, 24)."""
    try:
        t = dt.time.fromisoformat(str(value))
    except ValueError:
        raise fail(key, value, "expected a clock time 'HH:MM'") from None
    return t.hour + t.minute / 60.0 + t.second / 3600.0


def instant(key: str, value) -> dt.datetime:
    """A local date and time "YYYY-MM-DDTHH:MM" (naive: the venue's wall clock)."""
    try:
        out = dt.datetime.fromisoformat(str(value))
    except ValueError:
        out = None
    if out is None or out.tzinfo is not None or "T" not in str(value):
        raise fail(key, value, "expected a local date and time 'YYYY-MM-DDTHH:MM' "
                               "(no UTC offset: the venue's clock applies)")
    return out


def number(key: str, value, low: float = -math.inf, high: float = math.inf, *,
           expected: str = "", low_open: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    bad = (not math.isfinite(x)) or x > high or (x <= low if low_open else x < low)
    if bad:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise fail(key, value, expected or f"expected a number in {interval}")
    return x


def enum_name(value) -> str:
    return value.name if isinstance(value, Enum) else str(value)
