"""Sleep: the two-process model, sleep debt (work in progress: alertness readout)."""

from physiology.sleep._two_process import (
    C_HARMONICS,
    SleepResult,
    TwoProcessParams,
    process_c,
    sleep_debt,
    two_process,
)

__all__ = ["C_HARMONICS", "SleepResult", "TwoProcessParams", "process_c", "sleep_debt",
           "two_process"]
