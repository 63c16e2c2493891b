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
        0.08, units="1", bounds=(0.03, 0.15), domain="[0, 1]",
        source="Mirizio et al. 2020 (Sci Rep 10:9485), review of short maximal efforts: "
               "+6 to +11 % at 17:00-19:00 against 07:00-09:00 (MVC; Aloui 2013 +8.9 %, "
               "Callard 2000 +6 %, Chtourou 2012 +10.8 %); Knaier et al. 2019 (Front Physiol "
               "10:219) diurnal range of VO2max 8.6 %; 8 % peak to trough",
        description="peak-to-trough time-of-day amplitude of physical performance a_tod")
    tod_peak_h: float = param(
        18.0, units="h", bounds=(16.0, 20.0), domain="[0, 24)",
        source="Mirizio et al. 2020: short maximal efforts peak at 16:00-20:00; Knaier et al. "
               "2022 (Med Sci Sports Exerc 54:169, meta-analysis): power and jump peak "
               "13:00-20:00; Atkinson & Reilly 1996: early evening, near the body-temperature "
               "maximum (times of entrained people, i.e. body-clock hours)",
        description="body-clock hour of peak physical performance b_peak")
    sleep_loss_restriction: float = param(
        0.0859, units="1", bounds=(0.03, 0.15), domain="[0, 1]",
        source="Craven et al. 2022 (Sports Med 52:2669, meta-analysis of 69 studies, 89 % "
               "men): physical performance -8.59 % after a night of sleep restriction "
               "(all outcomes; -5.25 % after total deprivation, so the loss is capped "
               "there rather than growing with the hours lost)",
        description="physical performance lost after a restricted night, the cap s_max")
    sleep_restriction_in_bed_h: float = param(
        4.0, units="h", bounds=(3.0, 5.0), domain="(0, 24)",
        source="assumption: the restriction protocols of Craven et al. 2022 allowed about "
               "4 h in bed (3-5 h)",
        description="hours in bed of the meta-analysed restricted night")
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
        14.0, units="d", bounds=(1.0, 60.0), domain="(0, inf)", plausible=(7.0, 28.0),
        source="assumption: a graded two-week return to full load (physiology.injury); "
               "one to four weeks plausible",
        description="return-to-play ramp")
    sleep_debt_nights: float = param(
        14.0, units="d", bounds=(7.0, 28.0), domain="[1, inf)",
        source="Van Dongen et al. 2003 (Sleep 26:117): cumulative sleep debt over their "
               "14-day restriction protocols; assumption: the ledger remembers 14 nights",
        description="nights of the cumulative sleep-debt ledger")
    efforts_per_90: float = param(
        75.0, units="1", bounds=(10.0, 200.0), domain="[0, inf)",
        source="Bradley et al. 2009: a mean of 72 s between very-high-intensity running "
               "bouts, so about 75 bouts in 90 min",
        description="high-intensity efforts in a standard 90-min match")
    effort_ratio: float = param(
        1.56, units="1", bounds=(1.05, 3.0), domain="(1, inf)", plausible=(1.35, 1.75),
        source="assumption: very-high-intensity running (19.8-25.2 km/h, mid 6.25 m/s) "
               "over a critical speed of 4.0 m/s; the band's ends give 1.35-1.75",
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
                            plausible=(5.0, 20.0),
                            source="assumption: the habitual load holds performance 10 % "
                                   "above the untrained baseline p0 (sets k1); half to "
                                   "twice that plausible",
                            description="median habitual training effect")
    tau3: float = param(4.0, units="d", bounds=(0.5, 30.0), domain="(0, inf)",
                        plausible=(1.0, 10.0),
                        source="assumption: Busso 2003 (illustrative few days; 1-10 d "
                               "plausible); k3 is set so that the habitual load gives the "
                               "Banister k2",
                        description="Busso k2-filter time constant")
    cv: float = param(0.2, units="1", bounds=(0.0, 1.0), domain="[0, inf)",
                      plausible=(0.1, 0.4),
                      source="assumption: fitted fitness-fatigue parameters vary by tens "
                             "of per cent between athletes (Busso 2003; Clarke & Skiba "
                             "2013 show wide confidence regions); 10-40 % plausible",
                      description="coefficient of variation of each prior")
    critical_speed: float = param(4.0, units="m/s", bounds=(3.0, 5.5), domain="(0, inf)",
                                  plausible=(3.5, 4.5),
                                  source="assumption: about 14.4 km/h, the lower bound of "
                                         "high-intensity running in match analysis; "
                                         "12.6-16.2 km/h plausible",
                                  description="critical speed CS (the running CP)")
    d_prime: float = param(200.0, units="m", bounds=(50.0, 500.0), domain="(0, inf)",
                           plausible=(150.0, 250.0),
                           source="assumption: 150-250 m reported for trained runners and "
                                  "team-sport players",
                           description="distance above CS, D' (the running W')")
