"""The HTTP API (FastAPI; OpenAPI docs at ``/docs``), served by uvicorn or Ray Serve.

Every request is authenticated by a bearer token with a role and audited (refused ones
too); every athlete in an answer is named by the public id governance lets out. Errors
are ``{"detail": {"field": ..., "message": ...}}`` naming the field: 401 without a valid
token, 403 for a role the endpoint does not serve, 404 for an unknown athlete or plan,
409 for a different record under a stored natural key, 413 for an oversized body, 422
for a bad field, and nothing is stored by a refused request.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from twin.prescribe.load_plan import write_load_plan
from twin.serve.auth import authenticate
from twin.serve.files import FileError, upload_rows
from twin.serve.models import (
    Alert,
    AuditEntry,
    DailyRecord,
    Forecast,
    IdempotencyKey,
    OutboxEvent,
    ProposedPlan,
)
from twin.serve.records import RecordError, digest, json_schema, parse_record
from twin.serve.service import Conflict, Service, alert_data

WRITERS = ("coach", "medical", "admin")
READERS = ("coach", "medical", "analyst", "admin")
_IDEMPOTENCY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class ApiError(Exception):
    def __init__(self, status: int, field: str, message: str):
        self.status, self.field, self.message = status, field, message


def create_app(cfg, service: Service | None = None) -> FastAPI:
    """The app for ``cfg``; the :class:`Service` is built at startup unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.service is None:
            app.state.service = await asyncio.to_thread(Service, cfg)
        app.state.service.start_workers()
        yield
        app.state.service.stop_workers()

    app = FastAPI(title="athlete-twin: the living twin", lifespan=lifespan,
                  description="Ingest an athlete's days, assimilate, forecast, alert.")
    app.state.service = service

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse({"detail": {"field": exc.field, "message": exc.message}},
                            status_code=exc.status)

    @app.middleware("http")
    async def audit(request: Request, call_next):
        request.state.principal = None
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:  # audited whatever the answer, a crash (500) too
            svc: Service | None = request.app.state.service
            if svc is not None:
                p = request.state.principal
                entry = AuditEntry(actor=p.name if p else "anonymous",
                                   role=p.role if p else None, method=request.method,
                                   path=public_path(svc.models, request.url.path),
                                   status=status)
                await asyncio.to_thread(_write_audit, svc, entry)

    def svc_of(request: Request) -> Service:
        return request.app.state.service

    def authorize(request: Request, roles) -> str:
        p = authenticate(request.headers.get("authorization"), svc_of(request).tokens)
        if p is None:
            raise ApiError(401, "Authorization", "expected 'Authorization: Bearer <token>' "
                                                 "with a valid token")
        request.state.principal = p
        if p.role not in roles:
            raise ApiError(403, "role", f"role {p.role!r} may not do this; expected one of "
                                        f"{list(roles)}")
        return p.role

    def athlete_of(request: Request, athlete_id: str):
        m = svc_of(request).athlete(athlete_id)
        if m is None:
            raise ApiError(404, "athlete_id", "no such athlete in the squad")
        return m

    async def body_of(request: Request, limit: int) -> bytes:
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > limit):
            raise ApiError(413, "body", f"expected at most {limit} bytes")
        raw = await request.body()
        if len(raw) > limit:
            raise ApiError(413, "body", f"expected at most {limit} bytes")
        return raw

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok"}

    @app.post("/athletes/{athlete_id}/records", status_code=201, openapi_extra={
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": json_schema()}}},
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                        "schema": {"type": "string", "pattern": _IDEMPOTENCY.pattern}}]})
    async def post_record(athlete_id: str, request: Request):
        """One daily record (the calibration ``daily`` schema's fields, plus ``source``,
        ``readiness`` and ``test``); stored once per (athlete, date, source)."""
        authorize(request, WRITERS)
        m = athlete_of(request, athlete_id)
        key = request.headers.get("idempotency-key")
        if key is not None and not _IDEMPOTENCY.match(key):
            raise ApiError(422, "Idempotency-Key", "expected 1-128 of letters, digits and "
                                                   "'.', '_', ':', '-'")
        raw = await body_of(request, int(cfg.max_body_bytes))
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(422, "body", f"malformed JSON: {exc}") from None
        try:
            rec = await asyncio.to_thread(parse_record, data, m.id)
        except RecordError as exc:
            raise ApiError(422, exc.field, str(exc)) from None
        idem = None
        if key is not None:
            h = digest({"athlete": m.id, **rec})
            stored = await asyncio.to_thread(_idempotent, svc_of(request), key)
            if stored is not None:
                if stored.request_digest != h:
                    raise ApiError(422, "Idempotency-Key", "already used for a different "
                                                           "request")
                return JSONResponse(stored.response, status_code=stored.status_code)
            idem = (key, h)
        try:
            status, body = await asyncio.to_thread(svc_of(request).ingest, m, rec,
                                                   idempotency=idem)
        except Conflict as exc:  # a key reused for another request is a bad field
            raise ApiError(422 if exc.field == "Idempotency-Key" else 409, exc.field,
                           str(exc)) from None
        return JSONResponse(body, status_code=status)

    @app.post("/athletes/{athlete_id}/files", status_code=201, openapi_extra={
        "requestBody": {"required": True, "content": {"application/octet-stream": {},
                                                      "application/zip": {}}}})
    async def post_file(athlete_id: str, request: Request, filename: str,
                        missing_load: str = "error"):
        """A device file (raw body; ``?filename=`` gives its type by its suffix), or a
        ``.zip`` of one athlete's device files merged by ``calibration.devices.merge_daily``
        (a track, GPS, sleep or HRV file with the session-RPE table of its days), read
        into daily rows (:mod:`twin.serve.files`), each ingested as a record with source
        ``file``; ``missing_load=zero``: a day without load in any file is a rest day."""
        authorize(request, WRITERS)
        m = athlete_of(request, athlete_id)
        raw = await body_of(request, int(cfg.max_file_bytes))
        svc = svc_of(request)
        kind = await asyncio.to_thread(_load_kind, svc, m.id) if missing_load == "zero" \
            else None
        try:
            rows = await asyncio.to_thread(upload_rows, filename, raw, m.id,
                                           max_bytes=int(cfg.max_file_bytes),
                                           missing_load=missing_load, load_kind=kind)
        except FileError as exc:
            raise ApiError(422, exc.field, str(exc)) from None
        recs = []
        for i, row in enumerate(rows):
            try:
                recs.append(parse_record(row, m.id))
            except RecordError as exc:
                raise ApiError(422, f"rows[{i}].{exc.field}", str(exc)) from None
        out = []
        for rec in recs:
            try:
                out.append((await asyncio.to_thread(svc.ingest, m, rec))[1])
            except Conflict as exc:
                out.append({"status": "conflict", "date": str(rec["date"]),
                            "message": str(exc)})
        return JSONResponse({"athlete": m.public_id, "records": out}, status_code=201)

    @app.get("/athletes/{athlete_id}/forecast")
    async def get_forecast(athlete_id: str, request: Request):
        """The latest forecast; risk numbers, sleep and readiness for ``medical`` only."""
        role = authorize(request, READERS)
        m = athlete_of(request, athlete_id)
        with svc_of(request).sessions() as s:
            f = s.scalar(select(Forecast).where(Forecast.athlete_id == m.id)
                         .order_by(Forecast.as_of.desc(), Forecast.id.desc()).limit(1))
        if f is None:
            raise ApiError(404, "forecast", "no forecast yet (no record in the season)")
        budget = float(cfg.alerts.risk_over_budget.budget)
        out = {"athlete": m.public_id, "as_of": str(f.as_of),
               "window_start": str(f.window_start), "window_days": f.window_days,
               "match_performance_pct": f.performance_mean,
               "over_budget": f.risk_mean > budget}
        if role == "medical":
            out["medical"] = {"injury_risk": {"mean": f.risk_mean, "q05": f.risk_q05,
                                              "q95": f.risk_q95, "budget": budget},
                              **f.medical}
        return out

    @app.get("/athletes/{athlete_id}/alerts")
    async def get_alerts(athlete_id: str, request: Request):
        role = authorize(request, READERS)
        m = athlete_of(request, athlete_id)
        with svc_of(request).sessions() as s:
            rows = s.scalars(select(Alert).where(Alert.athlete_id == m.id)
                             .order_by(Alert.date, Alert.rule)).all()
        out = []
        for a in rows:
            item = {**alert_data(a, m.public_id), "plan_status": a.plan_status}
            if role == "medical":
                item["medical"] = {"value": a.value, "threshold": a.threshold}
            out.append(item)
        return {"athlete": m.public_id, "alerts": out}

    @app.get("/athletes/{athlete_id}/plans")
    async def get_plans(athlete_id: str, request: Request):
        authorize(request, READERS)
        m = athlete_of(request, athlete_id)
        with svc_of(request).sessions() as s:
            rows = s.scalars(select(ProposedPlan).where(ProposedPlan.athlete_id == m.id)
                             .order_by(ProposedPlan.created_at)).all()
        return {"athlete": m.public_id, "plans": [
            {"plan_id": p.id, "alert_id": p.alert_id, "status": p.status,
             "start": str(p.start), "days": p.days, "message": p.message} for p in rows]}

    @app.get("/athletes/{athlete_id}/plans/{plan_id}")
    async def get_plan(athlete_id: str, plan_id: str, request: Request):
        """The plan as the load-plan CSV ``twin-run scenario.load_plan=`` replays."""
        authorize(request, READERS)
        m = athlete_of(request, athlete_id)
        with svc_of(request).sessions() as s:
            p = s.get(ProposedPlan, plan_id)
        if p is None or p.athlete_id != m.id:
            raise ApiError(404, "plan_id", "no such plan for this athlete")
        if p.status != "proposed":
            raise ApiError(404, "plan_id", f"no plan could be made: {p.message}")
        buf = io.StringIO()
        write_load_plan(buf, ((m.public_id, *row) for row in p.rows))
        return Response(buf.getvalue(), media_type="text/csv")

    @app.get("/audit")
    async def get_audit(request: Request, limit: int = 1000):
        authorize(request, ("admin",))
        with svc_of(request).sessions() as s:
            rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                             .limit(max(1, min(limit, 100_000)))).all()
        return {"entries": [{"at": r.at.isoformat(), "actor": r.actor, "role": r.role,
                             "method": r.method, "path": r.path, "status": r.status}
                            for r in rows]}

    @app.get("/deliveries/dead")
    async def get_dead(request: Request):
        authorize(request, ("admin",))
        with svc_of(request).sessions() as s:
            rows = s.scalars(select(OutboxEvent).where(OutboxEvent.status == "dead")).all()
        return {"dead": [{"event_id": r.event_id, "type": r.event_type, "url": r.url,
                          "attempts": r.attempts, "last_error": r.last_error}
                         for r in rows]}

    @app.get("/athletes/{athlete_id}/records")
    async def get_records(athlete_id: str, request: Request):
        """The stored days (date, source, load), for checking what was accepted."""
        authorize(request, READERS)
        m = athlete_of(request, athlete_id)
        with svc_of(request).sessions() as s:
            rows = s.scalars(select(DailyRecord).where(DailyRecord.athlete_id == m.id)
                             .order_by(DailyRecord.date)).all()
        return {"athlete": m.public_id, "records": [
            {"date": str(r.date), "source": r.source, "load": r.load} for r in rows]}

    return app


def public_path(models, path: str) -> str:
    """The path with each athlete id replaced by its public id (the audit log, which
    admins read, holds no raw id of a pseudonymised athlete)."""
    ids = {m.id: m.public_id for m in models}
    return "/".join(ids.get(part, part) for part in path.split("/"))


def _write_audit(svc: Service, entry: AuditEntry) -> None:
    with svc.sessions() as s, s.begin():
        s.add(entry)


def _idempotent(svc: Service, key: str):
    with svc.sessions() as s:
        return s.get(IdempotencyKey, key)


def _load_kind(svc: Service, athlete_id: str) -> str | None:
    """The load kind of the athlete's latest stored record (None: no record yet)."""
    with svc.sessions() as s:
        return s.scalar(select(DailyRecord.load_kind).where(
            DailyRecord.athlete_id == athlete_id).order_by(DailyRecord.date.desc(),
                                                          DailyRecord.id.desc()).limit(1))
