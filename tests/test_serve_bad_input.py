"""twin-serve refuses bad requests with a 4xx naming the field, and stores nothing.

One server for the module (a subprocess on a fresh SQLite file, one good record in it);
each case is sent and the row counts of every data table are compared before and after
(the audit log, which records refused requests too, is the only table that grows).
"""

from __future__ import annotations

import json

import httpx
import pytest

from calibration.devices.samples import DEFAULT_DIR as DEVICES
from tests.serve_harness import TWIN, Server, auth, counts
from twin.serve.models import DATA_TABLES

GOOD = {"date": "2026-08-05", "load": 300.0, "load_kind": "session-RPE"}
A = "/athletes/m01/records"


def bad(**change):
    body = {**GOOD, **change}
    return {k: v for k, v in body.items() if v is not _DROP}


_DROP = object()

# (case, method, path, role or header, body (dict: JSON; str/bytes: raw), status, field)
CASES = [
    ("load as a string", "POST", A, "coach", bad(load="300"), 422, "load"),
    ("load as a boolean", "POST", A, "coach", bad(load=True), 422, "load"),
    ("load negative", "POST", A, "coach", bad(load=-5.0), 422, "load"),
    ("load over a day's top", "POST", A, "coach", bad(load=20_000.0), 422, "load"),
    ("TSS load over its top", "POST", A, "coach", bad(load=5000.0, load_kind="TSS"), 422,
     "load"),
    ("load NaN", "POST", A, "coach", '{"date": "2026-08-05", "load": NaN, '
     '"load_kind": "session-RPE"}', 422, "load"),
    ("load kind unknown", "POST", A, "coach", bad(load_kind="watts"), 422, "load_kind"),
    ("load kind a number", "POST", A, "coach", bad(load_kind=5), 422, "load_kind"),
    ("date in the future", "POST", A, "coach", bad(date="2099-01-01"), 422, "date"),
    ("date not ISO", "POST", A, "coach", bad(date="05/08/2026"), 422, "date"),
    ("date before 1900", "POST", A, "coach", bad(date="1899-12-31"), 422, "date"),
    ("date a number", "POST", A, "coach", bad(date=20260805), 422, "date"),
    ("date missing", "POST", A, "coach", bad(date=_DROP), 422, "date"),
    ("load missing", "POST", A, "coach", bad(load=_DROP), 422, "load"),
    ("load kind missing", "POST", A, "coach", bad(load_kind=_DROP), 422, "load_kind"),
    ("extra field", "POST", A, "coach", bad(heart_rate=150), 422, "heart_rate"),
    ("training minutes over a day", "POST", A, "coach", bad(training_min=2000.0), 422,
     "training_min"),
    ("match minutes negative", "POST", A, "coach", bad(match_min=-1.0), 422, "match_min"),
    ("running band faster than Bolt", "POST", A, "coach", bad(distance_band_1_m=1e9), 422,
     "distance_band_1_m"),
    ("sleep onset 25:00", "POST", A, "coach", bad(sleep_onset="25:00"), 422, "sleep_onset"),
    ("sleep onset a number", "POST", A, "coach", bad(sleep_onset=23.5), 422, "sleep_onset"),
    ("free day a string", "POST", A, "coach", bad(free_day="yes"), 422, "free_day"),
    ("readiness over 10", "POST", A, "coach", bad(readiness=11.0), 422, "readiness"),
    ("readiness a word", "POST", A, "coach", bad(readiness="high"), 422, "readiness"),
    ("test in the wrong unit", "POST", A, "coach",
     bad(test={"kind": "cmj_height", "value": 40.0, "unit": "m"}), 422, "test.unit"),
    ("test of an unknown kind", "POST", A, "coach",
     bad(test={"kind": "bench_press", "value": 40.0, "unit": "kg"}), 422, "test.kind"),
    ("sprint faster than Bolt", "POST", A, "coach",
     bad(test={"kind": "sprint_30m", "value": 1.0, "unit": "s"}), 422, "test.value"),
    ("test not an object", "POST", A, "coach", bad(test="fast"), 422, "test"),
    ("source not an id", "POST", A, "coach", bad(source="my watch"), 422, "source"),
    ("another athlete's id in the body", "POST", A, "coach", bad(athlete_id="m02"), 422,
     "athlete_id"),
    ("a list, not an object", "POST", A, "coach", [GOOD], 422, "body"),
    ("malformed JSON", "POST", A, "coach", '{"date": "2026-08-05", load', 422, "body"),
    ("empty body", "POST", A, "coach", "", 422, "body"),
    ("unknown athlete", "POST", "/athletes/zz99/records", "coach", GOOD, 404, "athlete_id"),
    ("no token", "POST", A, None, GOOD, 401, "Authorization"),
    ("wrong token", "POST", A, {"Authorization": "Bearer nope"}, GOOD, 401, "Authorization"),
    ("not a bearer token", "POST", A, {"Authorization": "Basic dG9rOng="}, GOOD, 401,
     "Authorization"),
    ("analyst may not post", "POST", A, "analyst", GOOD, 403, "role"),
    ("oversized payload", "POST", A, "coach", json.dumps({**GOOD, "x": "y" * 70_000}), 413,
     "body"),
    ("bad idempotency key", "POST", A, {**auth("coach"), "Idempotency-Key": "bad key!"},
     GOOD, 422, "Idempotency-Key"),
    ("audit for a coach", "GET", "/audit", "coach", None, 403, "role"),
    ("dead letters for medical", "GET", "/deliveries/dead", "medical", None, 403, "role"),
    ("unknown plan", "GET", "/athletes/m01/plans/nonesuch", "coach", None, 404, "plan_id"),
    ("forecast of an unknown athlete", "GET", "/athletes/zz99/forecast", "coach", None, 404,
     "athlete_id"),
    ("forecast without a token", "GET", "/athletes/m01/forecast", None, None, 401,
     "Authorization"),
    ("device file with a bad name", "POST", "/athletes/m01/files?filename=a%20b.fit",
     "coach", b"\x00\x01", 422, "filename"),
    ("device file by an analyst", "POST", "/athletes/m01/files?filename=a.fit", "analyst",
     b"\x00\x01", 403, "role"),
    ("a track without load", "POST", "/athletes/m01/files?filename=session.fit", "coach",
     (DEVICES / "football_session.fit").read_bytes(), 422, "load"),
    ("a .zip that is no archive", "POST", "/athletes/m01/files?filename=day.zip", "coach",
     b"PK\x03\x04 cut short", 422, "file"),
    ("missing_load neither error nor zero", "POST",
     "/athletes/m01/files?filename=day.zip&missing_load=guess", "coach", b"PK", 422,
     "missing_load"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("serve_bad"), TWIN)
    r = httpx.post(s.base + A, json=GOOD, headers=auth("coach"), timeout=60)
    assert r.status_code == 201, r.text
    yield s
    s.stop()


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("method", "path", "who", "body", "status", "field"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_request_is_refused_naming_the_field_and_stores_nothing(
        server, method, path, who, body, status, field):
    engine = server.db()
    before = counts(engine, DATA_TABLES)
    headers = auth(who) if isinstance(who, str) else dict(who or {})
    kwargs = {}
    if isinstance(body, dict | list):
        kwargs["json"] = body
    elif body is not None:
        kwargs["content"] = body if isinstance(body, bytes) else body.encode()
        headers.setdefault("content-type", "application/json")
    r = httpx.request(method, server.base + path, headers=headers, timeout=60, **kwargs)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert detail["field"] == field, detail
    if status == 422 and field not in ("body", "Idempotency-Key", "filename"):
        assert field.split(".")[-1] in detail["message"]  # the message names it too
    assert counts(engine, DATA_TABLES) == before
    engine.dispose()


def test_refused_requests_are_audited(server):
    r = httpx.get(server.base + "/audit", headers=auth("admin"))
    statuses = {e["status"] for e in r.json()["entries"]}
    assert {401, 403, 404, 413, 422} <= statuses
