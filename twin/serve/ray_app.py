"""The same FastAPI app as a Ray Serve deployment (``serve run twin.serve.ray_app:app``).

The config is ``conf/serve.yaml`` with the overrides in ``$TWIN_SERVE_OVERRIDES``
(space-separated). Imported only by Ray Serve: ``twin-serve`` on uvicorn never needs it.
One replica: the outbox worker and SQLite's single writer assume one process per
database (several replicas need PostgreSQL and a leader for the workers; not done).
"""

from __future__ import annotations

import os

from ray import serve

from twin.serve.api import create_app
from twin.serve.config import load_config

_cfg = load_config(*os.environ.get("TWIN_SERVE_OVERRIDES", "").split())
fastapi_app = create_app(_cfg)


@serve.deployment(num_replicas=1)
@serve.ingress(fastapi_app)
class TwinService:
    """The living twin behind Ray Serve's HTTP proxy."""


app = TwinService.bind()
