"""Sensitivity and decision robustness: what the twin's answers depend on.

- :func:`design`, :func:`factor_values`, :func:`sobol_indices` (:mod:`._analysis`): Sobol
  indices by Saltelli sampling through SALib, the same path for the twin and for test
  functions (:func:`ishigami`, with :data:`ISHIGAMI_INDICES`);
- :func:`twin_factors`, :func:`run_design` (:mod:`._twin`): the twin's uncertain
  couplings, priors and hazard options, and the fitness-fatigue model, run as blocks of
  draws of one plan per model (in process or as Ray tasks: :func:`sample_chunk`);
- :func:`analyse`, :func:`robustness_lines` (:mod:`._decision`): the dataset (indices of
  each outcome and of each decision, with bootstrap intervals; robustness of the
  reference's best choice) and its printed summary.

``twin-sensitivity`` (:mod:`twin.apps.sensitivity`) is the command; ``twin-run
sensitivity.base_samples=N`` prints the robustness lines after its table.
"""

from twin.sensitivity._analysis import (
    ISHIGAMI_INDICES,
    Factor,
    design,
    factor_values,
    ishigami,
    ishigami_factors,
    sobol_indices,
)
from twin.sensitivity._decision import analyse, drivers, robustness_lines, targets
from twin.sensitivity._twin import (
    FIELDS,
    HELD,
    MODEL_FACTOR,
    OUTCOMES,
    SampleLayout,
    SampleRun,
    run_design,
    sample_chunk,
    twin_factors,
)

__all__ = [
    "FIELDS",
    "HELD",
    "ISHIGAMI_INDICES",
    "MODEL_FACTOR",
    "OUTCOMES",
    "Factor",
    "SampleLayout",
    "SampleRun",
    "analyse",
    "design",
    "drivers",
    "factor_values",
    "ishigami",
    "ishigami_factors",
    "robustness_lines",
    "run_design",
    "sample_chunk",
    "sobol_indices",
    "targets",
    "twin_factors",
]
