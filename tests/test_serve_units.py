"""twin-serve's parts without HTTP: migrations against the ORM, the config's errors,
tokens, signatures, backoff and dead letters, window states, governance of public ids."""

from __future__ import annotations

import datetime as dt
import shutil

import httpx
import numpy as np
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from scenarios import ConfigError
from tests.serve_harness import TWIN
from twin import prescribe
from twin.apps.config import CONF_DIR
from twin.serve import db, events, outbox
from twin.serve.auth import authenticate, read_tokens, token_digest, write_tokens
from twin.serve.config import load_config
from twin.serve.models import Base, Delivery, OutboxEvent
from twin.serve.replay import free_port


def test_the_migrated_schema_equals_the_orm_metadata(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite:///{tmp_path / 'm.db'}"
    db.migrate(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.migrate(url)  # at head already: nothing to do, no error


@pytest.mark.parametrize(("override", "key"), [
    ("alerts.risk_over_budget.budget=1.5", "alerts.risk_over_budget.budget"),
    ("alerts.risk_over_budgit.budget=0.1", "risk_over_budgit"),
    ("+alerts.sleep_debt.hours=3", "hours"),
    ("delivery.max_attempts=many", "delivery.max_attempts"),
    ("webhooks=[{url: 'ftp://x', secret_env: K}]", "webhooks[0].url"),
    ("plan.acwr_band=[1.5,0.5]", "plan.acwr_band"),
])
def test_a_bad_override_fails_naming_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace(".", r"\.")):
        load_config(override)


def test_a_bad_key_in_serve_yaml_fails_naming_it(tmp_path):
    shutil.copy(CONF_DIR / "serve.yaml", tmp_path / "serve.yaml")
    text = (tmp_path / "serve.yaml").read_text().replace("host: 127.0.0.1",
                                                        "hots: 127.0.0.1")
    (tmp_path / "serve.yaml").write_text(text)
    with pytest.raises(ConfigError, match="hots"):
        load_config(config_dir=tmp_path)
    from twin.serve.cli import main

    assert main(["alerts.sleep_debt.debt_h=-1"]) == 2  # one line naming the key, status 2


def test_tokens_are_stored_hashed_and_roles_checked(tmp_path):
    path = tmp_path / "tokens.yaml"
    write_tokens(path, {"s3cret": ("milo", "medical")})
    assert "s3cret" not in path.read_text() and token_digest("s3cret") in path.read_text()
    tokens = read_tokens(path)
    assert authenticate("Bearer s3cret", tokens).role == "medical"
    assert authenticate("Bearer s3cre", tokens) is None
    assert authenticate("s3cret", tokens) is None
    path.write_text("- {name: x, role: root, sha256: " + "0" * 64 + "}\n")
    with pytest.raises(ConfigError, match="key role"):
        read_tokens(path)


def test_a_signature_is_hmac_sha256_of_the_raw_body():
    import hashlib
    import hmac

    headers, body = events.structured("alert.sleep_debt", "id-1", {"athlete": "m01"},
                                      "2026-08-01T00:00:00+00:00")
    assert headers["content-type"] == "application/cloudevents+json"
    want = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()  # RFC 2104
    assert events.sign(b"k", body) == want and events.verify(b"k", body, want)
    assert not events.verify(b"k", body + b" ", want) and not events.verify(b"x", body, want)
    assert events.alert_id("m01", "sleep_debt", dt.date(2026, 8, 1)) == \
        events.alert_id("m01", "sleep_debt", dt.date(2026, 8, 1))  # stable per alert


def test_backoff_doubles_with_jitter_up_to_the_cap():
    class Fixed:
        def __init__(self, u):
            self.u = u

        def random(self):
            return self.u

    for attempt, full in ((1, 1.0), (2, 2.0), (3, 4.0), (10, 30.0)):
        assert outbox.backoff(attempt, 1.0, 30.0, Fixed(0.0)) == full / 2
        assert outbox.backoff(attempt, 1.0, 30.0, Fixed(1.0)) == full


def test_a_webhook_never_reachable_ends_in_the_dead_letters(tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    db.migrate(url)
    sessions = db.sessions(db.make_engine(url))
    with sessions() as s, s.begin():
        s.add(OutboxEvent(event_id="e1", event_type="t", webhook=0, status="pending",
                          url=f"http://127.0.0.1:{free_port()}/", body="{}"))
    cfg = load_config("delivery.max_attempts=3", "delivery.backoff_s=0.01",
                      "delivery.backoff_cap_s=0.01").delivery
    with httpx.Client() as client:
        for _ in range(3):
            with sessions() as s, s.begin():  # the retry is due now (no waiting in tests)
                s.scalar(select(OutboxEvent)).next_attempt_at = dt.datetime(2000, 1, 1)
            assert outbox.deliver_due(sessions, [b"k"], cfg, client) == 0
    with Session(db.make_engine(url)) as s:
        row = s.scalar(select(OutboxEvent))
        assert (row.status, row.attempts) == ("dead", 3) and "Connect" in row.last_error
        assert len(s.scalars(select(Delivery)).all()) == 3


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from twin.serve.twin_model import athlete_models, build_plan

    cfg = load_config(f"run_dir={tmp_path_factory.mktemp('tiny')}", *TWIN)
    plan = build_plan(cfg)
    return cfg, plan, athlete_models(plan)


def test_window_state_is_what_assess_starts_from(tiny):
    """The state at a window's start, given back to assess, gives the same risk and
    performance bit for bit; a filtered state at the template's own values too (to
    1e-12 relative: fitness/k1 rounds once)."""
    _, plan, _ = tiny
    req = prescribe.PlanRequest(start=30, days=14, draws=8)
    s = prescribe.window_state(plan, 1, req)
    for a, b in zip(prescribe.assess(plan, 1, req), prescribe.assess(plan, 1, req, state=s),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    ff = plan.params.ff
    again = prescribe.window_state(plan, 1, req, fitness=ff.k1[1, :8] * s.ff.g,
                                   fatigue=ff.k2[1, :8] * s.ff.h)
    np.testing.assert_allclose(again.ff.g, s.ff.g, rtol=1e-12)
    np.testing.assert_allclose(again.ff.h, s.ff.h, rtol=1e-12)
    tired = prescribe.window_state(plan, 1, req, fitness=float((ff.k1[1, :8] * s.ff.g).mean()),
                                   fatigue=3 * float((ff.k2[1, :8] * s.ff.h).mean()))
    assert prescribe.assess(plan, 1, req, state=tired)[0].mean() > \
        prescribe.assess(plan, 1, req)[0].mean()  # fatigue raises the risk (beta_fatigue on)


def test_eu_athletes_leave_the_service_under_their_pseudonym(tmp_path, monkeypatch):
    from calibration import load_policy
    from twin.serve.service import alert_data
    from twin.serve.twin_model import athlete_models, build_plan

    monkeypatch.setenv("TWIN_PSEUDONYM_KEY", "test-key")
    over = [o.replace("'model.hazard", "'athletes.athletes.0.jurisdiction=EU','model.hazard")
            for o in TWIN]
    cfg = load_config(f"run_dir={tmp_path}", *over)
    models = athlete_models(build_plan(cfg))
    policy = load_policy(CONF_DIR / "governance" / "eu_gdpr.yaml")
    assert models[0].public_id == policy.public_id("m01", b"test-key") != "m01"
    assert models[1].public_id == "m02"  # a public athlete keeps the id

    class A:
        id, rule, date, text = "x", "sleep_debt", dt.date(2026, 8, 1), "t"

    assert "m01" not in str(alert_data(A, models[0].public_id))
    from twin.serve.api import public_path

    assert public_path(models, "/athletes/m01/forecast") == \
        f"/athletes/{models[0].public_id}/forecast"  # the audit log's path


def test_the_ray_serve_app_wraps_the_same_fastapi_app(tmp_path, monkeypatch):
    """``twin.serve.ray_app:app`` is a Ray Serve application of the FastAPI app (built,
    not run: no Ray cluster is started; Ray Serve comes with the dev extra)."""
    monkeypatch.setenv("TWIN_SERVE_OVERRIDES", f"run_dir={tmp_path}")
    import importlib

    from ray.serve import Application

    mod = importlib.import_module("twin.serve.ray_app")
    assert isinstance(mod.app, Application)
    assert any(getattr(r, "path", None) == "/healthz" for r in mod.fastapi_app.routes)


def test_hash_token_prints_an_entry_the_token_file_reads(tmp_path, capsys):
    from twin.serve.cli import main

    assert main(["--hash-token", "abc", "--role", "medical", "--name", "milo"]) == 0
    (tmp_path / "t.yaml").write_text(capsys.readouterr().out)
    assert authenticate("Bearer abc", read_tokens(tmp_path / "t.yaml")).name == "milo"


def test_the_demo_replays_a_season_and_alerts_fire(capsys):
    """The README's ``twin-serve --demo`` (30 days of the mini squad): the season is
    written as device files (vendor GPS, session-RPE, sleep and HRV CSV a day) and posted
    day by day through the real HTTP service's ``/files`` (calibration.devices' readers
    and merge), and the overload block (days 15-26 of one athlete, 3 x the load) makes a
    risk alert fire, whose signed event arrives with its proposed plan."""
    from pathlib import Path

    from twin.serve.cli import main
    from twin.serve.demo_files import FILES
    from twin.serve.models import DailyRecord

    assert main(["--demo", "--days", "30", "twin.athletes=mini_squad"]) == 0
    out = capsys.readouterr().out
    alerts = [line for line in out.splitlines() if line.strip().startswith("ALERT")]
    assert any("risk_over_budget" in line for line in alerts), out
    assert "PLAN" in out and "done: " in out
    assert int(out.split("done: ")[1].split()[0]) >= len(alerts)  # events received
    assert "90 archives of 4 device files accepted, 90 records stored" in out, out
    run_dir = Path(out.split("the service's data in ")[1].split()[0])
    days = sorted((run_dir / "devices").iterdir())
    assert len(days) == 30 and all(sorted(p.name for p in d.iterdir()) == sorted(FILES)
                                   for d in days)
    with Session(create_engine(f"sqlite:///{run_dir / 'twin.db'}")) as s:
        rows = s.scalars(select(DailyRecord)).all()
    # every record came in through the files: source "file", one per athlete and day,
    # with the vendor's minutes and bands and the wearables' sleep and rMSSD merged in
    assert len(rows) == 90 and {r.source for r in rows} == {"file"}
    assert all("sleep_onset" in r.values and "hrv_rmssd_ms" in r.values for r in rows)
    assert sum("distance_band_1_m" in r.values for r in rows) >= 60  # pitch days
    assert {r.readiness for r in rows} == {None}  # no questionnaire among the files


def test_a_device_file_is_read_by_calibration_devices_and_ingested(tmp_path):
    """POST /athletes/{id}/files reads the body with calibration.devices.read_device_file
    (a daily table here, its kind from its header); its DataError is a 422 naming the
    column, and a bad file stores nothing."""
    from fastapi.testclient import TestClient

    from tests.serve_harness import TOKENS, auth
    from twin.serve.api import create_app
    from twin.serve.service import Service

    write_tokens(tmp_path / "tokens.yaml", TOKENS)
    cfg = load_config(f"run_dir={tmp_path}", *TWIN)
    good = ("athlete_id,date,load,load_kind,sleep_onset,sleep_offset\n"
            "m01,2026-08-01,300,session-RPE,23:00,07:00\n"
            "m01,2026-08-02,250,session-RPE,23:30,07:15\n")
    with TestClient(create_app(cfg, Service(cfg))) as c:
        r = c.post("/athletes/m01/files?filename=day.csv", content=good.encode(),
                   headers=auth("coach"))
        assert r.status_code == 201, r.text
        assert [x["status"] for x in r.json()["records"]] == ["stored", "stored"]
        bad = good.replace("250,", "99999,")
        r = c.post("/athletes/m01/files?filename=day.csv", content=bad.encode(),
                   headers=auth("coach"))
        assert r.status_code == 422 and r.json()["detail"]["field"] == "load"
        stored = c.get("/athletes/m01/records", headers=auth("coach")).json()["records"]
        assert [(x["date"], x["source"]) for x in stored] == [
            ("2026-08-01", "file"), ("2026-08-02", "file")]


def _zip(members: dict) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_zip_of_device_files_is_merged_and_a_track_alone_is_refused():
    """twin.serve.files on the sample files of calibration/data/devices (athlete p01): a
    FIT track alone has no load and is refused naming ``load``; with the session-RPE
    table in one .zip it is merged (load 7 x 86 = 602 AU on the track's day, from
    srpe.csv row 1, and the track's bands); a vendor export beside the track gives the
    same day's bands twice (a conflicting duplicate) and is refused naming both."""
    from calibration.devices.samples import DEFAULT_DIR
    from twin.serve.files import FileError, upload_rows

    f = {n: (DEFAULT_DIR / n).read_bytes() for n in (
        "football_session.fit", "srpe.csv", "vendor_sessions.csv", "sleep.csv", "hrv.csv")}
    with pytest.raises(FileError, match="no load for 2024-03-04") as e:
        upload_rows("football_session.fit", f["football_session.fit"], "p01",
                    max_bytes=10**7)
    assert e.value.field == "load"
    rows = upload_rows("day.zip", _zip({k: f[k] for k in ("football_session.fit",
                                                           "srpe.csv")}),
                       "p01", max_bytes=10**7)
    assert len(rows) == 12 and {r["source"] for r in rows} == {"file"}
    first = rows[0]
    assert first["date"] == "2024-03-04" and first["load"] == 7 * 86
    assert first["distance_band_2_m"] > 0 and first["training_min"] > 0
    assert "distance_band_2_m" not in rows[1]  # the track is one day's
    with pytest.raises(FileError, match="conflicting duplicate") as e:
        upload_rows("day.zip", _zip({k: f[k] for k in ("football_session.fit",
                                                       "vendor_sessions.csv", "srpe.csv")}),
                    "p01", max_bytes=10**7)
    assert "football_session.fit" in str(e.value) and "vendor_sessions.csv" in str(e.value)


def test_rest_days_of_a_zip_need_missing_load_zero_and_bad_members_are_named():
    """Sleep and HRV have 14 days, the session-RPE table 12 (rest days 2024-03-10 and
    03-17 have no session): refused naming ``load`` by default, load 0 with
    ``missing_load=zero``; a bad cell is named by member and column, a body that is no
    archive by ``file``, a member in a folder by its name."""
    from calibration.devices.samples import DEFAULT_DIR
    from twin.serve.files import FileError, upload_rows

    f = {n: (DEFAULT_DIR / n).read_bytes() for n in ("srpe.csv", "sleep.csv", "hrv.csv")}
    with pytest.raises(FileError, match="no load for") as e:
        upload_rows("week.zip", _zip(f), "p01", max_bytes=10**7)
    assert e.value.field == "load"
    rows = upload_rows("week.zip", _zip(f), "p01", max_bytes=10**7, missing_load="zero")
    assert len(rows) == 14 and sum(r["load"] == 0.0 for r in rows) == 2
    assert all("sleep_onset" in r and "hrv_rmssd_ms" in r for r in rows)
    bad = f["srpe.csv"].replace(b"p01,2024-03-04,7,", b"p01,2024-03-04,11,")
    with pytest.raises(FileError, match=r"'srpe\.csv', row 1") as e:
        upload_rows("week.zip", _zip({**f, "srpe.csv": bad}), "p01", max_bytes=10**7)
    assert e.value.field == "srpe.csv:rpe"
    with pytest.raises(FileError, match="not a readable ZIP") as e:
        upload_rows("week.zip", b"PK\x03\x04 truncated", "p01", max_bytes=10**7)
    assert e.value.field == "file"
    with pytest.raises(FileError, match="no folders"):
        upload_rows("week.zip", _zip({"sub/srpe.csv": f["srpe.csv"]}), "p01",
                    max_bytes=10**7)
    with pytest.raises(FileError, match="unpacks to more than"):
        upload_rows("week.zip", _zip(f), "p01", max_bytes=1000)


def test_a_claimed_row_is_left_to_its_worker_until_the_lease_runs_out(tmp_path):
    """outbox.claim: the first worker gets a free row; a second does not while the lease
    holds; once it has run out (a dead worker) the second gets it."""
    from twin.serve.models import OutboxEvent as Row

    url = f"sqlite:///{tmp_path / 'c.db'}"
    db.migrate(url)
    make = db.sessions(db.make_engine(url))
    with make() as s, s.begin():
        s.add(Row(event_id="e", event_type="t", webhook=0, url="http://x", body="{}",
                  status="pending"))
    with make() as s:
        rid = s.scalar(select(Row.id))
    assert outbox.claim(make, Row, rid, "w1", 60.0, Row.status == "pending")
    assert not outbox.claim(make, Row, rid, "w2", 60.0, Row.status == "pending")
    with make() as s, s.begin():  # the lease of w1 (dead) runs out
        s.get(Row, rid).lease_until = dt.datetime(2000, 1, 1)
    assert outbox.claim(make, Row, rid, "w2", 60.0, Row.status == "pending")
    with make() as s:
        assert s.get(Row, rid).claimed_by == "w2"


def test_a_database_of_the_first_schema_migrates_with_its_rows(tmp_path):
    """0001 -> 0002 (leases, athlete versions) keeps the rows: versions 0, no claims."""
    from alembic import command
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(db.alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("INSERT INTO athletes VALUES ('m01', 'p1', 'EU', 0)"))
        c.execute(text("INSERT INTO outbox (event_id, event_type, webhook, url, body, status,"
                       " attempts, next_attempt_at, created_at) VALUES ('e', 't', 0, 'u', "
                       "'{}', 'pending', 0, '2026-01-01', '2026-01-01')"))
    db.migrate(url)
    with engine.connect() as c:
        assert c.execute(text("SELECT id, version FROM athletes")).all() == [("m01", 0)]
        assert c.execute(text("SELECT event_id, claimed_by, lease_until FROM outbox")
                         ).all() == [("e", None, None)]
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
