"""Fault injection for the runners' tests (off unless ``TWIN_CHAOS`` is set).

``TWIN_CHAOS`` holds ``<kind>:<a>_<p>[:<arg>]``, acting when chunk ``(a, p)`` starts:
``raise`` (the chunk raises), ``kill:<a>_<p>:<marker file>`` (the process dies, once:
the marker records it), ``sleep:<a>_<p>:<seconds>`` (the chunk stalls).
"""

from __future__ import annotations

import os
import time

CHAOS = "TWIN_CHAOS"


def inject(spec: str | None, block) -> None:
    if not spec:
        return
    kind, where, *rest = spec.split(":")
    if where != f"{block[0]}_{block[1]}":
        return
    if kind == "raise":
        raise ValueError(f"injected failure in chunk {block}")
    if kind == "kill" and not os.path.exists(rest[0]):
        open(rest[0], "w").close()
        os._exit(1)  # the process dies mid-chunk
    if kind == "sleep":
        time.sleep(float(rest[0]))
