r"""The twin's day step: the physiology day models coupled into one compiled kernel.

Every component is the model's own ``prepare``/``step`` from :mod:`physiology`, declared
here as a helper (compiled by Numba, rebound by JAX); this module holds only the
couplings. One day :math:`t` of one series (athlete, scenario point, draw):

1. **Exposure** (:mod:`physiology.injury`): the day's injury probability :math:`p_t`
   from the state carried into the day (tissue damage :math:`D_{t-1}`, ACWR
   :math:`A_{t-1}`, excess fatigue :math:`\max(F_{t-1}/F_{hab} - 1, 0)`), the sleep debt
   carried into the day and the W' depletion of the day's planned match; then the
   Monte-Carlo event step: injured or not, days out, and the return-to-play load factor
   :math:`\ell_t` (0 while out, ramping back after return).
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

       \mathrm{perf}_t = 100 \frac{p_t}{P_{hab}}
           \Big(1 - \frac{a_{tod}}{2}\big(1 - \cos\frac{2\pi m_t}{24}\big)\Big)
           \max(1 - s\,S_t,\ 0)

   with :math:`p_t` the fitness-fatigue output, :math:`m_t` the circadian misalignment
   (h) at the day's reference time (kickoff on match days), :math:`S_t` the sleep debt
   (h), :math:`a_{tod}` the peak-to-trough time-of-day amplitude and :math:`s` the loss
   per hour of debt (:class:`twin.CouplingParams`).
"""

from __future__ import annotations

from physiology._compile import scalar_ops as ops
from physiology._compile.kernel import Kernel
from physiology.fitness_fatigue import _banister, _busso
from physiology.injury import _events, _hazard
from physiology.load import _pmc
from physiology.tissue import _damage

_banister_prepare = ops.helper(_banister.prepare)
_banister_step = ops.helper(_banister.step)
_busso_prepare = ops.helper(_busso.prepare)
_busso_step = ops.helper(_busso.step)
_ewma_prepare = ops.helper(_pmc.prepare)
_ewma_step = ops.helper(_pmc.step)
_tissue_prepare = ops.helper(_damage.prepare)
_tissue_step = ops.helper(_damage.step)
_hazard_step = ops.helper(_hazard.step)
_events_step = ops.helper(_events.step)
_excess = _hazard.excess  # already a helper (physiology.injury)

#: Parameters after the fitness-fatigue ones, in order.
SHARED_PARAMS = ("lam_c", "lam_a", *(f"tissue_{n}" for n in _damage.KERNEL.params),
                 *(f"hazard_{n}" for n in _hazard.KERNEL.params), "ramp_days",
                 "dose_walk_jog", "dose_running", "dose_hsr", "dose_sprint",
                 "fatigue_habitual", "perf_habitual", "tod_amplitude", "sleep_loss_per_h")
SHARED_STATE = ("ctl", "atl", "damage", "chronic_dose", "days_out", "since_return",
                "injury_type", "fatigue_prev")
INPUTS = ("load_plan", "run_walk_jog_m", "run_running_m", "run_hsr_m", "run_sprint_m",
          "minutes_plan", "w_prime_plan", "misalignment_h", "sleep_debt_h", "u_injury",
          "days_out_if_injured", "injury_type_if_injured")
OUTPUTS = ("performance", "fitness", "fatigue", "acwr", "w_prime_depletion",
           "tissue_damage", "injury_probability", "available", "minutes_played", "load")


@ops.helper
def _prepare_shared(p, s0):
    # p and s0 arrive as arrays under Numba and tuples under JAX: unpack by name.
    (lam_c, lam_a, b, n_ref, f_ref, tau_r, tau_a, u_ref, cap_min, cap_max, h0, b_d, a0, b_a,
     b_f, b_s, b_w, ramp, c_walk, c_run, c_hsr, c_sprint, fat_hab, perf_hab, amp, per_h) = p
    ctl, atl, damage, chronic, days_out, since, kind, fat_prev = s0
    ew_c, ew_s = _ewma_prepare((lam_c, lam_a), (ctl, atl))
    ti_c, ti_s = _tissue_prepare((b, n_ref, f_ref, tau_r, tau_a, u_ref, cap_min, cap_max),
                                 (damage, chronic))
    rest = (h0, b_d, a0, b_a, b_f, b_s, b_w, ramp, c_walk, c_run, c_hsr, c_sprint, fat_hab,
            perf_hab, amp, per_h)
    return ew_c + ti_c + rest, ew_s + ti_s + (days_out, since, kind, fat_prev)


