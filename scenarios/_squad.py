"""A squad: the athletes a sweep runs, with the attributes the models need.

Each athlete of ``athletes.athletes`` (:class:`scenarios.schema.AthleteConf`):

- ``id``, ``name``, ``jurisdiction``: who, and the governance policy of the outputs;
- ``body_mass_kg`` [30, 200], ``leg_length_m`` [0.6, 1.3], ``sex``: the spring-mass running
  model's (tissue dose per metre);
- ``sleep.bed``, ``sleep.wake`` (a 4-12 h window, local "HH:MM"): the habitual sleep window,
  where chronotype shows (earlier for morning types); ``sleep.need_h`` [4, 12] h a night
  (default 8.3, Sargent et al. 2021): the need sleep debt is owed against;
- ``position`` (optional; ``centre_back``, ``full_back``, ``central_midfielder``,
  ``wide_midfielder``, ``forward``): the match's running per speed band, the position's
  high-intensity running over all players' (Bradley et al. 2009; :data:`HIGH_INTENSITY_M`)
  on the bands above 14.4 km/h; no position: the standard match;
- ``minutes_share`` [0, 1] (default 1): the share of each match's expected minutes the
  athlete plays (a regular starter near 0.9, a substitute 0.05-0.3): match minutes,
  load, running and W' depletion scale with it, and so does the habitual load that sets
  the athlete's prior gains and starting state;
- ``previous_injury`` (optional true/false): a time-loss injury in the previous season,
  the injury-rate ratio of :func:`physiology.injury.athlete_rate_ratio` (Hägglund et al.
  2006, hazard ratio 2.7); not given: the squad average, ratio 1;
- ``age_years`` (optional, [15, 45]): the age term of the same rate ratio, off by
  default (Arnason et al. 2004; ``model.risk_factors.rr_age_per_year``).

Every optional field left out keeps the athlete at the squad average, so a squad that
sets none runs exactly as before (bit for bit). A value out of range fails naming
``athletes.athletes[<i>].<field>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios import _parse
from scenarios._season import BANDS

#: High-intensity running (> 14.4 km/h) in a Premier League match by position, m
#: (Bradley et al. 2009, J Sports Sci 27:159, n = 370 player-matches, 2005-06 season),
#: and over all outfield players: 2 492 m, the running, hsr and sprint bands of the
#: standard match (:class:`scenarios.schema.MatchDefaultsConf`).
HIGH_INTENSITY_M = {"centre_back": 1834.0, "full_back": 2605.0, "central_midfielder": 2825.0,
                    "wide_midfielder": 3138.0, "forward": 2341.0}
ALL_POSITIONS_HIGH_INTENSITY_M = 2492.0


def position_running_ratio(position: str | None) -> np.ndarray:
    """A position's match running per speed band as a multiple of the standard match's,
    ``(bands,)``: its high-intensity running over all players' (Bradley et al. 2009) on the
    bands above 14.4 km/h; 1 on walking and jogging (assumption: the low-speed rest of
    the match at the squad mean; Bradley's total distances differ by position less, a
    few per cent to 8 %, and are not used); all 1 for no position."""
    ratio = np.ones(len(BANDS))
    if position is not None:
        ratio[BANDS.index("running"):] = HIGH_INTENSITY_M[position] / \
            ALL_POSITIONS_HIGH_INTENSITY_M
    return ratio


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
    position: tuple[str | None, ...] = ()  # scenarios.schema.Position names, None: not given
    minutes_share: np.ndarray | None = None  # share of each match's expected minutes
    previous_injury: np.ndarray | None = None  # 1, 0, NaN (not known)
    age_years: np.ndarray | None = None  # NaN: not known

    def __post_init__(self) -> None:
        n = len(self.ids)
        fill = {"position": (None,) * n, "minutes_share": np.ones(n),
                "previous_injury": np.full(n, np.nan), "age_years": np.full(n, np.nan)}
        for name, value in fill.items():  # the squad average where not given
            if getattr(self, name) is None or (name == "position" and not self.position):
                object.__setattr__(self, name, value)

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def match_running_ratio(self) -> np.ndarray:
        """Each athlete's match running per band over the standard match's, ``(A, bands)``
        (:func:`position_running_ratio`)."""
        return np.stack([position_running_ratio(p) for p in self.position])

    @property
    def individual_matches(self) -> bool:
        """Whether any athlete's matches differ from the scenario's (minutes or running):
        then match inputs are per athlete, otherwise per sweep point as before."""
        return bool(np.any(self.minutes_share != 1.0)
                    or any(p is not None for p in self.position))


def build_squad(cfg, key: str = "athletes") -> Squad:
    """Check a squad config (:class:`scenarios.schema.SquadConf`)."""
    if not cfg.athletes:
        raise _parse.fail(f"{key}.athletes", [], "expected at least one athlete")
    ids, seen = [], {}
    mass, leg, bed, wake, need = [], [], [], [], []
    share, prev, age = [], [], []
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
        share.append(_parse.number(f"{k}.minutes_share", a.minutes_share, 0.0, 1.0,
                                   expected="expected a share of each match's expected "
                                            "minutes in [0, 1]"))
        prev.append(np.nan if a.previous_injury is None else float(bool(a.previous_injury)))
        age.append(np.nan if a.age_years is None else _parse.number(
            f"{k}.age_years", a.age_years, 15.0, 45.0,
            expected="expected an age in [15, 45] years"))
    return Squad(
        name=str(cfg.name), home=str(cfg.home), parameters=str(cfg.parameters),
        ids=tuple(ids), names=tuple(a.name for a in cfg.athletes),
        body_mass_kg=np.array(mass), leg_length_m=np.array(leg),
        sex=tuple(_parse.enum_name(a.sex) for a in cfg.athletes),
        bed_h=np.array(bed), wake_h=np.array(wake), need_h=np.array(need),
        jurisdiction=tuple(str(a.jurisdiction) for a in cfg.athletes),
        position=tuple(None if a.position is None else _parse.enum_name(a.position)
                       for a in cfg.athletes),
        minutes_share=np.array(share), previous_injury=np.array(prev),
        age_years=np.array(age))
