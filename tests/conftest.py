"""Shared fixtures and Hypothesis settings.

Hypothesis examples reuse a few fixed array shapes, so JAX compiles each kernel a handful
of times rather than once per example; Numba's kernels are cached on disk.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from physiology.kernels import keep_jax_compilations

settings.register_profile(
    "default", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BACKENDS = ("numba", "jax")

# JAX's compilations kept on disk beside the Numba kernels: both workers, the tools the
# tests run as processes and Ray's local workers load what one of them compiled.
keep_jax_compilations()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param



#: Test modules that start, stop or look for Ray (``ray stop --force`` ends every Ray
#: process of the machine; ``runner.address=auto`` finds any cluster that is up): with
#: pytest-xdist they run on one worker, one after another. A test elsewhere that looks
#: for a cluster joins them with ``@pytest.mark.xdist_group("ray")``.
RAY_MODULES = {"test_ray", "test_ray_cluster"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """With ``-n`` (pytest-xdist, ``--dist loadgroup``), each module runs on one worker
    (its module-scoped fixtures are computed once), and the modules that use Ray share
    one worker. A test that names its own group keeps it (the benchmark sections are
    spread over the workers that way).

    This hook must run before xdist's own (``tryfirst``), which reads the groups into
    the node ids; pytest 9.2 no longer takes xdist 3.8's node-id suffix at all (every
    test becomes its own group, module fixtures are computed on both workers), hence
    the ``pytest<9.2`` pin in pyproject's dev extra.
    """
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        module = item.module.__name__.rsplit(".", 1)[-1]
        item.add_marker(pytest.mark.xdist_group("ray" if module in RAY_MODULES else module))
