"""The service's tables (SQLAlchemy 2 ORM); the schema is created by the Alembic
migrations in ``twin/serve/migrations`` (a test checks they equal this metadata).

Daily records have a natural key (athlete, date, source): a record posted twice is stored
once. Several service processes may share one database: an athlete's ``version``
orders the transactions that store their records (optimistic concurrency), and a
worker claims an outbox row or an alert's plan job by a lease (``claimed_by``,
``lease_until``: an ``UPDATE ... WHERE`` the lease is free, checked by its row count),
which expires if the worker dies.
Events leave through a transactional outbox (Richardson, "Pattern: Transactional
outbox", microservices.io): an alert and its outbox rows are committed in one
transaction, and a background worker delivers the rows to the webhooks (one row per event
and webhook, with its attempts and the time of the next one; each attempt in
``deliveries``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Athlete(Base):
    """An athlete of the squad the service forecasts against (``index``: in the twin's
    plan); ``public_id``: the id governance lets out (an HMAC pseudonym under EU rules)."""

    __tablename__ = "athletes"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    index: Mapped[int] = mapped_column(Integer)
    #: bumped by every transaction that stores a record of the athlete (optimistic
    #: concurrency: a transaction that read another version is retried)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DailyRecord(Base):
    """One day of an athlete (the calibration ``daily`` schema's fields, clock times as
    hours) with the optional readiness score and test."""

    __tablename__ = "daily_records"
    __table_args__ = (UniqueConstraint("athlete_id", "date", "source", name="uq_record_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(64))
    load: Mapped[float] = mapped_column(Float)
    load_kind: Mapped[str] = mapped_column(String(16))
    values: Mapped[dict] = mapped_column(JSON)  # the optional fields, parsed
    readiness: Mapped[float | None] = mapped_column(Float, nullable=True)
    test_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    test_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the canonical record
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IdempotencyKey(Base):
    """A request's ``Idempotency-Key`` and the response it got (replayed on a retry)."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FilteredState(Base):
    """The Kalman-filtered (fitness, fatigue) after an athlete's day and its covariance."""

    __tablename__ = "filtered_states"
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    fitness: Mapped[float] = mapped_column(Float)
    fatigue: Mapped[float] = mapped_column(Float)
    cov: Mapped[list] = mapped_column(JSON)  # 2 x 2
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Forecast(Base):
    """The twin's forecast of the coming window from an athlete's filtered state."""

    __tablename__ = "forecasts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(Integer)
    risk_mean: Mapped[float] = mapped_column(Float)
    risk_q05: Mapped[float] = mapped_column(Float)
    risk_q95: Mapped[float] = mapped_column(Float)
    performance_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    medical: Mapped[dict] = mapped_column(JSON)  # sleep debt, readiness, state
    record_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Alert(Base):
    """A rule that fired for an athlete on a day; ``id`` stable (uuid5 of the three)."""

    __tablename__ = "alerts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    plan_status: Mapped[str] = mapped_column(String(16))  # pending | proposed | infeasible | none
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # plan worker
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ProposedPlan(Base):
    """A load plan proposed for an athlete's coming window after an alert."""

    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"), unique=True)
    athlete_id: Mapped[str] = mapped_column(ForeignKey("athletes.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # proposed | infeasible
    message: Mapped[str] = mapped_column(Text)
    rows: Mapped[list] = mapped_column(JSON)  # [[date, load, template, match], ...]
    risk_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    template_risk_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    budget: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutboxEvent(Base):
    """One event for one webhook: the exact bytes sent (so a retry is signed the same)."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("event_id", "webhook", name="uq_event_webhook"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), index=True)
    event_type: Mapped[str] = mapped_column(String(128))
    webhook: Mapped[int] = mapped_column(Integer)  # index in the config's webhooks
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the sender
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Delivery(Base):
    """One delivery attempt of an outbox row."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean)


class AuditEntry(Base):
    """Every request, refused ones too: who, with which role, what, when, and the answer."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)


#: Tables whose rows the bad-input tests compare before and after (all but the audit log).
DATA_TABLES = ("athletes", "daily_records", "idempotency_keys", "filtered_states",
               "forecasts", "alerts", "plans", "outbox", "deliveries")
