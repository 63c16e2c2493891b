r"""The twin's day step: the physiology day models coupled into one compiled kernel.

Every component is the model's own ``prepare``/``step`` from :mod:`physiology`, declared
here as a helper (compiled by Numba, rebound by JAX); this module holds only the
couplings. One day :math:`t` of one series (athlete, scenario point, draw):

1. **Exposure** (:mod:`physiology.injury`): the hours at risk, planned training and
   match minutes times the load factor the athlete can do today (0 while out, ramping back
   after a return), and the day's injury probability :math:`p_t` from them, the days
   since the previous match played (congestion), the days since the last return to play,
   and the optional features carried into the day (tissue damage :math:`D_{t-1}`, ACWR
   :math:`A_{t-1}`, excess fatigue :math:`\max(F_{t-1}/F_{hab} - 1, 0)`, sleep debt, the
   planned match's W' depletion); then the Monte-Carlo event step: injured or not, days
   out, and the return-to-play load factor :math:`\ell_t`.
2. **Load done**: :math:`w_t = \ell_t w^{plan}_t`, tissue dose
   :math:`u_t = \ell_t \sum_b c_b r_{t,b}` (running metres per speed band times the
   athlete's dose per metre, :func:`physiology.tissue.daily_dose`), minutes played
   :math:`\ell_t M_t`, W' depletion :math:`a_t W_t` (0 unless available).
3. **Responses**: fitness-fatigue (Banister or Busso, next-day convention: the day's
   performance, fitness and fatigue are those the athlete brings into the day, before its
   own load, so a match is played on the fatigue of the days before it) on :math:`w_t`;
   the coupled EWMA
   ACWR :math:`A_t = ATL_t / CTL_t` (acute 7 d, chronic 28 d, Williams et al. 2017;
   NaN while CTL is 0); tissue damage on :math:`u_t`. The injury probability reported
   is :math:`p_t` on days a new injury was possible, 0 while the athlete is already out.
4. **Performance** (% of the athlete's habitual level :math:`P_{hab}`):

   .. math::

       \mathrm{perf}_t = 100 \frac{p_t}{P_{hab}} \frac{T(b_t)}{T(b_{ref})}
           \Big(1 - \min\big(s \max(I_t, 0),\ s_{max}\big)\Big)(1 - M_t),
       \qquad T(b) = 1 - \frac{a_{tod}}{2}\Big(1 - \cos\frac{2\pi (b - b_{peak})}{24}\Big)

   with :math:`p_t` the fitness-fatigue output; :math:`T` the time-of-day curve of
   physical performance on the body clock, :math:`b_t` the body-clock hour at the day's
   reference time (kickoff on match days, the fixtures' kickoff time of day otherwise),
   peaking at :math:`b_{peak}` with peak-to-trough amplitude :math:`a_{tod}`, relative
   to its value at the habitual kickoff :math:`b_{ref}` (so an entrained athlete at the
   usual kickoff is at 100 %, an evening kickoff above, a body-clock night below);
   :math:`I_t` the sleep impairment, the unified model of performance's homeostat above
   the athlete's habitual level (lapses, :mod:`twin.model.clock`), with loss :math:`s`
   per lapse, the meta-analysed loss after a restricted night :math:`s_{max}` divided by
   that night's impairment, and capped at :math:`s_{max}`; and :math:`M_t` the residual
   fatigue of recent matches, the muscle damage a match leaves for 72 h and more, which
   the days-long systemic fatigue of the fitness-fatigue model does not resolve:
   :math:`M_{t+1} = e^{-1/\tau_m} M_t + m_{24} \min_t / 90` with :math:`\min_t` the
   minutes played (:class:`twin.CouplingParams`).
"""

from __future__ import annotations

from typing import NamedTuple

from physiology.fitness_fatigue import MODELS
from physiology.injury import EVENTS_KERNEL as EVENTS
from physiology.injury import HAZARD_KERNEL as HAZARD
from physiology.injury import excess
from physiology.kernels import Kernel, helper, ops
from physiology.load import EWMA_KERNEL as EWMA
from physiology.tissue import TISSUE_KERNEL as TISSUE

BANISTER, BUSSO = MODELS["banister"].kernel, MODELS["busso"].kernel
# Each component's own prepare and step, compiled into the day kernel as helpers.
_banister_prepare = helper(BANISTER.prepare)
_banister_step = helper(BANISTER.step)
_busso_prepare = helper(BUSSO.prepare)
_busso_step = helper(BUSSO.step)
_ewma_prepare = helper(EWMA.prepare)
_ewma_step = helper(EWMA.step)
_tissue_prepare = helper(TISSUE.prepare)
_tissue_step = helper(TISSUE.step)
_hazard_step = helper(HAZARD.step)
_events_step = helper(EVENTS.step)
_excess = excess  # already a helper (physiology.injury)
# The components' input types, as kernel code constructs them (globals, not attributes).
FFInputs = BANISTER.Inputs  # the fitness-fatigue models' input: the load done (AU)
EwmaInputs = EWMA.Inputs
TissueInputs = TISSUE.Inputs
HazardInputs = HAZARD.Inputs
EventInputs = EVENTS.Inputs


