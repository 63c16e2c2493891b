"""The living twin service (``twin-serve``): ingest an athlete's days, assimilate them
into the twin, forecast, alert and propose a load plan; events as signed CloudEvents to
webhooks through a transactional outbox; SQLite by default, any SQLAlchemy URL.

- :mod:`twin.serve.config`: ``conf/serve.yaml``'s schema, :func:`load_config`;
- :mod:`twin.serve.models`, :mod:`twin.serve.db`, ``migrations/``: storage;
- :mod:`twin.serve.records`: a posted record checked by calibration's schema;
- :mod:`twin.serve.files`: a posted device file or .zip of them into records;
- :mod:`twin.serve.pipeline`: assimilation, forecast, rules and plan, pure functions;
- :mod:`twin.serve.twin_model`: the twin (one plan per squad) and each athlete's model;
- :mod:`twin.serve.service`: the transactions; :mod:`twin.serve.outbox`: delivery;
- :mod:`twin.serve.events`: CloudEvents and their HMAC signature;
- :mod:`twin.serve.auth`: bearer tokens and roles; :mod:`twin.serve.api`: the HTTP API;
- :mod:`twin.serve.cli` (``twin-serve``), :mod:`twin.serve.replay` (``--demo``),
  :mod:`twin.serve.demo` (synthetic seasons), :mod:`twin.serve.demo_files` (a season
  as device files), :mod:`twin.serve.ray_app` (Ray Serve).

Importing this package imports neither FastAPI nor Ray.
"""

from twin.serve.config import ROLES, ServeConfig, load_config
from twin.serve.pipeline import (
    Series,
    assimilate,
    athlete_series,
    evaluate_rules,
    forecast,
    kalman_arguments,
    propose_plan,
    risk_by_day,
)

__all__ = [
    "ROLES",
    "Series",
    "ServeConfig",
    "assimilate",
    "athlete_series",
    "evaluate_rules",
    "forecast",
    "kalman_arguments",
    "load_config",
    "propose_plan",
    "risk_by_day",
]
