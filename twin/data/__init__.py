"""Example data shipped with the package (see README.md beside this file)."""

from importlib.resources import files

import numpy as np
import pandas as pd


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
