"""The twin's own parameters: the couplings between models, and the priors of an athlete.

Every field carries units, default, plausible bounds and a source (a citation or a
labelled assumption), like the models' records; ``docs/model.md`` is generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from physiology.params import ParamRecord, param

_WILLIAMS = "Williams et al. 2017 (EWMA ACWR, acute 7 d, chronic 28 d)"


@dataclass(frozen=True)
class CouplingParams(ParamRecord):
    """How the models meet in the twin (see :mod:`twin.model.day_kernel`)."""

    tod_amplitude: float = param(
        0.05, units="1", bounds=(0.0, 0.2), domain="[0, 1]",
        source="Drust et al. 2005 (Chronobiol Int 22:21): time-of-day variation of 3-8 % "
               "in sprint, power and strength; assumption: 5 % peak to trough, with the "
               "peak at the habitual kickoff time",
        description="performance lost at 12 h circadian misalignment a_tod")
    sleep_loss_per_h: float = param(
        0.01, units="1/h", bounds=(0.0, 0.1), domain="[0, 1]",
        source="assumption: 1 % per hour of sleep debt, within the small-to-moderate "
               "losses after partial sleep loss reviewed by Fullagar et al. 2015 (Sports "
               "Med 45:161)",
        description="performance lost per hour of sleep debt s")
    match_fatigue_24h: float = param(
        0.03, units="1", bounds=(0.0, 0.1), domain="[0, 1)",
        source="Silva et al. 2018 (Sports Med 48:539), meta-analysis of match-related "
               "fatigue: physical performance 2-4 % below baseline after a match; 3 % the "
               "day after a full match (0 unless a match was played)",
        description="performance lost the day after a 90-min match m_24")
    match_recovery_days: float = param(
        1.82, units="d", bounds=(1.0, 4.0), domain="(0, inf)",
        source="Nedelec et al. 2012 (Sports Med 42:997): more than 72 h to regain pre-match "
               "physical performance; assumption: 1 % still lost at 72 h, an exponential "
               "recovery from 3 % at 24 h (tau = 2 / ln 3 d)",
        description="time constant of recovery from a match tau_m")
    acwr_acute_days: float = param(7.0, units="d", bounds=(3.0, 14.0), domain="[1, inf)",
                                   source=_WILLIAMS, description="acute EWMA span")
    acwr_chronic_days: float = param(28.0, units="d", bounds=(14.0, 60.0), domain="[1, inf)",
                                     source=_WILLIAMS, description="chronic EWMA span")
    ramp_days: float = param(
        14.0, units="d", bounds=(1.0, 60.0), domain="(0, inf)",
        source="assumption: a graded two-week return to full load (physiology.injury)",
        description="return-to-play ramp")
    sleep_recovery_days: float = param(
        4.0, units="d", bounds=(1.0, 14.0), domain="(0, inf)",
        source="assumption: sleep debt fades over several nights of habitual sleep "
               "(Banks et al. 2010, Sleep 33:1013; Kitamura et al. 2016, Sci Rep "
               "6:35812); with the hazard's sleep option on, its per-hour coefficient is "
               "rescaled so a steady 1-h nightly shortfall keeps its relative risk",
        description="time constant of sleep-debt fading")
    efforts_per_90: float = param(
        75.0, units="1", bounds=(10.0, 200.0), domain="[0, inf)",
        source="Bradley et al. 2009: a mean of 72 s between very-high-intensity running "
               "bouts, so about 75 bouts in 90 min",
        description="high-intensity efforts in a standard 90-min match")
    effort_ratio: float = param(
        1.56, units="1", bounds=(1.05, 3.0), domain="(1, inf)",
        source="assumption: very-high-intensity running (19.8-25.2 km/h, mid 6.25 m/s) "
               "over a critical speed of 4.0 m/s",
        description="effort speed as a multiple of critical speed")
    effort_s: float = param(
        2.0, units="s", bounds=(1.0, 10.0), domain="(0, inf)",
        source="Bradley et al. 2009: 905 m of very-high-intensity running in about 75 "
               "bouts, 12 m each at 6.25 m/s",
        description="duration of one effort")
    background_ratio: float = param(
        0.47, units="1", bounds=(0.1, 0.9), domain="[0, 1)",
        source="Bradley et al. 2009: the other 9.8 km of a match in 5 250 s, 1.87 m/s, "
               "over a critical speed of 4.0 m/s",
        description="speed between efforts as a fraction of critical speed")


@dataclass(frozen=True)
class AthletePriors(ParamRecord):
    """Population priors of an athlete's parameters, used when no calibration file gives
    them: lognormal with the median and coefficient of variation below."""

    tau1: float = param(42.0, units="d", bounds=(10.0, 90.0), domain="(0, inf)",
                        source="Allen & Coggan 2010: the PMC's 42-d fitness time constant, "
                               "as commonly used with team-sport session-RPE",
                        description="median fitness time constant")
    tau2: float = param(7.0, units="d", bounds=(2.0, 30.0), domain="(0, inf)",
                        source="Allen & Coggan 2010: the PMC's 7-d fatigue time constant",
                        description="median fatigue time constant")
    k_ratio: float = param(2.0, units="1", bounds=(1.0, 5.0), domain="(0, inf)",
                           source="Clarke & Skiba 2013: k2/k1 = 2 in their worked example",
                           description="median fatigue-to-fitness gain ratio k2/k1")
    gain_pct: float = param(10.0, units="%", bounds=(1.0, 50.0), domain="(0, inf)",
                            source="assumption: the habitual load holds performance 10 % "
                                   "above the untrained baseline p0 (sets k1)",
                            description="median habitual training effect")
    tau3: float = param(4.0, units="d", bounds=(0.5, 30.0), domain="(0, inf)",
                        source="Busso 2003 (illustrative few days); k3 is set so that the "
                               "habitual load gives the Banister k2",
                        description="Busso k2-filter time constant")
    cv: float = param(0.2, units="1", bounds=(0.0, 1.0), domain="[0, inf)",
                      source="assumption: fitted fitness-fatigue parameters vary by tens "
                             "of per cent between athletes (Busso 2003; Clarke & Skiba "
                             "2013 show wide confidence regions)",
                      description="coefficient of variation of each prior")
    critical_speed: float = param(4.0, units="m/s", bounds=(3.0, 5.5), domain="(0, inf)",
                                  source="assumption: about 14.4 km/h, the lower bound of "
                                         "high-intensity running in match analysis",
                                  description="critical speed CS (the running CP)")
    d_prime: float = param(200.0, units="m", bounds=(50.0, 500.0), domain="(0, inf)",
                           source="assumption: 150-250 m reported for trained runners and "
                                  "team-sport players",
                           description="distance above CS, D' (the running W')")
