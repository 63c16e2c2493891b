"""Sweeps: the axes of a "what if" study, as a grid or as a sampled design.

Axes (all optional; an axis left ``null`` is fixed at the season's own value):

========================  ===========  ==================================================
axis                      units        meaning
========================  ===========  ==================================================
``training_volume``       1            multiplier of every training session's duration
                                       (so of its session-RPE load) and running volume
``match_load``            1            multiplier of match minutes x intensity
``fixture_density``       matches/wk   generated fixtures per week (may be fractional)
``itinerary``             --           ``home``, a trip name, ``east_<h>``, ``west_<h>``
``recovery``              --           a recovery policy of ``scenario.recovery``
========================  ===========  ==================================================

An axis is a list, or a range ``{start, stop, num}`` (``numpy.linspace``) or
``{start, stop, step}`` (stop included); a sampled sweep also takes ``{start, stop}``.
A ``grid`` sweep is the Cartesian product (one cube dimension per axis, in the order
above); ``lhs`` and ``sobol`` draw ``n``
points from :mod:`scipy.stats.qmc` (seeded; Latin hypercube of McKay et al. 1979,
scrambled Sobol sequence of Owen 1998): numeric ranges are sampled continuously between
start and stop, lists uniformly among their values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios import _parse
from scenarios._itinerary import is_trip_name
from scenarios._season import Season


@dataclass(frozen=True)
class Axis:
    """A sweep axis, declared once: its units, meaning and kind (the cube's coordinate
    attributes come from here)."""

    name: str
    units: str
    long_name: str
    categorical: bool = False


#: The largest training-volume or match-load multiplier a sweep may ask for (assumption:
#: three times a professional team's planned season is beyond what any squad trains or
#: plays; the models were never checked there).
MAX_MULTIPLIER = 3.0

#: The sweep axes, in cube order (module docstring).
SWEEP_AXES: dict[str, Axis] = {a.name: a for a in (
    Axis("training_volume", "1", "multiplier of training duration and running volume"),
    Axis("match_load", "1", "multiplier of match minutes x intensity"),
    Axis("fixture_density", "matches/week", "generated fixtures per week"),
    Axis("itinerary", "", "itinerary (home, a trip, east_<h> or west_<h>)", True),
    Axis("recovery", "", "recovery policy", True),
)}
AXES = tuple(SWEEP_AXES)
CATEGORICAL = tuple(n for n, a in SWEEP_AXES.items() if a.categorical)


@dataclass(frozen=True)
class Sweep:
    """Sweep points: ``points[axis]`` has one value per point for every axis (fixed axes
    repeat the season's value). ``dims``/``coords``: the swept axes and their values for
    a grid (points in C order over ``dims``), or ``("scenario",)`` for a sample."""

    name: str
    mode: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    coords: dict[str, np.ndarray]
    points: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


def _default(season: Season, axis: str):
    return {"training_volume": 1.0, "match_load": 1.0,
            "fixture_density": season.fixtures["per_week"], "itinerary": "home",
            "recovery": season.recovery_policy}[axis]


def _check_value(season: Season, axis: str, key: str, v):
    if axis == "itinerary":
        if not is_trip_name(season, str(v)):
            raise _parse.fail(key, v, f"expected 'home', a trip of scenario.trips "
                                      f"{sorted(season.trips)}, or 'east_<h>' / 'west_<h>'")
        return str(v)
    if axis == "recovery":
        if str(v) not in season.recovery:
            raise _parse.fail(key, v, f"expected a recovery policy of scenario.recovery "
                                      f"{sorted(season.recovery)}")
        return str(v)
    if axis == "fixture_density":
        top = season.fixtures["n_weekdays"]
        return _parse.number(key, v, 0.0, top, expected=f"expected matches per week in "
                                                        f"[0, {top}] (scenario.fixtures."
                                                        "weekdays)")
    return _parse.number(key, v, 0.0, MAX_MULTIPLIER,
                         expected=f"expected a multiplier in [0, {MAX_MULTIPLIER:g}] "
                                  "(1 = the season as planned)")


def _axis(season: Season, axis: str, spec, key: str, grid: bool
          ) -> tuple[np.ndarray, tuple | None]:
    """Values of an axis, and for a numeric range its (start, stop) bounds."""
    if isinstance(spec, (list, tuple)) or hasattr(spec, "_iter_ex"):  # ListConfig
        values = [_check_value(season, axis, f"{key}[{i}]", v) for i, v in enumerate(spec)]
        if not values:
            raise _parse.fail(key, [], "expected at least one value")
        return np.array(values), None
    if hasattr(spec, "keys") and axis not in CATEGORICAL:
        keys = set(spec.keys())
        ranges = [{"start", "stop", "num"}, {"start", "stop", "step"}]
        if not grid:
            ranges.append({"start", "stop"})
        if keys not in ranges:
            raise _parse.fail(key, dict(spec), "expected a range {start, stop, num} or "
                                               "{start, stop, step}" + ("" if grid else
                                                                        " or {start, stop}"))
        lo = _check_value(season, axis, f"{key}.start", spec["start"])
        hi = _check_value(season, axis, f"{key}.stop", spec["stop"])
        if hi < lo:
            raise _parse.fail(f"{key}.stop", spec["stop"], f"expected stop >= start ({lo})")
        if keys == {"start", "stop"}:
            values = np.array([lo, hi])
        elif "num" in keys:
            num = int(_parse.number(f"{key}.num", spec["num"], 1, 10**6))
            values = np.linspace(lo, hi, num)
        else:
            step = _parse.number(f"{key}.step", spec["step"], 0.0, low_open=True)
            values = lo + step * np.arange(int(np.floor((hi - lo) / step + 1e-9)) + 1)
        return values, (lo, hi)
    kind = "a list" if axis in CATEGORICAL else "a list or a range {start, stop, num|step}"
    raise _parse.fail(key, spec, f"expected {kind}")


def build_sweep(cfg, season: Season, key: str = "sweep") -> Sweep:
    """Check a sweep config against a season and lay out its points."""
    mode = _parse.enum_name(cfg.mode)
    swept, bounds = {}, {}
    for axis in AXES:
        spec = getattr(cfg.axes, axis)
        if spec is not None:
            swept[axis], bounds[axis] = _axis(season, axis, spec, f"{key}.axes.{axis}",
                                              mode == "grid")
    if mode == "grid":
        dims = tuple(swept)
        shape = tuple(len(v) for v in swept.values())
        mesh = np.meshgrid(*swept.values(), indexing="ij") if swept else []
        values = {a: m.ravel() for a, m in zip(dims, mesh, strict=True)}
        coords = dict(swept)
    else:
        n = int(_parse.number(f"{key}.n", cfg.n, 1, 10**7))
        if mode == "sobol" and n & (n - 1):
            raise _parse.fail(f"{key}.n", cfg.n, "expected a power of two for a Sobol "
                                                 "sample (its balance properties need it)")
        seed = int(_parse.number(f"{key}.seed", cfg.seed, 0, 2**63 - 1))
        d = max(len(swept), 1)
        from scipy.stats import qmc  # on use: scipy.stats takes about 0.5 s to import

        engine = (qmc.LatinHypercube(d, seed=seed) if mode == "lhs"
                  else qmc.Sobol(d, scramble=True, seed=seed))
        u = engine.random(n)
        values = {}
        for j, (axis, v) in enumerate(swept.items()):
            if bounds[axis] is not None:
                lo, hi = bounds[axis]
                values[axis] = lo + u[:, j] * (hi - lo)
            else:
                values[axis] = v[np.minimum((u[:, j] * len(v)).astype(int), len(v) - 1)]
        dims, shape = ("scenario",), (n,)
        coords = dict(values)
    return Sweep(str(cfg.name), mode, dims, shape, coords, _points(season, values, shape))


def as_planned(season: Season) -> Sweep:
    """The one-point sweep of the season as planned: every axis at the season's value."""
    return Sweep("as planned", "grid", (), (), {}, _points(season, {}, ()))


def _points(season: Season, values: dict, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Every axis's value at every point: the swept ``values``, the season's elsewhere."""
    size = int(np.prod(shape))
    points = {}
    for axis in AXES:
        points[axis] = (values[axis] if axis in values
                        else np.full(size, _default(season, axis),
                                     dtype=object if axis in CATEGORICAL else float))
        if axis in CATEGORICAL:
            points[axis] = points[axis].astype(str)
    return points
