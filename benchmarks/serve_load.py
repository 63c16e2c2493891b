"""twin-serve under load: athletes x days of records posted as fast as the client can.

The service runs as ``twin-serve`` in a subprocess (uvicorn on 127.0.0.1, SQLite in a
fresh run dir), with a webhook receiver in this process that verifies each event's
signature and timestamps its arrival. The demo squad's season (the demo season moved a
year back so every day is in the past; synthetic records of :mod:`twin.serve.demo`,
seeded, one athlete overloaded) is posted by ``--clients`` threads, each owning some
athletes and posting their days in order. Reported: throughput (records/s over the
whole post), the latency record -> forecast updated (the response arrives once the
record, its filtered state and its forecast are committed), and record -> alert delivered
(the receiver's arrival time minus the send time of the record that fired it), p50 and
p95. The first request of each kind compiles nothing (the service warms up at start).

    python -m benchmarks.serve_load                      # 25 athletes x 365 days
    python -m benchmarks.serve_load --athletes 5 --days 120
    python -m benchmarks.serve_load --quick              # 3 athletes x 30 days
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
YEAR_BACK = ["'scenario.start=2025-08-01'", "'scenario.fixtures.first=2025-08-15'",
             "'scenario.fixtures.last=2026-05-23'", "'scenario.rest_days=[2025-12-25]'",
             "'scenario.shift_trip.depart=2026-01-05T11:00'",
             "'model.hazard.beta_fatigue=0.405'"]


def run(athletes: int, days: int, clients: int, draws: int) -> dict:
    from benchmarks.common import environment
    from twin.serve.auth import write_tokens
    from twin.serve.config import load_config
    from twin.serve.demo import Overload, synthetic_records
    from twin.serve.replay import Receiver, free_port
    from twin.serve.twin_model import athlete_models, build_plan

    run_dir = Path(tempfile.mkdtemp(prefix="serve-load-"))
    receiver = Receiver(SECRET.encode())
    squad = "demo_squad" if athletes > 3 else "mini_squad"
    over = [f"run_dir={run_dir}", f"twin.athletes={squad}", f"twin.draws={draws}",
            f"twin.overrides=[{','.join(YEAR_BACK)}]",
            f"webhooks=[{{url: '{receiver.url}', secret_env: BENCH_HOOK}}]",
            "delivery.poll_s=0.05", "alerts.readiness_drop.enabled=false"]
    cfg = load_config(*over)
    t0 = time.perf_counter()
    plan = build_plan(cfg)
    build_s = time.perf_counter() - t0
    models = athlete_models(plan)[:athletes]
    season = synthetic_records(plan, models, cfg.assimilation, days, seed=0,
                               overload=Overload(1, min(40, days // 2), 12, 3.0),
                               athletes=range(len(models)))
    token = "bench-token"
    write_tokens(run_dir / "tokens.yaml", {token: ("bench", "coach")})
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_HOOK": SECRET}
    log = (run_dir / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "twin.serve.cli", *over, f"port={port}"],
                            env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError((run_dir / "server.log").read_text()[-3000:]) from None
            time.sleep(0.2)
    start_s = time.perf_counter() - t0
    sent, latency = {}, []
    by_client = [[m.id for m in models[c::clients]] for c in range(clients)]

    def post(ids):
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                          timeout=300) as c:
            for day in season:
                for rec in day:
                    if rec["athlete"] not in ids:
                        continue
                    body = {k: v for k, v in rec.items() if k != "athlete"}
                    t = time.time()
                    r = c.post(f"/athletes/{rec['athlete']}/records", json=body)
                    latency.append(time.time() - t)
                    r.raise_for_status()
                    sent[(models[[m.id for m in models].index(rec["athlete"])].public_id,
                          rec["date"])] = t

    t0 = time.perf_counter()
    threads = [threading.Thread(target=post, args=(ids,)) for ids in by_client]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    time.sleep(2.0)
    proc.terminate()
    proc.wait(timeout=30)
    receiver.close()
    alert = [arr - sent[(d["athlete"], d["date"])] for _, typ, d, arr in receiver.events
             if ".alert." in typ and (d["athlete"], d["date"]) in sent]
    n = len(latency)

    def q(xs, p):
        return float(np.quantile(xs, p)) if xs else float("nan")

    return {"athletes": len(models), "days": len(season), "records": n, "clients": clients,
            "draws": draws, "plan_build_s": build_s, "service_start_s": start_s,
            "wall_s": wall, "records_per_s": n / wall,
            "forecast_p50_ms": 1e3 * q(latency, 0.5), "forecast_p95_ms": 1e3 * q(latency, 0.95),
            "alerts": len(alert), "alert_p50_ms": 1e3 * q(alert, 0.5),
            "alert_p95_ms": 1e3 * q(alert, 0.95), "environment": environment()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=25)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--draws", type=int, default=16)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    if a.quick:
        a.athletes, a.days, a.clients, a.draws = 3, 30, 2, 8
    r = run(a.athletes, a.days, a.clients, a.draws)
    for k, v in r.items():
        print(f"{k}: {v:.1f}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
