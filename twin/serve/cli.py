"""``twin-serve``: the living twin service on uvicorn, or its demo.

    twin-serve [hydra overrides ...]               # conf/serve.yaml, then the overrides
    twin-serve --demo [--days N] [overrides ...]   # the demo season as device files, alerts
    twin-serve --hash-token TOKEN [--role R]        # a token-file entry for TOKEN

A bad config fails in one line naming the key (exit status 2).
"""

from __future__ import annotations

import argparse
import logging
import sys

from physiology.kernels import keep_jax_compilations
from scenarios import ConfigError


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="twin-serve", description=__doc__.splitlines()[0])
    ap.add_argument("--demo", action="store_true",
                    help="replay the demo season as device files through /files")
    ap.add_argument("--days", type=int, default=60, help="days the demo replays")
    ap.add_argument("--hash-token", metavar="TOKEN", help="print a token-file entry")
    ap.add_argument("--role", default="coach", help="role of --hash-token's entry")
    ap.add_argument("--name", default="user", help="name of --hash-token's entry")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides of conf/serve.yaml")
    args = ap.parse_args(argv)
    if args.hash_token:
        from omegaconf import OmegaConf

        from twin.serve.auth import token_digest

        print(OmegaConf.to_yaml([{"name": args.name, "role": args.role,
                                  "sha256": token_digest(args.hash_token)}]), end="")
        return 0
    keep_jax_compilations()
    logging.getLogger("jax._src.xla_bridge").setLevel(logging.WARNING)
    try:
        if args.demo:
            from twin.serve.replay import run_demo

            run_demo(args.overrides, days=args.days)
            return 0
        from twin.serve.config import load_config

        cfg = load_config(*args.overrides)
        serve(cfg)
    except ConfigError as exc:
        print(f"twin-serve: {exc}", file=sys.stderr)
        return 2
    return 0


def serve(cfg) -> None:
    """Build the service (migrations, the twin) and serve it with uvicorn."""
    import uvicorn

    from twin.serve.api import create_app
    from twin.serve.service import Service

    service = Service(cfg)  # config errors surface here, before the port is bound
    uvicorn.run(create_app(cfg, service), host=str(cfg.host), port=int(cfg.port),
                log_level="warning")


if __name__ == "__main__":
    sys.exit(main())
