"""Global sensitivity by Sobol indices: the design, the factors' values and the indices.

A thin layer over SALib (Herman & Usher 2017, JOSS 2:97; ``SALib.sample.sobol`` and
``SALib.analyze.sobol``) that every model goes through the same way, the twin
(:mod:`twin.sensitivity._twin`) and the Ishigami test function alike:

1. :func:`design`: Saltelli's scheme (Saltelli 2002; Saltelli et al. 2010, Comput Phys
   Commun 181:259) on a scrambled Sobol' sequence, in the unit hypercube, ``N (k + 2)``
   rows for ``k`` factors and a base of ``N`` (a power of two): first-order and total
   indices, no second-order ones;
2. :func:`factor_values`: each column mapped to its factor, uniformly over the factor's
   plausible range, or, for a categorical factor (the fitness-fatigue model), a level per
   equal share of [0, 1) (the usual way to put a discrete choice into a variance-based
   analysis: the categorical factor is a uniform variable cut into equal bins);
3. :func:`sobol_indices`: first-order ``S1`` and total ``ST`` indices (Jansen 1999 and
   Saltelli 2010 estimators, as SALib computes them) with bootstrap confidence intervals,
   as an xarray dataset.

References (BibTeX keys): ``herman2017salib``, ``saltelli2002``, ``saltelli2010``,
``ishigami1990``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["ISHIGAMI_INDICES", "Factor", "design", "factor_values", "ishigami",
           "ishigami_factors", "sobol_indices"]


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a real range, or a categorical choice among ``levels``.

    Attributes:
        name: ``"<record>.<field>"`` for a parameter (``"coupling.ramp_days"``), or the
            config key of a choice (``"model.fitness_fatigue"``).
        low, high: the plausible range (units as ``units``); ignored when categorical.
        default: the value (or level) the reference run uses.
        units, description: for the report.
        levels: the choices of a categorical factor (``()`` for a real one).
    """

    name: str
    low: float
    high: float
    default: float | str
    units: str
    description: str
    levels: tuple[str, ...] = ()

    @property
    def categorical(self) -> bool:
        return bool(self.levels)


def design(factors: list[Factor], base: int, *, seed: int = 0) -> np.ndarray:
    """Saltelli's design in the unit hypercube, ``(base * (k + 2), k)``.

    Raises:
        ValueError: ``base`` not a power of two of at least 2 (the Sobol' sequence's
            balance needs it), or no factors.
    """
    from SALib.sample import sobol as _sobol

    base = int(base)
    if base < 2 or base & (base - 1):
        raise ValueError(f"base = {base}: expected a power of two, at least 2")
    if not factors:
        raise ValueError("factors: expected at least one")
    return _sobol.sample(_problem(factors), base, calc_second_order=False, scramble=True,
                         seed=int(seed))


def factor_values(factors: list[Factor], unit: np.ndarray) -> dict[str, np.ndarray]:
    """Each factor's values for the rows of ``unit`` (``(n, k)`` in [0, 1]): floats for a
    real factor, level names (``str`` array) for a categorical one."""
    unit = np.asarray(unit, float)
    out = {}
    for j, f in enumerate(factors):
        u = unit[:, j]
        if f.categorical:
            index = np.minimum((u * len(f.levels)).astype(int), len(f.levels) - 1)
            out[f.name] = np.asarray(f.levels)[index]
        else:
            out[f.name] = f.low + u * (f.high - f.low)
    return out


