"""Debian packages a test needs and installs itself where they are missing (apt-get as
root or through sudo; ``.ci/run`` installs them first so they do not compete with the
running tests for the cores). A package that cannot be had fails the test naming why."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def apt_install(package: str, hint: str) -> None:
    """``apt-get install package``, or ``pytest.fail`` naming why not (``hint``: what the
    reader can do instead)."""
    apt = shutil.which("apt-get")
    sudo = [] if os.geteuid() == 0 else ([shutil.which("sudo")] if shutil.which("sudo") else None)
    if apt is None or sudo is None:
        pytest.fail(f"{package} is missing and there is no apt-get as root or through sudo "
                    f"to install it: {hint}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (["update", "-qq"], ["install", "-y", "-qq", package]):
        done = subprocess.run([*sudo, apt, *args], env=env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            pytest.fail(f"apt-get {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
