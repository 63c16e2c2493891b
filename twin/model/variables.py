"""Every variable of the twin, declared once: the kernel's inputs, the cube, the summary.

Each row gives a name, the dims it varies over, its units and long name, and (for outputs)
its reduction over the Monte-Carlo draws and whether more is better. From this one table:

- the day kernel's named inputs and outputs are checked against it (a test), and the
  engine broadcasts each input from the dims its source varies over (DESIGN.md
  principle 4: a component declares what it depends on, and is evaluated only there);
- the engine reduces each daily output over draws as its row says;
- the cube's data variables get their dims, ``units`` and ``long_name`` from it;
- the summary's variables, the printed best/worst table and ``docs/model.md`` too.

Adding a variable means adding its row here and computing it where it is computed (a
field of the day kernel's ``DayInputs`` or ``DayOutputs``, a feed of the plan, a result of
:func:`twin.engine.summarise`); tests check that those match the table, and every
description (units, long name, reduction, direction) lives only here.
Dims are named as in the cube: ``athlete``, ``point`` (the sweep's dims in the cube),
``draw`` (``quantile`` in the cube after the reduction), ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios import SPEED_BANDS

#: Reductions over draws: quantiles (the cube's ``quantile`` dim, or every ``draw`` with
#: ``keep_draws``), mean, median, none (the variable does not vary by draw), or draws (kept
#: in each draw: the season outcomes of :data:`SEASON_DRAWS`).
REDUCTIONS = ("quantiles", "mean", "median", "none", "draws")


#: How a reduction over draws reads in CF ``cell_methods`` (CF 1.10 section 7.3). The
#: draw dim is CF's ``realization`` (an ensemble member); CF's methods have no quantile,
#: so quantile variables say ``quantile`` and carry the ``quantile`` coordinate.
CELL_METHOD = {"quantiles": "quantile", "mean": "mean", "median": "median"}


@dataclass(frozen=True)
class Variable:
    """One declared variable (module docstring).

    ``units`` is a UDUNITS string that pint reads too (arbitrary units are ``1``, never
    ``AU``, which pint reads as absorbance units); ``symbol`` is the unit as sports
    scientists write it in a table (``AU``, ``/1000 h``), when that differs.
    ``over_dates`` is the CF cell method of a season outcome over the season's dates
    (``date: sum``), ahead of the reduction over draws.
    """

    name: str
    dims: tuple[str, ...]
    units: str
    long_name: str
    reduce: str = "none"
    better: bool | None = None  # more is better (True), worse (False), neither (None)
    comment: str = ""  # a caveat the output carries (CF ``comment``), e.g. an assumption
    symbol: str = ""
    over_dates: str = ""
    error_of: str = ""  # the outcome whose Monte-Carlo standard error this variable is

    def __post_init__(self) -> None:
        if self.reduce not in REDUCTIONS:
            raise ValueError(f"variable {self.name}: reduce={self.reduce!r}, expected one "
                             f"of {REDUCTIONS}")
        if self.reduce != "none" and "draw" not in self.dims:
            raise ValueError(f"variable {self.name}: reduced over draws but has no draw dim")

    @property
    def shown_units(self) -> str:
        """The unit as printed in tables and figures."""
        return self.symbol or self.units

    @property
    def cell_methods(self) -> str:
        """CF ``cell_methods``: over the season's dates, then over the draws."""
        parts = [self.over_dates] if self.over_dates else []
        if self.reduce in CELL_METHOD:
            parts.append(f"realization: {CELL_METHOD[self.reduce]}")
        return " ".join(parts)

    @property
    def attrs(self) -> dict[str, str]:
        """CF attributes of the cube variable."""
        attrs = {"units": self.units, "long_name": self.long_name}
        if self.cell_methods:
            attrs["cell_methods"] = self.cell_methods
        if self.symbol:
            attrs["units_symbol"] = self.symbol
        if self.comment:
            attrs["comment"] = self.comment
        return attrs


def _table(*rows: Variable) -> dict[str, Variable]:
    return {v.name: v for v in rows}


#: The caveat of outputs the twin's sleep drives (docs/validation.md section 7).
SLEEP_CAVEAT = ("after long-haul travel the two-process sleep model loses more sleep than "
                "travellers' actigraphy shows, so the sleep term (capped at the "
                "meta-analysed -8.59 %, Craven et al. 2022) overstates the loss; its scale "
                "assumes about 4 h in bed in the restriction protocols")
_APD = ("athlete", "point", "draw", "date")
_AP = ("athlete", "point", "date")

