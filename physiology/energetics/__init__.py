"""Energetics: power-duration models (CP, W', Pmax), W' balance and match W' features."""

from physiology.energetics._match import (
    MatchWPrime,
    intermittent_match_power,
    match_w_prime_features,
)
from physiology.energetics._power_duration import (
    MODELS,
    PMAX_CAP,
    CriticalPowerFit,
    fit_critical_power,
)
from physiology.energetics._wbal import (
    METHODS,
    session_d_cp,
    tau_skiba,
    w_prime_balance,
)

__all__ = [
    "METHODS",
    "MODELS",
    "PMAX_CAP",
    "CriticalPowerFit",
    "MatchWPrime",
    "fit_critical_power",
    "intermittent_match_power",
    "match_w_prime_features",
    "session_d_cp",
    "tau_skiba",
    "w_prime_balance",
]
