"""Database engine, sessions and migrations (Alembic, applied at startup).

SQLite is the embedded default (a file under the run dir, WAL journal so readers do not
block the writer, a busy timeout of :data:`BUSY_TIMEOUT_S` so that the writers of several
processes queue for its lock instead of failing); any SQLAlchemy URL works
(``postgresql+psycopg://...``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Seconds a writer waits for SQLite's lock (another process writing) before failing.
BUSY_TIMEOUT_S = 30.0
_MIGRATION_LOCK = 0x7477696E  # "twin": the advisory lock key of migrations


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acknowledged commit survives a crash
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """``alembic upgrade head`` on ``url``, one process at a time (replicas starting
    together on one database: :func:`migration_lock`)."""
    from alembic import command

    with migration_lock(url):
        command.upgrade(alembic_config(url), "head")


@contextlib.contextmanager
def migration_lock(url: str):
    """Held while migrating: an exclusive ``flock`` on ``<file>.migrate.lock`` beside an
    SQLite file, a session advisory lock on PostgreSQL (``pg_advisory_lock``); nothing
    for other databases (run their migrations from one process)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if not path or path == ":memory:":
            yield
            return
        import fcntl

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.migrate.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if url.startswith("postgresql"):
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
        engine.dispose()
        return
    yield


def sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
