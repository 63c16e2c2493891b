"""Real athlete data shipped with calibration (see README.md beside this file): the
Clarke & Skiba (2013) cyclist of notebook 02, the tests and the benchmarks."""

from importlib.resources import files

import numpy as np
import pandas as pd

__all__ = ["CLARKE_SKIBA_2013_FIT", "example_athlete"]

#: The published Banister fit to this cyclist (Clarke & Skiba 2013, Fig. 8; same-day
#: convention; SSE 20.25 W^2, R^2 0.9792).
CLARKE_SKIBA_2013_FIT = {"p0": 261.927, "k1": 0.182582, "k2": 0.230163, "tau1": 35.821,
                         "tau2": 21.340}


def example_athlete() -> dict[str, np.ndarray]:
    """The Clarke & Skiba (2013) Fig. 8 cyclist: daily load and 5-min power tests.

    Returns a dict of equal-length daily arrays: ``date`` (datetime64[D]), ``day``,
    ``load_au`` (BikeScore) and ``test_power_w`` (NaN on days without a test).
    Source: Clarke DC, Skiba PF (2013). Adv Physiol Educ 37:134-152,
    doi:10.1152/advan.00078.2011.
    """
    with (files(__package__) / "clarke_skiba_2013_fig8.csv").open() as fh:
        rows = pd.read_csv(fh)
    return {
        "date": rows["date"].to_numpy(dtype="datetime64[D]"),
        "day": rows["day"].to_numpy(dtype=int),
        "load_au": rows["bikescore_au"].to_numpy(dtype=float),
        "test_power_w": rows["test_power_5min_w"].to_numpy(dtype=float),
    }
