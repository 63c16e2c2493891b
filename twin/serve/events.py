"""Events as CloudEvents 1.0 (structured JSON mode) and their signature.

An alert's event id is the alert's id (uuid5 of athlete, rule and day): stable, so a
receiver deduplicates by it. The data carry the athlete's public id only (the governance
policy's pseudonym), the rule, the day and a text without personal data. The body is
signed with HMAC-SHA256 (RFC 2104) under the webhook's secret: header
``X-Twin-Signature: sha256=<hex of HMAC(secret, raw body)>``; the receiver recomputes it
over the raw bytes it got (:func:`verify`).

References:
    CloudEvents Specification 1.0 (CNCF, 2019), and its JSON Event Format;
    https://github.com/cloudevents/spec.
    Krawczyk H, Bellare M, Canetti R (1997). HMAC: keyed-hashing for message
    authentication. RFC 2104.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from cloudevents.v1.conversion import to_structured
from cloudevents.v1.http import CloudEvent

SOURCE = "/athlete-twin/twin-serve"
TYPE_PREFIX = "org.athletetwin."
SIGNATURE_HEADER = "X-Twin-Signature"
_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4a43-9b51-2f1d8e7c0a19")


def alert_id(athlete_id: str, rule: str, day) -> str:
    """Stable id of an athlete's alert of a rule on a day."""
    return str(uuid.uuid5(_NAMESPACE, f"alert/{athlete_id}/{rule}/{day}"))


def plan_event_id(alert: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"plan/{alert}"))


def structured(event_type: str, event_id: str, data: dict, time: str) -> tuple[dict, bytes]:
    """Headers and body of a structured-mode CloudEvent (``application/cloudevents+json``)."""
    event = CloudEvent({"type": TYPE_PREFIX + event_type, "source": SOURCE, "id": event_id,
                        "time": time, "datacontenttype": "application/json"}, data)
    return to_structured(event)


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(sign(secret, body), header)