@ops.helper
def _exposure(s, u, c):
    """Injury probability and event step: (events state, probability, outputs)."""
    ctl, atl, damage, _chronic, days_out, since, kind, fat_prev = s
    hz_c = c[8:15]
    fat_hab = c[20]
    acwr = atl / ctl  # NaN or inf while CTL is 0: the hazard step ignores it then
    tired = _excess(fat_prev, fat_hab)  # fatigue above habitual, as a fraction of it
    _, (prob,) = _hazard_step((), (damage, acwr, tired, u[8], u[6]), hz_c)
    ev_s, ev_y = _events_step((days_out, since, kind), (prob, u[9], u[10], u[11]), (c[15],))
    return ev_s, prob, ev_y


@ops.helper
def _respond(s, u, c, ev_s, prob, ev_y, perf, fitness, fatigue, w):
    """EWMA, tissue and performance after the fitness-fatigue step."""
    _injured, available, factor, _days_out, _kind = ev_y
    (ctl, atl), _ = _ewma_step(s[0:2], (w,), c[0:2])
    dose = factor * (c[16] * u[1] + c[17] * u[2] + c[18] * u[3] + c[19] * u[4])
    (damage, chronic), ti_y = _tissue_step(s[2:4], (dose,), c[2:8])
    perf_hab, amp, per_h = c[21], c[22], c[23]
    clock = 1.0 - 0.5 * amp * (1.0 - ops.cos(2.0 * ops.pi * u[7] / 24.0))
    rested = ops.maximum(1.0 - per_h * u[8], 0.0)
    free = ev_y[0] + available  # not already out: a new injury was possible today
    y = (100.0 * perf / perf_hab * clock * rested, 100.0 * fitness / perf_hab,
         100.0 * fatigue / perf_hab, atl / ctl, available * u[6], ti_y[0], free * prob,
         available, factor * u[5], w)
    return (ctl, atl, damage, chronic) + ev_s + (fatigue,), y  # noqa: RUF005 - Numba-safe


def prepare_banister(p, s0):
    ff_c, ff_s = _banister_prepare(p[0:6], s0[0:2])
    c, s = _prepare_shared(p[6:], s0[2:])
    return ff_c + c, ff_s + s


def step_banister(s, u, c):
    ev_s, prob, ev_y = _exposure(s[2:], u, c[6:])
    w = ev_y[2] * u[0]
    ff_s, (perf, fitness, fatigue) = _banister_step(s[0:2], (w,), c[0:6])
    rest, y = _respond(s[2:], u, c[6:], ev_s, prob, ev_y, perf, fitness, fatigue, w)
    return ff_s + rest, y


def prepare_busso(p, s0):
    ff_c, ff_s = _busso_prepare(p[0:7], s0[0:3])
    c, s = _prepare_shared(p[7:], s0[3:])
    return ff_c + c, ff_s + s


def step_busso(s, u, c):
    ev_s, prob, ev_y = _exposure(s[3:], u, c[7:])
    w = ev_y[2] * u[0]
    ff_s, (perf, fitness, fatigue, _k2) = _busso_step(s[0:3], (w,), c[0:7])
    rest, y = _respond(s[3:], u, c[7:], ev_s, prob, ev_y, perf, fitness, fatigue, w)
    return ff_s + rest, y


KERNELS = {
    "banister": Kernel(name="twin_day_banister", prepare=prepare_banister, step=step_banister,
                       params=(*_banister.KERNEL.params, *SHARED_PARAMS),
                       state=(*_banister.KERNEL.state, *SHARED_STATE), inputs=INPUTS,
                       outputs=OUTPUTS),
    "busso": Kernel(name="twin_day_busso", prepare=prepare_busso, step=step_busso,
                    params=(*_busso.KERNEL.params, *SHARED_PARAMS),
                    state=(*_busso.KERNEL.state, *SHARED_STATE), inputs=INPUTS,
                    outputs=OUTPUTS),
}
