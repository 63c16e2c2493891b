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



#: Test modules that start, stop or look for Ray (``ray stop --force`` ends every Ray
#: process of the machine; ``runner.address=auto`` finds any cluster that is up): with
#: pytest-xdist they run on one worker, one after another.
RAY_MODULES = {"test_ray", "test_ray_cluster", "test_apps"}


def pytest_collection_modifyitems(config, items):
    """With ``-n`` (pytest-xdist, ``--dist loadgroup``), each module runs on one worker
    (its module-scoped fixtures are computed once), and the modules that use Ray share
    one worker."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        item.add_marker(pytest.mark.xdist_group("ray" if module in RAY_MODULES else module))
