"""Biomechanics and tissue: spring-mass running loads and cumulative fatigue damage.

- :func:`spring_mass`: peak force and stiffness from speed, contact and flight times;
- :func:`running_loads`: loading cycles and peak force per speed band from GPS volume;
- :func:`daily_dose` and :func:`tissue_damage`: S-N fatigue, Miner accumulation,
  first-order repair and slow adaptation of capacity (:data:`BONE`, :data:`TENDON`).

The damage model's kernel is :data:`TISSUE_KERNEL` (for coupled models).
"""

from physiology.tissue._damage import (
    BONE,
    TENDON,
    TendonParams,
    TissueDamage,
    TissueParams,
    daily_dose,
    tissue_damage,
)
from physiology.tissue._damage import KERNEL as TISSUE_KERNEL
from physiology.tissue._spring_mass import (
    G,
    GaitParams,
    RunningLoads,
    SpringMass,
    running_loads,
    spring_mass,
)

__all__ = [
    "BONE",
    "TENDON",
    "TISSUE_KERNEL",
    "G",
    "GaitParams",
    "RunningLoads",
    "SpringMass",
    "TendonParams",
    "TissueDamage",
    "TissueParams",
    "daily_dose",
    "running_loads",
    "spring_mass",
    "tissue_damage",
]
