"""The service's state and its transactions: the twin (built once), the database, the
accepted records through :mod:`twin.serve.pipeline`, and the two background workers (the
plan proposer and the outbox's delivery, :mod:`twin.serve.outbox`).

Records are processed one at a time per process under a lock (the pipeline's JAX and
Numba calls); each is one transaction: the record, the idempotency key, the filtered
state, the forecast, the alerts and their outbox rows commit together or not at all, so
a 2xx answer means all of it is on disk.

Several processes may serve one database (replicas behind a load balancer):

- an athlete's records are ordered by the athlete's ``version`` (optimistic
  concurrency): a transaction reads it first, stores the record and the filtered state
  computed from every record it sees, and commits only if ``UPDATE athletes SET
  version = v + 1 WHERE id = ? AND version = v`` changed one row; otherwise another
  process stored a record of the athlete meanwhile, and the transaction is rolled back
  and run again (also on a unique-key race: the same record posted to two processes).
  So the stored state always reflects every committed record, under PostgreSQL's
  READ COMMITTED as under SQLite (whose writers also queue on its lock, with the busy
  timeout of :func:`twin.serve.db.make_engine`);
- the outbox and the plan jobs are claimed by leases (:func:`twin.serve.outbox.claim`):
  one worker at a time sends a row or proposes an alert's plan, and a dead worker's
  claim expires.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import time
import uuid

import httpx
import numpy as np
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from twin import prescribe
from twin.serve import db, events, pipeline
from twin.serve.auth import read_tokens
from twin.serve.config import database_url, webhook_secret
from twin.serve.models import (
    Alert,
    Athlete,
    DailyRecord,
    FilteredState,
    Forecast,
    IdempotencyKey,
    OutboxEvent,
    ProposedPlan,
    utcnow,
)
from twin.serve.outbox import Worker, claim, deliver_due
from twin.serve.records import digest, stored_values
from twin.serve.twin_model import athlete_models, build_plan

log = logging.getLogger(__name__)

RULE_TEXT = {
    "risk_over_budget": "forecast injury risk of the coming window is over the budget",
    "readiness_drop": "readiness dropped below the athlete's recent baseline",
    "sleep_debt": "sleep debt over the threshold",
}


MAX_RETRIES = 20


class VersionMoved(Exception):
    """Another transaction stored a record of the athlete since this one read its version."""


class LeaseLost(Exception):
    """A worker's claim ran out before it finished, and another worker took the job."""


