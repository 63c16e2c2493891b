"""Bearer tokens with roles (coach, medical, analyst, admin).

The token file (``auth.token_file``) is YAML, a list of ``{name, role, sha256}``: the
SHA-256 of each token, never the token itself (``twin-serve --hash-token TOKEN`` prints
an entry). A presented token is hashed and compared with every entry by
:func:`hmac.compare_digest` (constant time, so the comparison leaks no prefix).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from omegaconf import OmegaConf

from scenarios import ConfigError
from twin.serve.config import ROLES


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_tokens(path) -> list[tuple[str, Principal]]:
    """``[(sha256 hex, principal)]``; errors name the file, the entry and the key."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"auth.token_file = {str(path)!r}: no such file (a YAML list of "
                          "{name, role, sha256}; twin-serve --hash-token TOKEN)")
    data = OmegaConf.to_container(OmegaConf.load(path)) or []
    if not isinstance(data, list):
        raise ConfigError(f"auth.token_file {path}: expected a list of {{name, role, sha256}}")
    out = []
    for i, entry in enumerate(data):
        where = f"auth.token_file {path}, entry {i}"
        if not isinstance(entry, dict) or set(entry) != {"name", "role", "sha256"}:
            raise ConfigError(f"{where}: expected the keys name, role, sha256")
        if entry["role"] not in ROLES:
            raise ConfigError(f"{where}, key role: {entry['role']!r}: expected one of {ROLES}")
        digest = str(entry["sha256"]).lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ConfigError(f"{where}, key sha256: expected 64 hex digits")
        out.append((digest, Principal(str(entry["name"]), str(entry["role"]))))
    return out


def authenticate(header: str | None, tokens) -> Principal | None:
    """The principal of an ``Authorization: Bearer <token>`` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    digest = token_digest(header[len("Bearer "):].strip())
    found = None
    for known, principal in tokens:  # every entry compared: no early exit on a match
        if hmac.compare_digest(known, digest):
            found = principal
    return found


def write_tokens(path, entries: dict[str, tuple[str, str]]) -> None:
    """Write a token file for ``{token: (name, role)}`` (the demo's and the tests')."""
    rows = [{"name": name, "role": role, "sha256": token_digest(token)}
            for token, (name, role) in entries.items()]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(OmegaConf.to_yaml(rows))
