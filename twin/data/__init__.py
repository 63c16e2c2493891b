"""Example data: the Clarke & Skiba (2013) cyclist, shipped once in :mod:`calibration.data`
(with its source and citation) and re-exported here for the demo."""

from calibration.data import CLARKE_SKIBA_2013_FIT, example_athlete

__all__ = ["CLARKE_SKIBA_2013_FIT", "example_athlete"]
