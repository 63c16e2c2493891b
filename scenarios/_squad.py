"""A squad: the athletes a sweep runs, with the attributes the models need."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios import _parse


@dataclass(frozen=True)
class Squad:
    """Per-athlete arrays, one entry per athlete, in config order."""

    name: str
    home: str
    parameters: str  # "defaults" or the path of a calibration file
    ids: tuple[str, ...]
    names: tuple[str | None, ...]
    body_mass_kg: np.ndarray
    leg_length_m: np.ndarray
    sex: tuple[str, ...]
    bed_h: np.ndarray
    wake_h: np.ndarray
    need_h: np.ndarray  # sleep need (h a night)
    jurisdiction: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.ids)


def build_squad(cfg, key: str = "athletes") -> Squad:
    """Check a squad config (:class:`scenarios.schema.SquadConf`)."""
    if not cfg.athletes:
        raise _parse.fail(f"{key}.athletes", [], "expected at least one athlete")
    ids, seen = [], {}
    mass, leg, bed, wake, need = [], [], [], [], []
    for i, a in enumerate(cfg.athletes):
        k = f"{key}.athletes[{i}]"
        aid = str(a.id)
        if not aid.strip():
            raise _parse.fail(f"{k}.id", a.id, "expected a non-empty id")
        if aid in seen:
            raise _parse.fail(f"{k}.id", aid, f"duplicate of {key}.athletes[{seen[aid]}].id")
        seen[aid] = i
        ids.append(aid)
        mass.append(_parse.number(f"{k}.body_mass_kg", a.body_mass_kg, 30.0, 200.0))
        leg.append(_parse.number(f"{k}.leg_length_m", a.leg_length_m, 0.6, 1.3))
        b = _parse.clock(f"{k}.sleep.bed", a.sleep.bed)
        w = _parse.clock(f"{k}.sleep.wake", a.sleep.wake)
        length = (w - b) % 24.0
        if not 4.0 <= length <= 12.0:
            raise _parse.fail(f"{k}.sleep", {"bed": a.sleep.bed, "wake": a.sleep.wake},
                              f"a sleep window of {length:g} h; expected 4 to 12 h")
        bed.append(b)
        wake.append(w)
        need.append(_parse.number(f"{k}.sleep.need_h", a.sleep.need_h, 4.0, 12.0,
                                  expected="expected a sleep need in [4, 12] h a night"))
    return Squad(
        name=str(cfg.name), home=str(cfg.home), parameters=str(cfg.parameters),
        ids=tuple(ids), names=tuple(a.name for a in cfg.athletes),
        body_mass_kg=np.array(mass), leg_length_m=np.array(leg),
        sex=tuple(_parse.enum_name(a.sex) for a in cfg.athletes),
        bed_h=np.array(bed), wake_h=np.array(wake), need_h=np.array(need),
        jurisdiction=tuple(str(a.jurisdiction) for a in cfg.athletes))
