"""The at-least-once window of the outbox: the webhook receives an event, and the service
is SIGKILLed before the receiver answers, so the event is out but "delivered" was never
committed. After a restart on the same database the event is sent again, with the same
CloudEvent id and the same signed bytes: the receiver sees that id twice on the wire and
once after deduplicating by id (what "exactly once per event id from the receiver's
point of view" means: delivery is at least once, the id is stable per alert, and the
receiver deduplicates on it). The resend waits for the dead worker's claim on the row
(``delivery.lease_s``) to expire. Every other event arrives once, every signature
verifies."""

from __future__ import annotations

import collections
import json
import time

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.serve_harness import TWIN, Server, auth, wait_until_settled
from twin.serve.config import load_config
from twin.serve.demo import Overload, synthetic_records
from twin.serve.events import verify
from twin.serve.models import Alert, Delivery, OutboxEvent, ProposedPlan
from twin.serve.replay import Receiver
from twin.serve.twin_model import athlete_models, build_plan

SECRET = "webhook-secret-for-the-fault-test"
#: The dead worker's claim on the row it was sending: the restarted service (another
#: worker id) may resend it only once this has passed since the claim.
LEASE_S = 3.0
DAYS = 12
#: Athlete m02 sleeps 2 h short from day 2: the sleep-debt rule (4 h over 7 nights) fires.
OVERLOAD = Overload(athlete=1, start=2, days=8, factor=3.0, sleep_loss_h=2.0)


def test_an_event_received_before_a_sigkill_is_resent_with_its_id(tmp_path):
    receiver = Receiver(SECRET.encode())
    ov = [*TWIN, f"webhooks=[{{url: '{receiver.url}', secret_env: TWIN_FAULT_HOOK}}]",
          "alerts.sleep_debt.debt_h=4.0", "alerts.readiness_drop.enabled=false",
          "delivery.backoff_s=0.1", "delivery.backoff_cap_s=0.3",
          "delivery.max_attempts=1000", "delivery.poll_s=0.1",
          f"delivery.timeout_s={LEASE_S / 2}", f"delivery.lease_s={LEASE_S}"]
    cfg = load_config(f"run_dir={tmp_path}", *ov)
    plan = build_plan(cfg)
    models = athlete_models(plan)
    season = synthetic_records(plan, models, cfg.assimilation, DAYS, seed=3,
                               overload=OVERLOAD)
    server = Server(tmp_path, ov, env={"TWIN_FAULT_HOOK": SECRET})
    killed = {}

    def kill_on_first(event):  # after the receiver recorded it, before it answers
        if not killed:
            killed["id"] = event["id"]
            server.kill()
            killed["done"] = True

    try:
        receiver.status = 503  # hold every delivery until the season is in
        with httpx.Client(base_url=server.base, headers=auth("coach"), timeout=120) as c:
            for day in season:
                for rec in day:
                    body = {k: v for k, v in rec.items() if k != "athlete"}
                    r = c.post(f"/athletes/{rec['athlete']}/records", json=body)
                    assert r.status_code == 201, r.text
        engine = server.db()
        with Session(engine) as s:
            assert s.scalars(select(Alert)).first() is not None  # something to deliver
        receiver.on_event = kill_on_first
        receiver.status = 200
        deadline = time.time() + 60
        while "done" not in killed and time.time() < deadline:
            time.sleep(0.05)
        assert killed.get("done"), "no event was delivered"
        target = killed["id"]
        with Session(engine) as s:  # the receiver has it; the database says pending
            row = s.scalar(select(OutboxEvent).where(OutboxEvent.event_id == target))
            assert row.status == "pending"
            assert not s.scalars(select(Delivery).where(Delivery.outbox_id == row.id,
                                                        Delivery.ok.is_(True))).all()
        server.start()  # the same database: the pending deliveries resume
        wait_until_settled(engine, 120)
        with Session(engine) as s:
            outbox = s.scalars(select(OutboxEvent)).all()
            alerts = s.scalars(select(Alert)).all()
            plans = s.scalars(select(ProposedPlan)).all()
            row = s.scalar(select(OutboxEvent).where(OutboxEvent.event_id == target))
            ok = s.scalars(select(Delivery).where(Delivery.outbox_id == row.id,
                                                  Delivery.ok.is_(True))).all()
    finally:
        server.stop()
        receiver.close()
    assert len(outbox) >= 2 and {r.status for r in outbox} == {"delivered"}
    assert len(ok) == 1  # delivered once as far as the service knows: after the restart
    wire = collections.Counter(e[0] for e in receiver.events)
    assert wire[target] == 2  # on the wire: before the kill, and again after the restart
    sent = [e[3] for e in receiver.events if e[0] == target]
    assert sent[1] - sent[0] >= 0.9 * LEASE_S  # not before the dead worker's lease ran out
    assert {i: n for i, n in wire.items() if i != target} == {
        r.event_id: 1 for r in outbox if r.event_id != target}  # every other one, once
    deduplicated = {e[0]: e for e in receiver.events}  # what a receiver keeps, by id
    assert set(deduplicated) == {r.event_id for r in outbox}
    assert len(alerts) >= 1 and len(plans) == len({p.alert_id for p in plans})
    plan_events = [e for e in deduplicated.values() if e[1].endswith("plan.proposed")]
    assert sorted(e[2]["alert_id"] for e in plan_events) == sorted(p.alert_id for p in plans)
    assert receiver.bad == 0 and all(verify(SECRET.encode(), b, sig)
                                     for b, sig in receiver.raw)
    copies = [(b, sig) for b, sig in receiver.raw if json.loads(b)["id"] == target]
    assert len(copies) == 2 and copies[0] == copies[1]  # the same signed bytes resent
