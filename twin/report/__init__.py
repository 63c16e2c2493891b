"""What a sports scientist gets from a run: a self-contained ``report.html`` and the
summary as tables.

- :func:`run_report`, :func:`plan_report`, :func:`calibration_report`: the page each app
  writes beside its outputs (:mod:`twin.report.pages`; page assembly and escaping in
  :mod:`twin.report.html`: inline CSS and JavaScript, figures as base64 PNG, no network).
- :func:`summary_frame`, :func:`write_tables`: the summary per athlete and scenario point
  (``summary.csv``, ``summary.parquet``), units in the column names, with the Monte-Carlo
  standard errors (:mod:`twin.report.summary`).
- :func:`format_error`: ``0.314 ± 0.012``, rounded to the error's second significant figure.
"""

from twin.report.pages import calibration_report, compare_report, plan_report, run_report
from twin.report.summary import best_worst, format_error, squad_means, summary_frame, write_tables

__all__ = ["best_worst", "calibration_report", "compare_report", "format_error", "plan_report",
           "run_report", "squad_means", "summary_frame", "write_tables"]
