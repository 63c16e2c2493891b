"""The same FastAPI app as a Ray Serve deployment (``serve run twin.serve.ray_app:app``).

The config is ``conf/serve.yaml`` with the overrides in ``$TWIN_SERVE_OVERRIDES``
(space-separated). Imported only by Ray Serve: ``twin-serve`` on uvicorn never needs it.
Serve autoscales it from 1 to 4 replicas (:data:`AUTOSCALING`, the RayService's
``autoscaling_config``); the replicas share one database server (PostgreSQL), each with
its own outbox and plan workers claiming rows by lease (:mod:`twin.serve.service`).
"""

from __future__ import annotations

import os

from ray import serve

from twin.serve.api import create_app
from twin.serve.config import load_config

_cfg = load_config(*os.environ.get("TWIN_SERVE_OVERRIDES", "").split())
fastapi_app = create_app(_cfg)


#: Ray Serve's autoscaling of the replicas (deploy/k8s/rayservice-serve.yaml says the same).
AUTOSCALING = {"min_replicas": 1, "max_replicas": 4, "target_ongoing_requests": 4,
               "upscale_delay_s": 30, "downscale_delay_s": 300}


@serve.deployment(autoscaling_config=AUTOSCALING, max_ongoing_requests=16)
@serve.ingress(fastapi_app)
class TwinService:
    """The living twin behind Ray Serve's HTTP proxy."""


app = TwinService.bind()