def sobol_indices(factors: list[Factor], outputs: dict[str, np.ndarray], *,
                  resamples: int = 100, conf_level: float = 0.95, seed: int = 0
                  ) -> xr.Dataset:
    """First-order and total Sobol indices of each output, with bootstrap intervals.

    Args:
        factors: the design's factors (its columns, in order).
        outputs: output name -> ``(n,)`` values at the rows of :func:`design`, in its
            order; a NaN anywhere makes that output's indices NaN.
        resamples: bootstrap resamples of the interval.
        conf_level: level of the interval.
        seed: the bootstrap's seed.

    Returns:
        Dataset over ``(output, factor)``: ``S1``, ``ST`` and their interval half-widths
        ``S1_conf``, ``ST_conf`` (SALib's normal interval over the bootstrap
        replicates: ``z * sd``); an output that does not vary has indices 0 and a
        ``constant`` flag.
    """
    from SALib.analyze import sobol as _sobol

    names = [f.name for f in factors]
    empty = np.full((len(outputs), len(factors)), np.nan)
    arrays = {k: empty.copy() for k in ("S1", "S1_conf", "ST", "ST_conf")}
    constant = np.zeros(len(outputs), bool)
    for i, y in enumerate(outputs.values()):
        y = np.asarray(y, float)
        if not np.isfinite(y).all():
            continue
        if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            constant[i] = True
            for k in arrays:
                arrays[k][i] = 0.0
            continue
        with warnings.catch_warnings():
            # SALib warns when a resample or a column swap leaves the output unchanged (a
            # factor with no effect, a decision that never flips): expected here.
            warnings.filterwarnings("ignore", "Constant values encountered")
            warnings.simplefilter("ignore", RuntimeWarning)
            res = _sobol.analyze(_problem(factors), y, calc_second_order=False,
                                 num_resamples=int(resamples), conf_level=float(conf_level),
                                 seed=_salib_seed(seed))
        for k in arrays:
            arrays[k][i] = res[k]
    dims = ("output", "factor")
    level = f"{100 * conf_level:g} %"
    ds = xr.Dataset(
        {"S1": (dims, arrays["S1"], {"units": "1", "long_name": "first-order Sobol index"}),
         "S1_conf": (dims, arrays["S1_conf"], {
             "units": "1", "long_name": f"half-width of the {level} bootstrap interval of S1"}),
         "ST": (dims, arrays["ST"], {"units": "1", "long_name": "total Sobol index"}),
         "ST_conf": (dims, arrays["ST_conf"], {
             "units": "1", "long_name": f"half-width of the {level} bootstrap interval of ST"}),
         "constant": ("output", constant, {"long_name": "the output does not vary"})},
        coords={"output": list(outputs), "factor": names})
    ds.attrs.update(conf_level=float(conf_level), resamples=int(resamples))
    return ds


def _salib_seed(seed: int) -> int:
    """A seed SALib's bootstrap honours: it takes a seed of 0 as none and falls back to
    NumPy's global generator (``if seed:`` in ``SALib.analyze.sobol``), so every seed,
    0 included, is mapped to a non-zero one."""
    return int(np.random.SeedSequence(int(seed)).generate_state(1)[0]) or 1


def _problem(factors: list[Factor]) -> dict:
    """SALib's problem: every factor on [0, 1] (mapped by :func:`factor_values`)."""
    return {"num_vars": len(factors), "names": [f.name for f in factors],
            "bounds": [[0.0, 1.0]] * len(factors)}


#: Analytic indices of the Ishigami function with a = 7, b = 0.1 (Ishigami & Homma 1990;
#: Sobol' & Levitan 1999): (S1, ST) per factor.
ISHIGAMI_INDICES = {"x1": (0.3139, 0.5576), "x2": (0.4424, 0.4424), "x3": (0.0, 0.2437)}


def ishigami_factors() -> list[Factor]:
    """The Ishigami function's three factors, uniform on [-pi, pi]."""
    return [Factor(f"x{i}", -np.pi, np.pi, 0.0, "1", f"Ishigami input x{i}")
            for i in (1, 2, 3)]


def ishigami(values: dict[str, np.ndarray], a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function at the values of :func:`factor_values` (SALib's own
    ``SALib.test_functions.Ishigami``, so the reference is not ours)."""
    from SALib.test_functions import Ishigami

    x = np.stack([values["x1"], values["x2"], values["x3"]], axis=1)
    return Ishigami.evaluate(x, A=a, B=b)
