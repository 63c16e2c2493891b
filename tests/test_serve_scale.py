"""Two twin-serve processes on one SQLite file (what several replicas on one database
do): started together (their migrations take turns), each athlete's days posted to both
at once (even days to one, odd days to the other, two days in flight at a time), their
outbox and plan workers competing for the same rows. Then: every record stored once,
each athlete's final filtered state equal to calibration.kalman_filter on the whole
season (1e-9), every event delivered and received once per id (the outbox rows are
claimed by lease, so two workers never send one row), and one plan per alert, proposed
once (the plan jobs are claimed by lease too; a second proposal would be a refused
duplicate, logged as a failure)."""

from __future__ import annotations

import collections
import threading
import time

import httpx
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calibration import kalman_filter
from tests.serve_harness import TWIN, Server, as_rows, auth
from twin.serve import pipeline
from twin.serve.config import load_config
from twin.serve.demo import Overload, synthetic_records
from twin.serve.models import (
    Alert,
    Athlete,
    DailyRecord,
    FilteredState,
    OutboxEvent,
    ProposedPlan,
)
from twin.serve.replay import Receiver
from twin.serve.twin_model import athlete_models, build_plan

SECRET = "webhook-secret-for-the-scale-test"
DAYS = 48
OVERLOAD = Overload(athlete=1, start=20, days=12, factor=3.0)


def test_two_processes_on_one_database_agree_with_one(tmp_path):
    receiver = Receiver(SECRET.encode())
    ov = [*TWIN, f"webhooks=[{{url: '{receiver.url}', secret_env: TWIN_SCALE_HOOK}}]",
          "alerts.risk_over_budget.budget=0.17", "alerts.sleep_debt.debt_h=8.0",
          "alerts.readiness_drop.enabled=false", "delivery.backoff_s=0.1",
          "delivery.backoff_cap_s=0.5", "delivery.max_attempts=1000", "delivery.poll_s=0.05"]
    cfg = load_config(f"run_dir={tmp_path}", *ov)
    plan = build_plan(cfg)  # cached in the run dir: both servers load this very plan
    models = athlete_models(plan)
    season = synthetic_records(plan, models, cfg.assimilation, DAYS, seed=5,
                               overload=OVERLOAD)
    servers: list = [None, None]

    def start(k):
        servers[k] = Server(tmp_path, ov, env={"TWIN_SCALE_HOOK": SECRET},
                            log=f"server{k}.log")

    starters = [threading.Thread(target=start, args=(k,)) for k in (0, 1)]
    for t in starters:
        t.start()
    for t in starters:
        t.join()
    assert all(servers), "a server did not start"
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def post(k):
        with httpx.Client(base_url=servers[k].base, headers=auth("coach"),
                          timeout=120) as c:
            for t in range(k, DAYS + (DAYS % 2), 2):
                for rec in season[t] if t < DAYS else []:
                    body = {x: v for x, v in rec.items() if x != "athlete"}
                    r = c.post(f"/athletes/{rec['athlete']}/records", json=body)
                    if r.status_code != 201:
                        errors.append(r.text)
                barrier.wait(timeout=120)  # days 2j and 2j + 1 in flight together

    try:
        posters = [threading.Thread(target=post, args=(k,)) for k in (0, 1)]
        for t in posters:
            t.start()
        for t in posters:
            t.join()
        assert not errors, errors[:3]
        engine = servers[0].db()
        deadline = time.time() + 240
        while time.time() < deadline:
            with Session(engine) as s:
                busy = s.scalars(select(Alert).where(Alert.plan_status == "pending")).first() \
                    or s.scalars(select(OutboxEvent).where(
                        OutboxEvent.status != "delivered")).first()
            if not busy:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # a second send, were there one, would arrive by now
        start_day = pipeline.plan_start(plan)
        with Session(engine) as s:
            for m in models:
                recs = [r for day in season for r in day if r["athlete"] == m.id]
                stored = s.scalars(select(DailyRecord).where(
                    DailyRecord.athlete_id == m.id)).all()
                assert len(stored) == DAYS == len({r.date for r in stored})
                series = pipeline.athlete_series(as_rows(recs), start_day)
                args, kwargs = pipeline.kalman_arguments(series, m, cfg.assimilation)
                want = kalman_filter(*args, **kwargs)
                last = s.scalar(select(FilteredState).where(FilteredState.athlete_id == m.id)
                                .order_by(FilteredState.date.desc()).limit(1))
                assert last.date == series.date(DAYS - 1)
                # the state stored by whichever process committed last, from every
                # record: the same arithmetic as the filter, 1e-9 as in test_serve.py
                np.testing.assert_allclose([last.fitness, last.fatigue], want.means[-1],
                                           rtol=0, atol=1e-9)
                np.testing.assert_allclose(last.cov, want.cov, rtol=0, atol=1e-9)
                # one version bump per stored record: no transaction lost or doubled
                assert s.get(Athlete, m.id).version == DAYS
            outbox = s.scalars(select(OutboxEvent)).all()
            alerts = s.scalars(select(Alert)).all()
            plans = s.scalars(select(ProposedPlan)).all()
            leased = s.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.claimed_by.is_not(None)))
        logs = [srv.log.read_text() for srv in servers]
    finally:
        for srv in servers:
            if srv is not None:
                srv.stop()
        receiver.close()
    assert any(a.rule == "risk_over_budget" and a.athlete_id == models[OVERLOAD.athlete].id
               for a in alerts)
    assert {r.status for r in outbox} == {"delivered"} and leased == 0
    wire = collections.Counter(e[0] for e in receiver.events)
    assert set(wire) == {r.event_id for r in outbox} >= {a.id for a in alerts}
    assert max(wire.values()) == 1, [i for i, n in wire.items() if n > 1]  # once per id
    assert receiver.bad == 0
    assert {a.plan_status for a in alerts} <= {"proposed", "infeasible", "none"}
    planned = [a.id for a in alerts if a.plan_status != "none"]
    assert sorted(p.alert_id for p in plans) == sorted(planned)  # one plan per alert
    plan_events = [e for e in receiver.events if e[1].endswith("plan.proposed")]
    assert sorted(e[2]["alert_id"] for e in plan_events) == sorted(planned)
    for text in logs:  # no worker failed (a doubled plan or send would show here)
        assert "Traceback" not in text and "failed" not in text, text[-2000:]
