"""Helpers of the twin-serve tests: the service as a real subprocess (uvicorn on
127.0.0.1, a free port), its config, tokens, and a look into its SQLite database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
from sqlalchemy import create_engine, func, select, text

from twin.serve.auth import write_tokens
from twin.serve.replay import free_port

ROOT = Path(__file__).resolve().parents[1]
#: A small twin: the mini squad (3 athletes), a 100-day season, 8 draws; the hazard's
#: fatigue term on (ln 1.5) so the filtered state moves the forecast risk.
TWIN = ["twin.athletes=mini_squad", "twin.draws=8",
        "twin.overrides=['scenario.days=100','scenario.rest_days=[]',"
        "'scenario.shift_trip.depart=2026-09-08T11:00','model.hazard.beta_fatigue=0.405']",
        "plan.draws=4"]
TOKENS = {"tok-coach": ("carla", "coach"), "tok-medical": ("milo", "medical"),
          "tok-analyst": ("ana", "analyst"), "tok-admin": ("adam", "admin")}


def auth(role: str) -> dict:
    token = next(t for t, (_, r) in TOKENS.items() if r == role)
    return {"Authorization": f"Bearer {token}"}


class Server:
    """``twin-serve`` in a subprocess on ``run_dir``; :meth:`kill` is SIGKILL."""

    def __init__(self, run_dir: Path, overrides, env=None, log: str = "server.log"):
        self.run_dir, self.overrides, self.env = Path(run_dir), list(overrides), env or {}
        self.log = self.run_dir / log  # several servers on one run dir: one log each
        self.port = free_port()
        write_tokens(self.run_dir / "tokens.yaml", TOKENS)
        self.proc = None
        self.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "twin.serve.cli", f"run_dir={self.run_dir}",
             f"port={self.port}", *self.overrides], env=env, stdout=log, stderr=log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"twin-serve exited {self.proc.returncode}: "
                                   + self.log.read_text()[-3000:])
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("twin-serve did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def db(self):
        return create_engine(f"sqlite:///{self.run_dir / 'twin.db'}")


def counts(engine, tables) -> dict:
    with engine.connect() as c:
        return {t: c.execute(select(func.count()).select_from(text(t))).scalar() for t in tables}


def as_rows(records: list[dict]) -> list:
    """Posted JSON bodies as the rows :func:`twin.serve.pipeline.athlete_series` reads."""
    def hours(s):
        h, m = s.split(":")[:2]
        return int(h) + int(m) / 60

    return [SimpleNamespace(date=dt.date.fromisoformat(r["date"]), load=r["load"],
                            readiness=r.get("readiness"), test_kind=None, test_value=None,
                            values={"sleep_onset": hours(r["sleep_onset"]),
                                    "sleep_offset": hours(r["sleep_offset"])})
            for r in records]


def wait_until_settled(engine, timeout_s: float, pause_s: float = 0.2) -> None:
    """Poll the service's database until no alert waits for its plan and no event waits
    for delivery (or ``timeout_s`` passes: the test's assertions then say what is left)."""
    from sqlalchemy.orm import Session

    from twin.serve.models import Alert, OutboxEvent

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        with Session(engine) as s:
            busy = s.scalars(select(Alert).where(Alert.plan_status == "pending")).first() \
                or s.scalars(select(OutboxEvent).where(OutboxEvent.status == "pending")).first()
        if not busy:
            return
        time.sleep(pause_s)
