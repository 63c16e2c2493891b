"""Training-load metrics.

- :func:`session_rpe` and :func:`trimp_banister`: the load of one session;
- :func:`pmc`: chronic and acute training load and training stress balance;
- :func:`acwr`: acute:chronic workload ratio (rolling or EWMA, coupled or not);
- :func:`monotony`, :func:`strain`: Foster's weekly monotony and strain.

Series functions take a daily load of shape ``(*batch, T)`` and ``backend="numba" |
"jax"``; bad input raises ``ValueError`` naming the argument, index and value.

The EWMA pair's kernel is :data:`EWMA_KERNEL` (for coupled models).
"""

from physiology.load._acwr import METHODS, acwr
from physiology.load._foster import monotony, session_rpe, strain
from physiology.load._pmc import DECAYS, PMC, decay_rate, pmc
from physiology.load._pmc import KERNEL as EWMA_KERNEL
from physiology.load._trimp import TRIMP_COEFFICIENTS, trimp_banister

__all__ = [
    "DECAYS",
    "EWMA_KERNEL",
    "METHODS",
    "PMC",
    "TRIMP_COEFFICIENTS",
    "acwr",
    "decay_rate",
    "monotony",
    "pmc",
    "session_rpe",
    "strain",
    "trimp_banister",
]
