"""Shared fixtures and Hypothesis settings.

Hypothesis examples reuse a few fixed array shapes, so JAX compiles each kernel a handful
of times rather than once per example; Numba's kernels are cached on disk.
"""

import os

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