class Coupling(NamedTuple):
    """The twin's own coefficients (:class:`twin.CouplingParams`, :func:`twin.engine.plan`)."""

    dose_walk_jog: float  # unadapted tissue dose per metre in each speed band (1/d per m)
    dose_running: float
    dose_hsr: float
    dose_sprint: float
    fatigue_habitual: float  # fitness-fatigue units, F_hab
    perf_habitual: float  # fitness-fatigue units, P_hab
    tod_amplitude: float  # 1, a_tod
    tod_peak_h: float  # h body clock, b_peak
    tod_reference_h: float  # h body clock, b_ref
    sleep_loss_per_lapse: float  # 1/lapse, s
    sleep_loss_max: float  # 1, s_max
    match_fatigue_24h: float  # 1, m_24
    match_fatigue_decay: float  # 1, exp(-1 / tau_m) per day


class BanisterDayParams(NamedTuple):
    """Parameters of the Banister day kernel: each component model's own, then the twin's."""

    ff: BANISTER.Params
    ewma: EWMA.Params
    tissue: TISSUE.Params
    hazard: HAZARD.Params
    events: EVENTS.Params
    coupling: Coupling


class BussoDayParams(NamedTuple):
    """Parameters of the Busso day kernel (as :class:`BanisterDayParams`)."""

    ff: BUSSO.Params
    ewma: EWMA.Params
    tissue: TISSUE.Params
    hazard: HAZARD.Params
    events: EVENTS.Params
    coupling: Coupling


class BanisterDayState(NamedTuple):
    """What a day carries to the next: each component's state, and the fatigue brought
    into the day (the hazard's fatigue feature)."""

    ff: BANISTER.State
    ewma: EWMA.State
    tissue: TISSUE.State
    events: EVENTS.State
    fatigue_prev: float
    since_match: float  # d since the last match played (0 on its day)
    match_fatigue: float  # residual match fatigue carried into the day, fraction M


class BussoDayState(NamedTuple):
    """As :class:`BanisterDayState`, with the Busso state."""

    ff: BUSSO.State
    ewma: EWMA.State
    tissue: TISSUE.State
    events: EVENTS.State
    fatigue_prev: float
    since_match: float
    match_fatigue: float


class DayConsts(NamedTuple):
    """Each component's prepared constants (``ff`` the fitness-fatigue model's)."""

    ff: tuple
    ewma: EWMA.Params
    tissue: tuple
    hazard: HAZARD.Params
    events: EVENTS.Params
    coupling: Coupling
    tod_reference: float  # T(b_ref), the time-of-day curve at the habitual kickoff


class DayInputs(NamedTuple):
    """One day of one series, as the engine feeds it (units in
    :data:`twin.model.variables.INPUTS`)."""

    load_plan: float
    run_walk_jog_m: float
    run_running_m: float
    run_hsr_m: float
    run_sprint_m: float
    minutes_plan: float
    training_minutes_plan: float
    w_prime_plan: float
    body_clock_h: float
    sleep_debt_h: float
    sleep_impairment_lapses: float
    u_injury: float
    days_out_if_injured: float
    injury_type_if_injured: float


class DayOutputs(NamedTuple):
    """The day's outputs, the cube's daily variables (:data:`twin.model.variables.DAILY`)."""

    performance: float
    fitness: float
    fatigue: float
    acwr: float
    w_prime_depletion: float
    tissue_damage: float
    injury_probability: float
    available: float
    minutes_played: float
    load_done: float
    exposure_h: float


@helper
def time_of_day(body_h, amplitude, peak_h):
    """The time-of-day curve T(b) of physical performance at body-clock hour ``body_h``
    (module docstring): 1 at ``peak_h``, 1 - ``amplitude`` twelve hours away."""
    phase = 2.0 * ops.pi * (body_h - peak_h) / 24.0
    return 1.0 - 0.5 * amplitude * (1.0 - ops.cos(phase))


@helper
def _exposure(s, u, c):
    """Hours at risk, injury probability and event step: (events state, probability,
    event outputs, hours at risk)."""
    free = ops.where(s.events.days_out < 0.5, 1.0, 0.0)
    able = free * ops.minimum((s.events.since_return + 1.0) / c.events.ramp_days, 1.0)
    training_h = able * u.training_minutes_plan / 60.0
    match_h = able * u.minutes_plan / 60.0
    acwr = s.ewma.atl / s.ewma.ctl  # NaN or inf while CTL is 0: the hazard step ignores it
    tired = _excess(s.fatigue_prev, c.coupling.fatigue_habitual)  # fraction above habitual
    _, hz = _hazard_step((), HazardInputs(training_h, match_h, s.since_match + 1.0,
                                          s.events.since_return, s.tissue.damage, acwr,
                                          tired, u.sleep_debt_h, u.w_prime_plan), c.hazard)
    ev_s, ev = _events_step(s.events, EventInputs(hz.probability, u.u_injury,
                                                  u.days_out_if_injured,
                                                  u.injury_type_if_injured), c.events)
    return ev_s, hz.probability, ev, training_h + match_h


