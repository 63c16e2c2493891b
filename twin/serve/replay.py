"""``twin-serve --demo``: the service, a webhook receiver and the demo season, day by day.

Starts the service on a free local port (uvicorn in a thread, SQLite in a fresh run dir,
a generated token file), a webhook receiver that checks each event's HMAC signature and
prints it, and replays the squad's synthetic season (:mod:`twin.serve.demo`; seeded, with
an overload block for one athlete) one day at a time through the device readers: each
day is written as the club's exports (:mod:`twin.serve.demo_files`: vendor GPS,
session-RPE, sleep and HRV CSV files under ``<run dir>/devices/<date>``) and posted, one
.zip per athlete, to the service's own ``POST /athletes/<id>/files`` (read and merged by
:mod:`calibration.devices`, rest days with ``missing_load=zero``), so the alerts print
as they fire.
Dates after today are refused by the service (a future date is an entry error), so the
replay stops at today.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from twin.serve.events import SIGNATURE_HEADER, verify


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook on 127.0.0.1 that verifies signatures and records ``(id, type, data,
    arrival time)`` of every signed event it is sent (a resent one again: what arrived,
    before any deduplication); ``on_event(event)`` runs after the recording and before
    the answer; ``status`` is what it answers (503 to play a webhook that is down)."""

    def __init__(self, secret: bytes, port: int | None = None, on_event=None):
        self.secret, self.events, self.bad, self.status = secret, [], 0, 200
        self.raw: list[tuple[bytes, str | None]] = []  # (body, signature header) of each
        self.on_event = on_event
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                    return
                if not verify(outer.secret, body, self.headers.get(SIGNATURE_HEADER)):
                    outer.bad += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                event = json.loads(body)
                outer.raw.append((body, self.headers.get(SIGNATURE_HEADER)))
                outer.events.append((event["id"], event["type"], event["data"], time.time()))
                if outer.on_event:
                    outer.on_event(event)
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:  # the sender is gone (a test kills it before the answer)
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.port = port or free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_demo(overrides=(), *, days: int = 60, seed: int = 0) -> None:
    import uvicorn

    from twin.serve.api import create_app
    from twin.serve.auth import write_tokens
    from twin.serve.config import load_config
    from twin.serve.demo import Overload, synthetic_records
    from twin.serve.demo_files import FILES, bundle, write_day
    from twin.serve.service import Service

    run_dir = Path(tempfile.mkdtemp(prefix="twin-serve-demo-"))
    key = secrets.token_hex(16)
    os.environ["TWIN_DEMO_WEBHOOK_SECRET"] = key

    def show(event):
        d = event["data"]
        if "rule" in d:
            print(f"  ALERT {d['date']} {d['athlete']}: {d['rule']} ({event['id'][:8]})")
        else:
            print(f"  PLAN  {d['athlete']}: {d['status']} from {d['start']}, {d['days']} days"
                  f" (GET /athletes/{d['athlete']}/plans/{d['plan_id']})")

    receiver = Receiver(key.encode(), on_event=show)
    token = secrets.token_urlsafe(24)
    write_tokens(run_dir / "tokens.yaml", {token: ("demo", "coach")})
    port = free_port()
    cfg = load_config(f"run_dir={run_dir}", f"port={port}",
                      f"webhooks=[{{url: '{receiver.url}', "
                      "secret_env: TWIN_DEMO_WEBHOOK_SECRET}]",
                      "delivery.backoff_s=0.5", *overrides)
    print(f"twin-serve demo: building the twin of {cfg.twin.athletes} / {cfg.twin.scenario} "
          f"(run dir {run_dir}) ...", flush=True)
    service = Service(cfg)
    server = uvicorn.Server(uvicorn.Config(create_app(cfg, service), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    print(f"serving on {base} (docs: {base}/docs); replaying the season day by day")
    today = dt.date.today()
    overload = Overload(athlete=min(1, len(service.models) - 1), start=min(40, days // 2),
                        days=12, factor=3.0)
    season = synthetic_records(service.plan, service.models, cfg.assimilation, days,
                               seed=seed, overload=overload)
    print(f"(an overload block for {service.models[overload.athlete].public_id} from day "
          f"{overload.start}, {overload.days} days at {overload.factor} x the load)")
    files_dir = run_dir / "devices"
    print(f"each day's exports (vendor GPS, session-RPE, sleep, HRV CSV) under {files_dir},"
          " posted per athlete as one .zip to POST /athletes/<id>/files")
    accepted = stored = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as client:
        for t, day in enumerate(season):
            if dt.date.fromisoformat(day[0]["date"]) > today:
                print(f"stopping at today ({today}): later days would be future dates")
                break
            paths = write_day(day, files_dir / day[0]["date"])
            archive = bundle(paths)
            for rec in day:
                r = client.post(f"/athletes/{rec['athlete']}/files", content=archive,
                                params={"filename": f"{rec['date']}.zip",
                                        "missing_load": "zero"})
                r.raise_for_status()
                accepted += 1
                stored += sum(x["status"] == "stored" for x in r.json()["records"])
            if t % 10 == 0:
                print(f"day {t:3d} {day[0]['date']}: {len(day)} athletes' files", flush=True)
    time.sleep(3 * cfg.delivery.poll_s + 1.0)
    deadline = time.time() + 120  # let the proposed plans arrive
    while time.time() < deadline and _pending_plans(service):
        time.sleep(0.5)
    time.sleep(1.0)
    print(f"done: {len(receiver.events)} events received; {accepted} archives of "
          f"{len(FILES)} device files accepted, {stored} records stored from them; the "
          f"service's data in {run_dir}")
    server.should_exit = True
    thread.join(timeout=10)
    receiver.close()


def _pending_plans(service) -> bool:
    from sqlalchemy import func, select

    from twin.serve.models import Alert

    with service.sessions() as s:
        return bool(s.scalar(select(func.count()).select_from(Alert)
                             .where(Alert.plan_status == "pending")))
