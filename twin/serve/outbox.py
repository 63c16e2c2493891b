"""Delivering the outbox: a background worker posts each pending row to its webhook.

Transactional outbox (C. Richardson, "Pattern: Transactional outbox", microservices.io):
the rows are written in the transaction that writes the alert, so an event exists if and
only if its alert does; this worker sends them afterwards, marks a row delivered after a
2xx answer, and otherwise retries it with exponential backoff and jitter
(``backoff_s * 2^(attempt - 1)``, capped at ``backoff_cap_s``, times a uniform factor in
[0.5, 1]: "equal jitter", Brooker 2015, AWS Architecture Blog, "Exponential backoff and
jitter"); after ``max_attempts`` the row is dead (``GET /deliveries/dead``).

Delivery is **at least once**, with a stable id: a row is marked delivered only after
the receiver's 2xx, so a service killed after the receiver took the event and before
that commit sends the same row again when it restarts: the same CloudEvent ``id``
(uuid5 of athlete, rule and day for an alert; of the alert for its plan) and the same
signed bytes. Receivers must deduplicate on the CloudEvent ``id``; after that each event
is seen exactly once (``tests/test_serve_faults.py`` kills the service in that window).
A row marked delivered is never sent again.

Several workers (threads, or service processes on one database) share the outbox: each
row is claimed by a lease (:func:`claim`) before it is sent, so one worker at a time
sends it; a worker that dies holding a claim leaves it to expire after
``delivery.lease_s`` (longer than ``delivery.timeout_s``), and then another sends it
(the at-least-once case above).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import threading

import httpx
from sqlalchemy import or_, select, update

from twin.serve.events import SIGNATURE_HEADER, sign
from twin.serve.models import Delivery, OutboxEvent, utcnow

log = logging.getLogger(__name__)


def backoff(attempt: int, base: float, cap: float, rng=random) -> float:
    """Seconds before retry number ``attempt`` (1-based), with equal jitter."""
    return min(cap, base * 2.0 ** (attempt - 1)) * (0.5 + 0.5 * rng.random())


def claim(session_factory, table, row_id, worker: str, lease_s: float, *where) -> bool:
    """Claim one row for ``worker`` for ``lease_s`` seconds: True if this call got it.

    One ``UPDATE ... SET claimed_by, lease_until WHERE id = ? AND <where> AND (lease_until
    IS NULL OR lease_until < now)``, committed, checked by its row count: of several
    workers (threads or processes on one database) at most one gets a free row, and a
    dead worker's claim expires. The same statement on SQLite and PostgreSQL.
    """
    now = utcnow()
    with session_factory() as s, s.begin():
        r = s.execute(update(table).where(
            table.id == row_id, *where,
            or_(table.lease_until.is_(None), table.lease_until < now))
            .values(claimed_by=worker, lease_until=now + dt.timedelta(seconds=lease_s)))
        return r.rowcount == 1


def deliver_due(session_factory, secrets: list[bytes], dcfg, client: httpx.Client,
                limit: int = 50, *, worker: str = "worker",
                lock=None) -> int:
    """Send every pending row whose time has come and that this worker claims (a lease of
    ``delivery.lease_s``: another worker's claimed row is left to it); the number sent
    successfully.

    ``lock``: held around each of this worker's writes (the claim, the result), the
    service's in-process writer lock, so that they queue behind the records' transactions
    in the process instead of in SQLite's busy handler, whose sleeps, under a stream of
    records, kept a delivery waiting 1-2.5 s (the load benchmark: record -> alert p95
    2.5 s without it)."""
    lock = lock or contextlib.nullcontext()
    now = utcnow()
    with session_factory() as s:
        rows = s.scalars(select(OutboxEvent).where(
            OutboxEvent.status == "pending", OutboxEvent.next_attempt_at <= now,
            or_(OutboxEvent.lease_until.is_(None), OutboxEvent.lease_until < now))
            .order_by(OutboxEvent.id).limit(limit)).all()
    ok = 0
    for row in rows:
        with lock:
            claimed = claim(session_factory, OutboxEvent, row.id, worker,
                            float(dcfg.lease_s), OutboxEvent.status == "pending")
        if not claimed:
            continue  # another worker has it, or sent it since the select
        body = row.body.encode()
        code, error = None, None
        try:
            r = client.post(row.url, content=body, timeout=float(dcfg.timeout_s), headers={
                "content-type": "application/cloudevents+json",
                SIGNATURE_HEADER: sign(secrets[row.webhook], body)})
            code = r.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        with lock, session_factory() as s, s.begin():
            cur = s.get(OutboxEvent, row.id)
            cur.attempts += 1
            cur.claimed_by = cur.lease_until = None
            s.add(Delivery(outbox_id=row.id, attempt=cur.attempts, status_code=code,
                           error=error, ok=error is None))
            if error is None:
                cur.status, cur.delivered_at, cur.last_error = "delivered", utcnow(), None
                ok += 1
            elif cur.attempts >= int(dcfg.max_attempts):
                cur.status, cur.last_error = "dead", error
            else:
                cur.last_error = error
                cur.next_attempt_at = utcnow() + dt.timedelta(seconds=backoff(
                    cur.attempts, float(dcfg.backoff_s), float(dcfg.backoff_cap_s)))
    return ok


class Worker(threading.Thread):
    """A daemon thread calling ``step()`` every ``poll_s`` seconds until stopped."""

    def __init__(self, name: str, step, poll_s: float):
        super().__init__(name=name, daemon=True)
        self.step, self.poll_s, self.stopping = step, poll_s, threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                busy = self.step()
            except Exception:  # a worker keeps going; the error is logged
                log.exception("%s failed", self.name)
                busy = False
            if not busy:
                self.stopping.wait(self.poll_s)

    def stop(self) -> None:
        self.stopping.set()
