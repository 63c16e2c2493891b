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

from __future__ import annotations

from physiology._lazy import lazy_exports

# Each public name and the submodule that defines it. The submodules are imported on
# first use (PEP 562; Scientific Python SPEC 1, lazy loading), so ``import calibration``
# for one function does not import JAX, statsmodels and the rest.
_SUBMODULES = {
    "Diagnostics": "calibration._diagnostics",
    "AthleteSeries": "calibration.athlete_data",
    "daily_series": "calibration.athlete_data",
    "CircadianFit": "calibration.circadian",
    "fit_circadian": "calibration.circadian",
    "msf_sc": "calibration.circadian",
    "CLARKE_SKIBA_2013_FIT": "calibration.data",
    "example_athlete": "calibration.data",
    "merge_daily": "calibration.devices",
    "read_device_file": "calibration.devices",
    "OutOfSample": "calibration.evaluation",
    "expanding_window": "calibration.evaluation",
    "FitResult": "calibration.fitness_fatigue",
    "fit_banister": "calibration.fitness_fatigue",
    "fit_busso": "calibration.fitness_fatigue",
    "profile_likelihood": "calibration.fitness_fatigue",
    "Policy": "calibration.governance",
    "load_policies": "calibration.governance",
    "load_policy": "calibration.governance",
    "policy_for": "calibration.governance",
    "PRIOR_LOG_SD": "calibration.injury",
    "InjuryFit": "calibration.injury",
    "fit_injury_model": "calibration.injury",
    "injury_design": "calibration.injury",
    "InjuryEvaluation": "calibration.injury_check",
    "calibration_plot": "calibration.injury_check",
    "evaluate_injury_model": "calibration.injury_check",
    "Filtered": "calibration.kalman",
    "Forecast": "calibration.kalman",
    "StateSpace": "calibration.kalman",
    "forecast": "calibration.kalman",
    "kalman_filter": "calibration.kalman",
    "rts_smoother": "calibration.kalman",
    "state_space": "calibration.kalman",
    "InjuryCalibration": "calibration.pipeline",
    "calibrate_injuries": "calibration.pipeline",
    "calibrate_squad": "calibration.pipeline",
    "read_inputs": "calibration.pipeline",
    "write_outputs": "calibration.pipeline",
    "PowerDurationFit": "calibration.power_duration",
    "fit_power_duration": "calibration.power_duration",
    "power_duration_prior": "calibration.priors",
    "record_prior": "calibration.priors",
    "RECORDS": "calibration.records",
    "CircadianPhaseParams": "calibration.records",
    "PowerDurationParams": "calibration.records",
    "SleepNeedParams": "calibration.records",
    "param_spec": "calibration.records",
    "DISTANCE_BANDS": "calibration.schema",
    "SCHEMAS": "calibration.schema",
    "TEST_UNITS": "calibration.schema",
    "DataError": "calibration.schema",
    "DataPolicy": "calibration.schema",
    "read_table": "calibration.schema",
    "SleepNeedFit": "calibration.sleep_need",
    "fit_sleep_need": "calibration.sleep_need",
    "read_squad_calibration": "calibration.squad",
    "squad_dataset": "calibration.squad",
    "write_squad_calibration": "calibration.squad",
}

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


__getattr__, __dir__ = lazy_exports(__name__, _SUBMODULES)