class Conflict(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class Service:
    """Everything a running ``twin-serve`` holds (one per process)."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.url = database_url(cfg)
        db.migrate(self.url)
        self.engine = db.make_engine(self.url)
        self.sessions = db.sessions(self.engine)
        self.tokens = read_tokens(cfg.auth.token_file)
        self.secrets = [webhook_secret(cfg, i) for i in range(len(cfg.webhooks))]
        self.plan = build_plan(cfg)
        self.models = athlete_models(self.plan)
        self.start_date = pipeline.plan_start(self.plan)
        self.lock = threading.Lock()
        self.worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.retries = 0  # transactions run again because an athlete's version moved
        self._seed_athletes()
        self._warm()
        self.workers: list[Worker] = []

    # -- startup ---------------------------------------------------------------------
    def _seed_athletes(self) -> None:
        for _ in range(5):  # another process starting on the database may seed them too
            try:
                with self.sessions() as s, s.begin():
                    for m in self.models:
                        if s.get(Athlete, m.id) is None:
                            s.add(Athlete(id=m.id, public_id=m.public_id,
                                          jurisdiction=m.jurisdiction, index=m.index))
                return
            except IntegrityError:
                continue
        raise RuntimeError("could not seed the athletes: the database keeps changing")

    def _warm(self) -> None:
        """Compile the forecast's JAX functions once (the first request is then fast)."""
        m = self.models[0]
        pipeline.forecast(self.plan, m, 0, *m.mean0, self.cfg.alerts.risk_over_budget,
                          int(self.cfg.twin.draws))

    def start_workers(self) -> None:
        client = httpx.Client()
        d = self.cfg.delivery
        self.workers = [
            Worker("outbox", lambda: deliver_due(self.sessions, self.secrets, d, client,
                                                 worker=self.worker_id, lock=self.lock) > 0,
                   float(d.poll_s)),
            Worker("plans", self.propose_next, float(d.poll_s))]
        for w in self.workers:
            w.start()

    def stop_workers(self) -> None:
        for w in self.workers:
            w.stop()

    # -- lookups ----------------------------------------------------------------------
    def athlete(self, path_id: str):
        """The athlete model for an id or public id in a URL, or None."""
        for m in self.models:
            if path_id in (m.id, m.public_id):
                return m
        return None

    def records(self, s, athlete_id: str, until: dt.date | None = None):
        q = select(DailyRecord).where(DailyRecord.athlete_id == athlete_id)
        if until is not None:
            q = q.where(DailyRecord.date <= until)
        return s.scalars(q.order_by(DailyRecord.date, DailyRecord.id)).all()

    def series(self, s, m, until=None) -> pipeline.Series:
        return pipeline.athlete_series(self.records(s, m.id, until), self.start_date,
                                       self.cfg.assimilation.performance_test)

    # -- ingest -----------------------------------------------------------------------
    def ingest(self, m, rec: dict, *, idempotency: tuple[str, str] | None = None):
        """Store one parsed record and run the pipeline: ``(status, response body)``.

        Raises:
            Conflict: another record with the same (athlete, date, source).
        """
        for attempt in range(MAX_RETRIES):
            try:
                with self.lock, self.sessions() as s, s.begin():
                    return self._ingest_once(s, m, rec, idempotency)
            except (VersionMoved, IntegrityError) as exc:
                self.retries += 1
                log.info("%s: record of %s on %s run again (%s)", self.worker_id, m.id,
                         rec["date"], type(exc).__name__)
                time.sleep(min(0.5, 0.005 * 2 ** attempt) * random.random())
        raise RuntimeError(f"could not store the record of {m.public_id} on {rec['date']}: "
                           f"{MAX_RETRIES} tries, the athlete's data kept changing")

    def athlete_version(self, s, athlete_id: str) -> int:
        return s.scalar(select(Athlete.version).where(Athlete.id == athlete_id))

    def bump_version(self, s, athlete_id: str, version: int) -> None:
        """``version + 1`` if the athlete is still at ``version``.

        Raises:
            VersionMoved: another transaction stored a record of the athlete meanwhile.
        """
        bump = s.execute(update(Athlete).where(Athlete.id == athlete_id,
                                               Athlete.version == version)
                         .values(version=version + 1))
        if bump.rowcount != 1:
            raise VersionMoved(athlete_id)

    def _ingest_once(self, s, m, rec: dict, idempotency):
        """One try of :meth:`ingest` in the session's transaction.

        Raises:
            VersionMoved: another transaction stored a record of the athlete meanwhile.
        """
        version = self.athlete_version(s, m.id)
        if idempotency is not None:  # the key stored meanwhile (by another process too)
            stored = s.get(IdempotencyKey, idempotency[0])
            if stored is not None:
                if stored.request_digest != idempotency[1]:
                    raise Conflict("Idempotency-Key", "already used for a different request")
                return stored.status_code, stored.response
        h = digest(rec)
        old = s.scalar(select(DailyRecord).where(
            DailyRecord.athlete_id == m.id, DailyRecord.date == rec["date"],
            DailyRecord.source == rec["source"]))
        if old is not None:
            if old.digest != h:
                raise Conflict("date", f"a different record of {rec['date']} from source "
                                       f"{rec['source']!r} is stored; post it under "
                                       "another source or leave it")
            body = {"status": "duplicate", "record_id": old.id, "athlete": m.public_id,
                    "date": str(old.date)}
            return 200, body
        row = DailyRecord(athlete_id=m.id, date=rec["date"], source=rec["source"],
                          load=rec["load"], load_kind=rec["load_kind"],
                          values=stored_values(rec), readiness=rec["readiness"],
                          test_kind=rec["test_kind"], test_value=rec["test_value"],
                          digest=h)
        s.add(row)
        s.flush()
        body = {"status": "stored", "record_id": row.id, "athlete": m.public_id,
                "date": str(row.date), **self._assimilate(s, m, row)}
        if idempotency is not None:
            s.add(IdempotencyKey(key=idempotency[0], request_digest=idempotency[1],
                                 status_code=201, response=body))
        self.bump_version(s, m.id, version)
        return 201, body

    def _assimilate(self, s, m, row) -> dict:
        series = self.series(s, m)
        if not len(series.load):
            return {"forecast": None, "alerts": []}
        t = len(series.load) - 1
        f = pipeline.assimilate(series, m, self.cfg.assimilation)
        latest = series.date(t)
        state = s.get(FilteredState, (m.id, latest))
        fit, fat = float(f.mean[0]), float(f.mean[1])
        if state is None:
            s.add(FilteredState(athlete_id=m.id, date=latest, fitness=fit, fatigue=fat,
                                cov=f.cov.tolist()))
        else:
            state.fitness, state.fatigue, state.cov = fit, fat, f.cov.tolist()
            state.updated_at = utcnow()
        rule = self.cfg.alerts.risk_over_budget
        fc = pipeline.forecast(self.plan, m, t, fit, fat, rule, int(self.cfg.twin.draws))
        out = {"forecast": None, "alerts": []}
        risk_now = None
        if fc is not None:
            risk_now = float(fc.risk.mean())
            sd = pipeline.sleep_debt(series, t, m.need_h, self.cfg.alerts.sleep_debt.days)
            medical = {"fitness": fit, "fatigue": fat, "sleep_debt_h": sd,
                       "readiness": _finite(series.readiness[t]),
                       "hrv_rmssd_ms": (row.values or {}).get("hrv_rmssd_ms"),
                       "risk_by_draw": fc.risk.tolist()}
            frow = Forecast(athlete_id=m.id, as_of=latest,
                            window_start=series.date(fc.start_day), window_days=fc.days,
                            risk_mean=risk_now, risk_q05=float(np.quantile(fc.risk, 0.05)),
                            risk_q95=float(np.quantile(fc.risk, 0.95)),
                            performance_mean=float(fc.performance.mean()), medical=medical,
                            record_id=row.id)
            s.add(frow)
            out["forecast"] = {"as_of": str(latest), "window_start": str(frow.window_start),
                               "window_days": fc.days,
                               "over_budget": risk_now > rule.budget}
        # The rules look at the latest day, with every record so far: an older day filled
        # in (a late record, or another process's record of an earlier day committed
        # after this one's) runs them again at the latest day, so a crossing is not missed
        # because its day's record arrived after the next day's (an alert fired already
        # has its stable id and is not fired twice).
        before = s.scalar(select(Forecast).where(
            Forecast.athlete_id == m.id, Forecast.as_of == latest - dt.timedelta(days=1))
            .order_by(Forecast.id.desc()).limit(1))
        fired = pipeline.evaluate_rules(series, t, risk_now,
                                        None if before is None else before.risk_mean,
                                        self.cfg.alerts, m.need_h)
        planned = False
        for f_ in fired:
            aid = events.alert_id(m.id, f_.rule, latest)
            if s.get(Alert, aid) is not None:
                continue
            alert = Alert(id=aid, athlete_id=m.id, rule=f_.rule, date=latest, value=f_.value,
                          threshold=f_.threshold, text=f"{m.public_id}: {RULE_TEXT[f_.rule]}",
                          plan_status="none" if planned else "pending")
            planned = True
            s.add(alert)
            self._enqueue(s, f"alert.{f_.rule}", aid, alert_data(alert, m.public_id))
            out["alerts"].append(aid)
        return out

    def _enqueue(self, s, event_type: str, event_id: str, data: dict) -> None:
        """Outbox rows of an event, one per webhook, in the caller's transaction."""
        time = utcnow().replace(tzinfo=dt.UTC).isoformat()
        _, body = events.structured(event_type, event_id, data, time)
        for i, hook in enumerate(self.cfg.webhooks):
            s.add(OutboxEvent(event_id=event_id, event_type=events.TYPE_PREFIX + event_type,
                              webhook=i, url=str(hook.url), body=body.decode(),
                              status="pending"))

    # -- plans ------------------------------------------------------------------------
    def propose_next(self) -> bool:
        """Propose the plan of the oldest alert waiting for one; False if none waits."""
        now = utcnow()
        with self.sessions() as s:
            waiting = s.scalars(select(Alert).where(
                Alert.plan_status == "pending",
                or_(Alert.lease_until.is_(None), Alert.lease_until < now))
                .order_by(Alert.created_at).limit(10)).all()
        with self.lock:  # the writer lock, as every write of this process takes it
            alert = next((a for a in waiting if claim(
                self.sessions, Alert, a.id, self.worker_id, float(self.cfg.plan.lease_s),
                Alert.plan_status == "pending")), None)
        if alert is None:
            return False
        try:
            self._propose(alert)
        except LeaseLost:
            log.warning("%s: the plan of alert %s is left to the worker that took it over",
                        self.worker_id, alert.id)
        return True

    def _propose(self, alert) -> None:
        """Propose the plan of a claimed alert, in one transaction.

        Raises:
            LeaseLost: the claim ran out and another worker took the job (nothing stored).
        """
        m = next(x for x in self.models if x.id == alert.athlete_id)
        rule = self.cfg.alerts.risk_over_budget
        with self.lock, self.sessions() as s, s.begin():
            series = self.series(s, m, alert.date)
            f = pipeline.assimilate(series, m, self.cfg.assimilation)
            day = (alert.date - self.start_date).days
            pid = events.plan_event_id(alert.id)
            # within the budget and no riskier than the scenario's own training from the
            # filtered state (twin-plan's default budget): a plan never adds risk
            fc = pipeline.forecast(self.plan, m, day, float(f.mean[0]), float(f.mean[1]),
                                   rule, int(self.cfg.plan.draws))
            budget = float(rule.budget) if fc is None else min(float(rule.budget),
                                                               float(fc.risk.mean()))
            try:
                r = pipeline.propose_plan(self.plan, m, day, float(f.mean[0]),
                                          float(f.mean[1]), self.cfg.plan, budget)
                rows = [[str(self.start_date + dt.timedelta(days=int(d))), float(r.load[k]),
                         float(r.template[k]), bool(r.match[k])] for k, d in enumerate(r.days)]
                plan = ProposedPlan(id=pid, alert_id=alert.id, athlete_id=m.id,
                                    start=self.start_date + dt.timedelta(days=int(r.days[0])),
                                    days=len(r.days), status="proposed", message="", rows=rows,
                                    risk_mean=float(r.risk.mean()),
                                    template_risk_mean=float(r.template_risk.mean()),
                                    budget=budget)
            except prescribe.InfeasiblePlan as exc:
                plan = ProposedPlan(id=pid, alert_id=alert.id, athlete_id=m.id,
                                    start=alert.date + dt.timedelta(days=1), days=0,
                                    status="infeasible", message=str(exc), rows=[],
                                    budget=budget)
            done = s.execute(update(Alert).where(
                Alert.id == alert.id, Alert.plan_status == "pending",
                Alert.claimed_by == self.worker_id)
                .values(plan_status=plan.status, claimed_by=None, lease_until=None))
            if done.rowcount != 1:  # the lease ran out and another worker took the job
                raise LeaseLost(alert.id)
            s.add(plan)
            self._enqueue(s, "plan.proposed", pid, {
                "plan_id": pid, "alert_id": alert.id, "athlete": m.public_id,
                "status": plan.status, "start": str(plan.start), "days": plan.days})


def alert_data(alert: Alert, public_id: str) -> dict:
    """An alert as it leaves the service: public id, rule, day, text; no values."""
    return {"alert_id": alert.id, "athlete": public_id, "rule": alert.rule,
            "date": str(alert.date), "text": alert.text}


def _finite(x) -> float | None:
    return float(x) if np.isfinite(x) else None
