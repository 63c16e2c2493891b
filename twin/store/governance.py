"""What of a squad may appear in a cube: each athlete's governance policy applied.

The policies are those of calibration (``conf/governance/*.yaml``,
:mod:`calibration.governance`), chosen by each athlete's ``jurisdiction``. In the cube the
athlete coordinate is the policy's public id (a keyed HMAC pseudonym under an EU policy,
the id itself under an open one), and the resolved config recorded in the cube's
attributes carries public ids and none of the fields the policy drops (``name``,
``date_of_birth``). The engine's random streams and prior draws are keyed by the public
ids too, and the plan shipped to Ray workers carries public ids and no names
(:func:`public_squad`); the environment variables that hold pseudonymisation keys
(:func:`secret_env_names`) are kept out of the Ray processes a run starts. A squad
calibration file is keyed by the same public ids.
"""

from __future__ import annotations

import dataclasses

from omegaconf import OmegaConf

from calibration import load_policies, policy_for
from scenarios import ConfigError
from twin.apps.config import CONF_DIR

GOVERNANCE_DIR = CONF_DIR / "governance"


def public_squad(squad, ids):
    """The squad with its ids replaced by the public ``ids`` and its names removed (what
    may leave the driver)."""
    return dataclasses.replace(squad, ids=tuple(ids), names=(None,) * len(ids))


def secret_env_names(directory=GOVERNANCE_DIR) -> set[str]:
    """Environment variables the policies read their pseudonymisation keys from."""
    return {p.key_env for p in load_policies(directory).values() if p.key_env}


def public_ids(squad, directory=GOVERNANCE_DIR) -> tuple[str, ...]:
    """Each athlete's id as its policy lets it out (errors name the athlete's key)."""
    policies = load_policies(directory)
    out = []
    for i, (aid, where) in enumerate(zip(squad.ids, squad.jurisdiction, strict=True)):
        try:
            policy = policy_for(where, policies, where=f"athletes.athletes[{i}].jurisdiction: ")
            out.append(policy.public_id(aid))
        except ValueError as exc:  # no policy for it, or no pseudonymisation key
            raise ConfigError(str(exc)) from None
    return tuple(out)


def public_config(cfg, squad, ids, directory=GOVERNANCE_DIR) -> str:
    """The resolved config as YAML, with public ids and without dropped fields."""
    policies = load_policies(directory)
    data = OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)
    for i, athlete in enumerate(data["athletes"]["athletes"]):
        policy = policy_for(squad.jurisdiction[i], policies)
        athlete["id"] = ids[i]
        for field in policy.drop:
            athlete.pop(field, None)
    return OmegaConf.to_yaml(data)
