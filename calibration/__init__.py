"""From an athlete's data to that athlete's parameters, with uncertainty, kept current.

Public surface (everything else is private):

- fitting: :func:`fit_banister`, :func:`fit_busso` -> :class:`FitResult` (``.params``,
  ``.sse``, ``.intervals``, ``.draws``, ``.diagnostics``); :func:`profile_likelihood`;
  :func:`expanding_window` (out-of-sample next-test forecasts);
  :func:`fit_power_duration`, :func:`fit_circadian` (with :func:`msf_sc`),
  :func:`fit_sleep_need` (sleep need from free days' sleep),
  :func:`record_prior`, :func:`power_duration_prior`;
- data assimilation: :func:`kalman_filter` -> :class:`Filtered` (fitness and fatigue
  today, with covariance), :func:`rts_smoother`, :func:`forecast`, :func:`state_space`;
- data: :func:`read_table` (schema :data:`SCHEMAS`, errors :class:`DataError` naming
  file, row and column), :class:`DataPolicy`, :func:`daily_series`,
  :func:`example_athlete` (Clarke & Skiba 2013, Fig. 8);
- data from devices (:mod:`calibration.devices`): :func:`read_device_file` (FIT, GPX,
  TCX, GPS-vendor, session-RPE, sleep and HRV exports -> ``daily`` records),
  :func:`merge_daily` (one record per athlete and date), speed bands
  :data:`DISTANCE_BANDS`;
- governance: :class:`Policy`, :func:`load_policies`, :func:`policy_for`;
- injury hazard of a squad: :func:`fit_injury_model` -> :class:`InjuryFit` from an
  injury and an exposure log (:func:`injury_design`, prior :data:`PRIOR_LOG_SD`),
  :func:`evaluate_injury_model` -> :class:`InjuryEvaluation` (AUC, calibration slope,
  calibration-in-the-large, Brier, deciles), :func:`calibration_plot`;
- squad file: :func:`squad_dataset`, :func:`write_squad_calibration`,
  :func:`read_squad_calibration`, :func:`calibrate_squad`, :func:`calibrate_injuries`,
  :func:`write_outputs`; parameter records :data:`RECORDS` (``"<model>.<field>"`` names).
"""

from calibration._diagnostics import Diagnostics
from calibration.athlete_data import AthleteSeries, daily_series
from calibration.circadian import CircadianFit, fit_circadian, msf_sc
from calibration.data import CLARKE_SKIBA_2013_FIT, example_athlete
from calibration.devices import merge_daily, read_device_file
from calibration.evaluation import OutOfSample, expanding_window
from calibration.fitness_fatigue import FitResult, fit_banister, fit_busso, profile_likelihood
from calibration.governance import Policy, load_policies, load_policy, policy_for
from calibration.injury import (
    PRIOR_LOG_SD,
    InjuryFit,
    fit_injury_model,
    injury_design,
)
from calibration.injury_check import (
    InjuryEvaluation,
    calibration_plot,
    evaluate_injury_model,
)
from calibration.kalman import (
    Filtered,
    Forecast,
    StateSpace,
    forecast,
    kalman_filter,
    rts_smoother,
    state_space,
)
from calibration.pipeline import (
    InjuryCalibration,
    calibrate_injuries,
    calibrate_squad,
    read_inputs,
    write_outputs,
)
from calibration.power_duration import PowerDurationFit, fit_power_duration
from calibration.priors import power_duration_prior, record_prior
from calibration.records import (
    RECORDS,
    CircadianPhaseParams,
    PowerDurationParams,
    SleepNeedParams,
    param_spec,
)
from calibration.schema import (
    DISTANCE_BANDS,
    SCHEMAS,
    TEST_UNITS,
    DataError,
    DataPolicy,
    read_table,
)
from calibration.sleep_need import SleepNeedFit, fit_sleep_need
from calibration.squad import read_squad_calibration, squad_dataset, write_squad_calibration

__all__ = [
    "CLARKE_SKIBA_2013_FIT",
    "DISTANCE_BANDS",
    "PRIOR_LOG_SD",
    "RECORDS",
    "SCHEMAS",
    "TEST_UNITS",
    "AthleteSeries",
    "CircadianFit",
    "CircadianPhaseParams",
    "DataError",
    "DataPolicy",
    "Diagnostics",
    "Filtered",
    "FitResult",
    "Forecast",
    "InjuryCalibration",
    "InjuryEvaluation",
    "InjuryFit",
    "OutOfSample",
    "Policy",
    "PowerDurationFit",
    "PowerDurationParams",
    "SleepNeedFit",
    "SleepNeedParams",
    "StateSpace",
    "calibrate_injuries",
    "calibrate_squad",
    "calibration_plot",
    "daily_series",
    "evaluate_injury_model",
    "example_athlete",
    "expanding_window",
    "fit_banister",
    "fit_busso",
    "fit_circadian",
    "fit_injury_model",
    "fit_power_duration",
    "fit_sleep_need",
    "forecast",
    "injury_design",
    "kalman_filter",
    "load_policies",
    "load_policy",
    "merge_daily",
    "msf_sc",
    "param_spec",
    "policy_for",
    "power_duration_prior",
    "profile_likelihood",
    "read_device_file",
    "read_inputs",
    "read_squad_calibration",
    "read_table",
    "record_prior",
    "rts_smoother",
    "squad_dataset",
    "state_space",
    "write_outputs",
    "write_squad_calibration",
]