#: What the engine feeds the day kernel (``twin.model.day_kernel.DayInputs``), one per day and
#: series; ``dims``: what each may vary over.
INPUTS = _table(
    Variable("load_plan", ("athlete", "point", "date"), "1",
             "planned session-RPE load (training and matches; arbitrary units, CR-10 x "
             "min)", symbol="AU"),
    *(Variable(f"run_{band}_m", ("athlete", "point", "date"), "m",
               f"planned running at {speeds}") for band, speeds, _ in SPEED_BANDS),
    Variable("minutes_plan", ("athlete", "point", "date"), "min",
             "planned match minutes (per athlete when the squad sets minutes shares)"),
    Variable("training_minutes_plan", ("athlete", "point", "date"), "min",
             "planned training session minutes (injury exposure)"),
    Variable("w_prime_plan", _AP, "1", "fraction of D' (W') the planned match would use"),
    Variable("body_clock_h", _AP, "h",
             "body-clock time at the day's reference time (kickoff on match days, the "
             "fixtures' kickoff time of day otherwise): the home hour of the same phase"),
    Variable("sleep_debt_h", _AP, "h",
             "sleep debt against the athlete's need, carried into the day"),
    Variable("sleep_impairment_lapses", _AP, "1", "unified-model homeostat above the athlete's "
             "habitual level at the day's reference time (PVT lapses)"),
    Variable("u_injury", ("athlete", "draw", "date"), "1",
             "uniform draw deciding a new injury (common to every scenario point)"),
    Variable("days_out_if_injured", ("athlete", "draw", "date"), "d",
             "time loss of an injury on that day"),
    Variable("injury_type_if_injured", ("athlete", "draw", "date"), "1",
             "injury type index of an injury on that day"),
)

#: The cube's daily variables: the day kernel's outputs (``twin.model.day_kernel.DayOutputs``),
#: then the draw-free clock features.
DAILY = _table(
    Variable("performance", _APD, "%",
             "expected performance brought into the day, % of the athlete's habitual "
             "level, with circadian and sleep modifiers", "quantiles", True,
             comment=SLEEP_CAVEAT),
    Variable("fitness", _APD, "%", "fitness (positive fitness-fatigue component) brought "
             "into the day, % of habitual level", "quantiles", True),
    Variable("fatigue", _APD, "%", "fatigue (negative fitness-fatigue component) brought "
             "into the day, % of habitual level", "quantiles", False),
    Variable("acwr", _APD, "1", "acute:chronic workload ratio (coupled EWMA, 7 d / 28 d)",
             "quantiles"),
    Variable("w_prime_depletion", _APD, "1", "fraction of D' (W') used in the day's match",
             "quantiles"),
    Variable("tissue_damage", _APD, "1",
             "bone fatigue damage (Miner units, 1 = failure without repair)", "quantiles",
             False),
    Variable("injury_probability", _APD, "1",
             "daily probability of a new injury (0 while already out), mean over draws",
             "mean", False),
    Variable("available", _APD, "1", "share of draws in which the athlete is available",
             "mean", True),
    Variable("minutes_played", _APD, "min", "match minutes played", "quantiles"),
    Variable("load_done", _APD, "1", "session-RPE load done (arbitrary units, CR-10 x min)",
             "quantiles", symbol="AU"),
    Variable("exposure_h", _APD, "h", "hours at risk of injury: training and match "
             "exposure done (0 while out)", "mean"),
    Variable("body_clock", _AP, "h", "body-clock time (home hour of the same phase) at "
             "kickoff on match days, at the fixtures' kickoff time of day otherwise"),
    Variable("circadian_misalignment", _AP, "h", "body clock minus local clock at kickoff "
             "on match days, at the fixtures' kickoff time of day otherwise"),
    Variable("sleep_obtained", _AP, "h", "sleep in the night before the day (12:00 to "
             "12:00 local, naps and flights included)", better=True, comment=SLEEP_CAVEAT),
    Variable("sleep_debt", _AP, "h", "cumulative sleep debt against the athlete's need "
             "over the last 14 nights, carried into the day", better=False),
    Variable("sleep_impairment", _AP, "1", "sleep impairment: the unified model of "
             "performance's homeostat above the athlete's habitual level (PVT lapses)",
             better=False, comment=SLEEP_CAVEAT),
)