@helper
def _respond(s, u, c, ev_s, prob, ev, hours, ff, w):
    """EWMA, tissue and performance after the fitness-fatigue step (``ff`` its outputs);
    returns the non-fitness-fatigue part of the state and the day's outputs."""
    ewma_s, _ = _ewma_step(s.ewma, EwmaInputs(w), c.ewma)
    k = c.coupling
    dose = ev.load_factor * (k.dose_walk_jog * u.run_walk_jog_m
                             + k.dose_running * u.run_running_m
                             + k.dose_hsr * u.run_hsr_m + k.dose_sprint * u.run_sprint_m)
    tissue_s, ti = _tissue_step(s.tissue, TissueInputs(dose), c.tissue)
    clock = time_of_day(u.body_clock_h, k.tod_amplitude, k.tod_peak_h) / c.tod_reference
    impaired = ops.maximum(u.sleep_impairment_lapses, 0.0)
    rested = 1.0 - ops.minimum(k.sleep_loss_per_lapse * impaired, k.sleep_loss_max)
    free = ev.injured + ev.available  # not already out: a new injury was possible today
    minutes = ev.load_factor * u.minutes_plan
    since_match = ops.where(minutes > 0.0, 0.0, s.since_match + 1.0)
    match_fatigue = k.match_fatigue_decay * s.match_fatigue + k.match_fatigue_24h * minutes / 90.0
    y = DayOutputs(100.0 * ff.performance / k.perf_habitual * clock * rested
                   * (1.0 - s.match_fatigue),
                   100.0 * ff.fitness / k.perf_habitual, 100.0 * ff.fatigue / k.perf_habitual,
                   ewma_s.atl / ewma_s.ctl, ev.available * u.w_prime_plan, ti.damage,
                   free * prob, ev.available, minutes, w, free * hours)
    return (ewma_s, tissue_s, ev_s, ff.fatigue, since_match, match_fatigue), y


@helper
def _tod_reference(p):
    """T(b_ref), once per series (a constant of the day step)."""
    k = p.coupling
    return time_of_day(k.tod_reference_h, k.tod_amplitude, k.tod_peak_h)


def prepare_banister(p, s0):
    ff_c, ff_s = _banister_prepare(p.ff, s0.ff)
    ewma_c, ewma_s = _ewma_prepare(p.ewma, s0.ewma)
    tissue_c, tissue_s = _tissue_prepare(p.tissue, s0.tissue)
    c = DayConsts(ff_c, ewma_c, tissue_c, p.hazard, p.events, p.coupling, _tod_reference(p))
    return c, BanisterDayState(ff_s, ewma_s, tissue_s, s0.events, s0.fatigue_prev,
                              s0.since_match, s0.match_fatigue)


def step_banister(s, u, c):
    ev_s, prob, ev, hours = _exposure(s, u, c)
    w = ev.load_factor * u.load_plan
    ff_s, ff = _banister_step(s.ff, FFInputs(w), c.ff)
    (ewma, tissue, events, fatigue_prev, since_match, match_fatigue), y = _respond(
        s, u, c, ev_s, prob, ev, hours, ff, w)
    return BanisterDayState(ff_s, ewma, tissue, events, fatigue_prev, since_match,
                            match_fatigue), y


def prepare_busso(p, s0):
    ff_c, ff_s = _busso_prepare(p.ff, s0.ff)
    ewma_c, ewma_s = _ewma_prepare(p.ewma, s0.ewma)
    tissue_c, tissue_s = _tissue_prepare(p.tissue, s0.tissue)
    c = DayConsts(ff_c, ewma_c, tissue_c, p.hazard, p.events, p.coupling, _tod_reference(p))
    return c, BussoDayState(ff_s, ewma_s, tissue_s, s0.events, s0.fatigue_prev,
                           s0.since_match, s0.match_fatigue)


def step_busso(s, u, c):
    ev_s, prob, ev, hours = _exposure(s, u, c)
    w = ev.load_factor * u.load_plan
    ff_s, ff = _busso_step(s.ff, FFInputs(w), c.ff)
    (ewma, tissue, events, fatigue_prev, since_match, match_fatigue), y = _respond(
        s, u, c, ev_s, prob, ev, hours, ff, w)
    return BussoDayState(ff_s, ewma, tissue, events, fatigue_prev, since_match,
                         match_fatigue), y


KERNELS = {
    "banister": Kernel(name="twin_day_banister", prepare=prepare_banister, step=step_banister,
                       Params=BanisterDayParams, State=BanisterDayState, Inputs=DayInputs,
                       Outputs=DayOutputs),
    "busso": Kernel(name="twin_day_busso", prepare=prepare_busso, step=step_busso,
                    Params=BussoDayParams, State=BussoDayState, Inputs=DayInputs,
                    Outputs=DayOutputs),
}
