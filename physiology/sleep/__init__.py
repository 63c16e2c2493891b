"""Sleep and alertness.

- :func:`two_process` (:class:`TwoProcessParams`): Daan, Beersma & Borbely's two-process
  model on the body clock, sleep forced by a schedule or spontaneous at the thresholds;
  its Process C, :func:`process_c` (arrays) and :func:`circadian_wave` (kernel code);
- :func:`sleep_debt`, :func:`night_debt` (fading) and :func:`cumulative_debt` (Van Dongen
  et al. 2003's ledger): hours owed against the athlete's need;
- :func:`alertness` (:class:`ThreeProcessParams`): Akerstedt & Folkard's three-process
  alertness and KSS sleepiness;
- :func:`ump` (:class:`UMPParams`): Rajdev & Ramakrishnan's unified model of performance,
  PVT lapses under chronic sleep restriction and total sleep deprivation.
"""

from physiology.sleep._three_process import Alertness, ThreeProcessParams, alertness
from physiology.sleep._two_process import (
    C_HARMONICS,
    SleepResult,
    TwoProcessParams,
    circadian_wave,
    cumulative_debt,
    night_debt,
    process_c,
    sleep_debt,
    two_process,
)
from physiology.sleep._ump import UMPParams, UMPResult, ump

__all__ = ["C_HARMONICS", "Alertness", "SleepResult", "ThreeProcessParams", "TwoProcessParams",
           "UMPParams", "UMPResult", "alertness", "circadian_wave", "cumulative_debt",
           "night_debt", "process_c", "sleep_debt", "two_process", "ump"]
