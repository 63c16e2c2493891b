"""Shared fixtures and Hypothesis settings.

Hypothesis examples reuse a few fixed array shapes, so JAX compiles each kernel a handful
of times rather than once per example; Numba's kernels are cached on disk.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BACKENDS = ("numba", "jax")


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def clarke_skiba_fig6_load() -> np.ndarray:
    """Clarke & Skiba 2013 Fig. 6 load (DESIGN.md): 0 on day 0, 100 on days 1-119,
    then 80, 60, 50, 40, 35, 30, 30 on days 120-126, then 0 to day 200."""
    load = np.zeros(201)
    load[1:120] = 100.0
    load[120:127] = [80, 60, 50, 40, 35, 30, 30]
    return load
