"""A throwaway PostgreSQL server for the service's tests, started on 127.0.0.1.

``TWIN_TEST_POSTGRES_URL`` (``postgresql+psycopg://user@host:port``, no database) names a
server to use instead. Otherwise the server is Debian's ``postgresql`` package (installed
by ``.ci/run``, or by the test where it is missing, :mod:`tests.system_packages`):
``initdb`` into a temporary folder (trust authentication, the only user the folder's
owner), ``pg_ctl start`` listening on 127.0.0.1 only at a free port, with its socket in
that folder, and ``pg_ctl stop -m immediate`` at the end. PostgreSQL refuses to run as
root, so under root the folder belongs to the package's ``postgres`` user and the server
runs as that user (``runuser``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.system_packages import apt_install


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_server():
    """The server's URL without a database (module docstring)."""
    given = os.environ.get("TWIN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        apt_install("postgresql", "install Debian's postgresql or set TWIN_TEST_POSTGRES_URL "
                                  "to a server to test on")
        bin_dir = _bin_dir()
        if bin_dir is None:
            pytest.fail("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb")
    as_user: list[str] = []
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        as_user = [shutil.which("runuser") or "runuser", "-u", user, "--"]
    folder = Path(tempfile.mkdtemp(prefix="twin-pg-"))
    data = folder / "data"
    if user:
        shutil.chown(folder, user)
    port = _free_port()

    def run(*args):
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"{Path(args[0]).name} failed: {(done.stderr or done.stdout)[-500:]}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
            "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off",
            "start")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
        finally:
            subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "stop"], capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