_APS = ("athlete", "point", "draw")
#: Season outcomes per athlete and scenario point (:mod:`twin.engine.summary`), then the
#: Monte-Carlo standard error ``<name>_se`` of each that is a mean over draws.
SUMMARY = _table(
    Variable("match_performance", _APS, "%",
             "match-day performance, mean over matches played", "quantiles", True,
             comment=SLEEP_CAVEAT, over_dates="date: mean (matches played)"),
    Variable("injury_risk", _APS, "1", "probability of at least one injury in the season",
             "mean", False, over_dates="date: maximum (of the time-loss indicator)"),
    Variable("expected_injuries", _APS, "1", "expected time-loss injuries in the season",
             "mean", False, over_dates="date: sum"),
    Variable("incidence", _APS, "1/kh", "injuries per 1000 h of exposure (all), "
             "pooled over draws", "mean", False, symbol="/1000 h", over_dates="date: sum"),
    Variable("incidence_match", _APS, "1/kh", "injuries per 1000 h of match play, "
             "pooled over draws", "mean", False, symbol="/1000 h", over_dates="date: sum"),
    Variable("incidence_training", _APS, "1/kh", "injuries per 1000 h of training, "
             "pooled over draws", "mean", False, symbol="/1000 h", over_dates="date: sum"),
    Variable("exposure_hours", _APS, "h", "expected hours of exposure in the season "
             "(training and matches)", "mean", over_dates="date: sum"),
    Variable("days_lost", _APS, "d", "expected days unavailable", "mean", False,
             over_dates="date: sum"),
    Variable("matches_played", _APS, "1", "expected matches available for", "mean", True,
             over_dates="date: sum"),
    Variable("worst_misalignment", ("athlete", "point"), "h",
             "largest absolute circadian misalignment at a kickoff", better=False,
             over_dates="date: maximum (kickoffs)"),
    Variable("kickoff_sleep_debt", ("athlete", "point"), "h",
             "mean sleep debt carried into match days", better=False,
             over_dates="date: mean (match days)"),
    Variable("peak_acwr", _APS, "1", "median over draws of the season's highest ACWR in "
             "training: days with no time loss in the 28 days before (the chronic window)",
             "median", False, over_dates="date: maximum (training days)"),
    Variable("peak_acwr_return", _APS, "1", "median over the draws with an injury of the "
             "highest ACWR in the 28 days after a return to play (the chronic load fell "
             "while out; the spike is the return, not the training plan)", "median",
             over_dates="date: maximum (28 d after a return)"),
    Variable("peak_tissue_damage", _APS, "1",
             "median over draws of the season's highest tissue damage", "median", False,
             over_dates="date: maximum"),
)


def _standard_error(v: Variable) -> Variable:
    """The companion ``<name>_se`` of a summary outcome that is a mean over draws: its
    Monte-Carlo standard error (:func:`twin.engine.summary.summarise` says how each is
    computed), in the outcome's units."""
    return Variable(f"{v.name}_se", ("athlete", "point"), v.units,
                    f"Monte-Carlo standard error over draws of: {v.long_name}",
                    symbol=v.symbol, over_dates=v.over_dates, error_of=v.name)


SUMMARY.update({f"{v.name}_se": _standard_error(v) for v in list(SUMMARY.values())
                if v.reduce == "mean"})


#: What each season outcome is in one draw (the summary reduces these over the draws).
_IN_A_DRAW = {
    "match_performance": "match-day performance, mean over the matches played in the draw",
    "injury_risk": "whether the athlete had a time-loss injury in the season (1) or not (0)",
    "expected_injuries": "expected time-loss injuries in the season, given the draw",
    "exposure_hours": "hours of exposure in the season (training and matches)",
    "days_lost": "days unavailable in the season",
    "matches_played": "matches available for",
    "peak_acwr": "the season's highest ACWR in training (no time loss in the 28 days before)",
    "peak_acwr_return": "the highest ACWR in the 28 days after a return to play (NaN without "
                        "an injury)",
    "peak_tissue_damage": "the season's highest tissue damage",
}
#: Season outcomes in each draw (the store's group ``summary/draws``): kept so that two
#: runs with one seed, which see the same draws, can be compared draw by draw (paired:
#: common random numbers, :mod:`twin.compare`).
SEASON_DRAWS = _table(*(Variable(
    n, _APS, SUMMARY[n].units, _IN_A_DRAW[n], "draws", SUMMARY[n].better,
    comment=SUMMARY[n].comment, symbol=SUMMARY[n].symbol, over_dates=SUMMARY[n].over_dates)
    for n in _IN_A_DRAW))


def table_markdown(variables: dict[str, Variable]) -> str:
    """A Markdown table of variables (for ``docs/model.md``)."""
    lines = ["| variable | dims | units | reduction over draws | better | meaning |",
             "|---|---|---|---|---|---|"]
    for v in variables.values():
        better = {True: "higher", False: "lower", None: ""}[v.better]
        caveat = f" *Caveat: {v.comment}.*" if v.comment else ""
        units = f"{v.units} ({v.symbol})" if v.symbol else v.units
        lines.append(f"| `{v.name}` | {', '.join(v.dims)} | {units} | {v.reduce} | "
                     f"{better} | {v.long_name}{caveat} |")
    return "\n".join(lines)
