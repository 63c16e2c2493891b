"""Governance: what leaves calibration, decided per athlete by a policy in ``conf/governance``.

Each athlete record carries a ``jurisdiction``; the policy whose ``jurisdictions`` list
holds it decides (a jurisdiction no policy names is an error, never a silent default).
A policy (YAML, one per file, the file stem is its name)::

    jurisdictions: [EU, EEA, UK]       # which athlete records it governs
    pseudonymise: true                 # replace athlete_id by a keyed hash
    key_env: TWIN_PSEUDONYM_KEY        # the key: this environment variable ...
    key_file: null                     # ... or this file (first line); never written out
    id_prefix: "anon-"
    drop: [name, date_of_birth]        # direct identifiers removed from every output

The pseudonym is HMAC-SHA256 (RFC 2104; FIPS 198-1) of the athlete id under the key,
truncated to 16 hex digits: stable for one key (so later calibrations line up), not
reversible or linkable without it (GDPR Art. 4(5) pseudonymisation; the key is the
"additional information kept separately").

References:
    Krawczyk H, Bellare M, Canetti R (1997). HMAC: keyed-hashing for message
    authentication. RFC 2104.
    Regulation (EU) 2016/679 (GDPR), Art. 4(5) and Art. 25.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from omegaconf import OmegaConf


@dataclass(frozen=True)
class Policy:
    """One governance policy (module docstring)."""

    name: str
    jurisdictions: tuple[str, ...]
    pseudonymise: bool = False
    key_env: str | None = None
    key_file: str | None = None
    id_prefix: str = "anon-"
    drop: tuple[str, ...] = ()

    def key(self) -> bytes:
        """The pseudonymisation key, from ``key_env`` or else ``key_file``.

        Raises:
            ValueError: neither gives a non-empty key (naming the config keys).
        """
        if self.key_env and os.environ.get(self.key_env):
            return os.environ[self.key_env].encode()
        if self.key_file:
            path = Path(self.key_file).expanduser()
            if path.is_file():
                key = path.read_text().strip()
                if key:
                    return key.encode()
        raise ValueError(f"governance policy {self.name!r} pseudonymises ids but no key: set "
                         f"the environment variable {self.key_env!r} (key_env) or a "
                         f"non-empty key_file ({self.key_file!r})")

    def public_id(self, athlete_id: str, key: bytes | None = None) -> str:
        """The id that may leave calibration under this policy."""
        if not self.pseudonymise:
            return athlete_id
        digest = hmac.new(key if key is not None else self.key(), athlete_id.encode(),
                          hashlib.sha256).hexdigest()
        return self.id_prefix + digest[:16]


_KEYS = {"jurisdictions", "pseudonymise", "key_env", "key_file", "id_prefix", "drop"}


def load_policy(path) -> Policy:
    """Read one policy file; errors name the file and the key."""
    path = Path(path)
    data = OmegaConf.to_container(OmegaConf.load(path)) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of policy keys {sorted(_KEYS)}")
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}; expected {sorted(_KEYS)}")
    if not data.get("jurisdictions"):
        raise ValueError(f"{path}: key 'jurisdictions' must list at least one jurisdiction")
    if data.get("pseudonymise") and not (data.get("key_env") or data.get("key_file")):
        raise ValueError(f"{path}: 'pseudonymise: true' needs 'key_env' or 'key_file'")
    return Policy(name=path.stem, jurisdictions=tuple(map(str, data["jurisdictions"])),
                  pseudonymise=bool(data.get("pseudonymise", False)),
                  key_env=data.get("key_env"), key_file=data.get("key_file"),
                  id_prefix=str(data.get("id_prefix", "anon-")),
                  drop=tuple(map(str, data.get("drop", ()))))


def load_policies(directory) -> dict[str, Policy]:
    """Every ``*.yaml`` policy in ``directory``; a jurisdiction claimed twice is an error."""
    policies = {p.stem: load_policy(p) for p in sorted(Path(directory).glob("*.yaml"))}
    owner: dict[str, str] = {}
    for pol in policies.values():
        for j in pol.jurisdictions:
            if j in owner:
                raise ValueError(f"{directory}: jurisdiction {j!r} is in both {owner[j]!r} "
                                 f"and {pol.name!r}")
            owner[j] = pol.name
    return policies


def policy_for(jurisdiction: str, policies: dict[str, Policy], *, where: str = "") -> Policy:
    """The policy governing ``jurisdiction`` (``ValueError`` naming the record if none)."""
    for pol in policies.values():
        if jurisdiction in pol.jurisdictions:
            return pol
    raise ValueError(f"{where}jurisdiction {jurisdiction!r}: no governance policy lists it "
                     f"(policies: {sorted(policies)})")
