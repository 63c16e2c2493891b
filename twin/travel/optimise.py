r"""The optimised travel plan: light and sleep chosen by gradients through the pacemaker.

Controls (:mod:`twin.travel.controls`): per athlete, the share of each 0.5-h block spent
seeking bright light :math:`u^s_j` and avoiding it :math:`u^a_j` (in [0, 1]), and each
night's sleep shift :math:`s_n`. The relaxed model runs the twin's own pieces under JAX:
the light at the eye under the plan (:func:`twin.travel.schedule.planned_light`, the
replay's formula; in bed where the shifted night overlaps each 0.1-h step, as a share)
and the Hannay 2019 pacemaker kernel (:data:`physiology.circadian._hannay19.KERNEL` by
:func:`physiology.kernels.jax_function`, the code the twin integrates; no second copy of
the equations), stepped at 0.5 h on each block's mean light for speed (the reported
numbers come from the twin's 0.1-h step: :mod:`twin.travel.evaluate`; ``substeps``,
:data:`SUBSTEPS`). Body-clock time and misalignment follow the twin's definition
(:mod:`twin.model.clock`), with the
phase-to-hour map of each draw's home day interpolated as
:meth:`physiology.circadian.HomeClock.hour_of` does.

The objective, per athlete, averaged over the pacemaker draws (intrinsic period and light
sensitivity, :mod:`twin.travel.problem`), is the twin's own performance at the kickoffs,
with the twin's own exchange rate for sleep:

.. math::

    J = -\,\overline{100\, T(b_k)} + w_s\, \frac{1}{N}\sum_n \Big(L - \int_{\text{night } n}
        d(t)\, \pi\big(b(t)\big)\, dt\Big) + w_e\, \frac{1}{D}\sum_j (u^s_j + u^a_j)\,
        \Delta_b + w_m\, \overline{m_k^2} + w_d\, \overline{m(t)^2}

- :math:`T(b_k)` the time-of-day curve of physical performance at the body-clock hour
  :math:`b_k` of each kickoff (:func:`twin.model.day_kernel.time_of_day`, the day
  kernel's helper traced by JAX, with :class:`twin.CouplingParams`' amplitude and peak):
  the alignment that matters, the body clock's hour at kickoff against the hour the twin
  says performance peaks; so for an evening kickoff the plan aims the body clock near
  its early-evening peak rather than at the local hour;
- sleep: :math:`d(t)` in bed and dark, :math:`\pi(b) = \frac{1}{2}(1 +
  \cos(2\pi(b - b_{mid})/24))` the body clock's propensity to sleep, highest at the
  habitual mid-sleep :math:`b_{mid}`: an assumption standing in for the two-process
  model, which has no gradient (it switches); the twin's replay reports the sleep the
  two-process model gives (:mod:`twin.apps.travel`). The weight is the twin's coupling
  read per hour: the meta-analysed loss after a restricted night (``sleep_loss_restriction``,
  8.59 %, Craven et al. 2022) over the hours that night lost (habitual :math:`L` minus
  ``sleep_restriction_in_bed_h``), :math:`w_s = 100\, s_{max} / (L - 4)` % per hour,
  times ``sleep_weight`` (default 1);
- effort: hours of light seeking and avoiding a day, :math:`w_e` = ``effort_weight``
  (% per h a day; an assumption, so 0 by default: the request's daily caps bound the
  effort instead). Above 0 it changes the answer more than it should: at 0.1 % per h a
  day the optimiser keeps almost no action (``benchmarks/RESULTS.md``), a local optimum
  of the bounded search rather than a trade-off (the performance it gives up is many
  times the effort it saves);
- :math:`w_m` = ``alignment_weight`` (% per h² of misalignment :math:`m_k` at kickoff,
  default 0) and :math:`w_d` = ``daily_weight`` (re-entrainment itself, for requests
  without kickoffs; default 0): at every block after the first arrival, the distance of
  the misalignment from the destination's entrained one beyond
  :data:`REENTRAINED_H`, squared and weighted by the days since arrival,
  :math:`\overline{(t - t_a)\,\max(|m(t) - m_\infty| - 0.5, 0)^2}`: being out early
  is the jet lag no plan avoids, being out late is not re-entrained (the days to
  re-entrainment are set by the last exit from the band), with :math:`m_\infty` what
  doing nothing settles to over the window's last day (a place's entrained body clock
  is not exactly its clock time: its daylight differs from home's).

L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995, SciPy) on the relaxed controls within their
bounds: shares in [0, 1] where the action is possible (0 elsewhere), and each night's
shift as its step from the night before, within ``max_shift_h`` (a night after a clock
change as its own value within ``max_offset_h``), so the daily limit holds by
construction; the bound on the shift is a penalty here and exact in the returned plan
(:func:`twin.travel.controls.project_shifts`). Three stages, warm-started, raise a
penalty on shares between 0 and 1, :math:`w_b \sum_j u_j (1 - u_j)\,\Delta_b / D` (0, 0.3
and 1 times ``binary_weight``, % per h a day), so the relaxed plan ends at the
all-or-nothing plan a person follows (a half-lit block does more than half a lit one:
the pacemaker's response to light saturates, so rounding a relaxed optimum would lose
it). The plan is then the shares above one half, capped per day, and the shifts on the
0.1-h grid (:func:`twin.travel.controls.to_plan`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physiology.circadian import Hannay19Params
from twin.travel.controls import Allowed, TravelRequest, project_shifts, to_plan
from twin.travel.problem import BLOCK
from twin.travel.schedule import TravelLightParams, TravelPlan, planned_light

#: RK4 steps of the pacemaker per 0.5-h block, by default (``Objective.substeps``). At 1
#: (a 0.5-h step on each block's mean light) the relaxed model's body-clock hour stays
#: within 0.21 h of the twin's 0.1-h step on the protocol's plans (0.14 h at the
#: kickoffs); at 2 within 0.08 h, for twice the time. The squad's tour (light at most
#: 4 h a day) is planned as well at 1; unlimited bright light needs 2 (one 8-h shift
#: re-entrains in 8 days planned at 1, in fewer than the protocol's 6 at 2:
#: ``tests/test_travel_copilot.py``).
SUBSTEPS = 1


@dataclass(frozen=True)
class Objective:
    """Weights of the objective (module docstring) and the optimiser's settings."""

    sleep_weight: float = 1.0
    effort_weight: float = 0.0
    alignment_weight: float = 0.0
    daily_weight: float = 0.0
    kickoff_weight: float = 1.0
    iterations: int = 45
    binary_weight: float = 10.0
    substeps: int = SUBSTEPS


def _kernel_rows(params: Hannay19Params, dt: float) -> np.ndarray:
    """The kernel's parameter rows ``(n_params, B)`` for lanes ``params`` (arrays of
    shape (B,) or scalars), in its leaf order."""
    values = [np.asarray(v, float) for v in params.values()] + [np.asarray(dt, float)]
    lanes = np.broadcast_shapes(*(v.shape for v in values))
    return np.stack([np.broadcast_to(v, lanes) for v in values])


#: Half-width (h) of the band around the destination's entrained misalignment that the
#: re-entrainment term (``daily_weight``) leaves free: inside the 1-h tolerance of
#: :func:`twin.travel.evaluate.reentrainment_days`.
REENTRAINED_H = 0.5


class RelaxedModel:
    """The relaxed objective of one or more athletes, JAX-compiled once (module
    docstring). Lanes are (athlete, draw) pairs, athlete-major."""

    def __init__(self, problem, request: TravelRequest, light: TravelLightParams,
                 objective: Objective, athletes=None, target=None):
        import jax
        import jax.numpy as jnp

        from physiology.circadian._hannay19 import KERNEL
        from physiology.kernels import jax_function, jax_helper
        from twin.model.clock import _wrap
        from twin.model.day_kernel import time_of_day
        from twin.model.params import CouplingParams

        self.problem, self.request, self.objective = problem, request, objective
        athletes = np.arange(len(problem.ids)) if athletes is None else np.asarray(athletes)
        self.athletes = athletes
        p = problem
        lo, hi = p.lo, p.hi
        n = hi - lo
        nb = n // BLOCK
        allowed = Allowed(p, request, light)
        self.allowed = allowed
        n_a, n_d = len(athletes), p.draws.tau.shape[1]
        params = p.draws.params()
        lanes = Hannay19Params(tau=params.tau[athletes].ravel(),
                               i0=params.i0[athletes].ravel())
        dt_block = BLOCK * p.dt
        sub = int(objective.substeps)
        consts = dict(
            tau=p.local_continuous[lo:hi], awake=allowed.awake_lux, bright=allowed.bright,
            seek_ok=allowed.seek.astype(float), avoid_ok=allowed.avoid.astype(float),
            sleep_ok=allowed.sleep.astype(float), settled=allowed.settled.astype(float),
            start=p.night_start[athletes], length=p.sleep_h[athletes],
            rows=_kernel_rows(lanes, dt_block / sub),
            s0=p.state0[athletes].reshape(n_a * n_d, 3).T,
            ref_kick=p.ref_hours[athletes][..., p.kick_steps - lo].reshape(n_a * n_d, -1),
            ref_block=p.ref_hours[athletes][..., ::BLOCK].reshape(n_a * n_d, nb),
            grid=np.stack([p.tables[a][k][0] for a in athletes for k in range(n_d)]),
            hours=np.stack([p.tables[a][k][1] for a in athletes for k in range(n_d)]),
            kick_home=p.kick_home, kick_local=p.kick_local,
            home_block=p.home_local[lo:hi:BLOCK], local_block=p.clock.local_hour[lo:hi:BLOCK],
            after=np.maximum(p.clock.t_h[lo:hi:BLOCK] - float(p.itinerary.arrive_h.min()),
                             0.0) / 24.0,
            mid=(p.bed_h[athletes] + 0.5 * p.sleep_h[athletes]),
            target=np.zeros(n_a * n_d) if target is None else
            np.asarray(target, float)[athletes].reshape(n_a * n_d, 1))
        r = p.kick_steps - lo
        # Kickoffs between the ODE's sub-steps (sub per block): interpolated.
        kick_block, kick_frac = (sub * r) // BLOCK, ((sub * r) % BLOCK) / BLOCK
        transmittance = light.glasses_transmittance
        step = jax_function(KERNEL)
        curve = jax_helper(time_of_day)
        coupling = CouplingParams()
        # % of performance per hour of sleep lost a night: the twin's restriction coupling.
        per_hour = (100.0 * coupling.sleep_loss_restriction
                    / np.maximum(p.sleep_h[athletes] - coupling.sleep_restriction_in_bed_h,
                                 1.0))
        consts["sleep_rate"] = np.repeat(per_hour, n_d)
        w = objective
        n_nights = n * p.dt / 24.0
        n_kick = max(len(r), 1)
        dt = p.dt

        wrap = jax_helper(_wrap)  # the twin's own wrap into (-12, 12]

        def hour_of(psi, grid, hours):
            x = (psi - grid[0]) % (2.0 * jnp.pi) + grid[0]
            return jnp.interp(x, grid, hours) % 24.0

        hour_of_lanes = jax.vmap(jax.vmap(hour_of, (0, None, None)), (0, 0, 0))

        # The nights a step can overlap: with shifts within max_offset_h and windows of
        # L h, night k (the latest to start by the step's time plus the bound) and k - 1.
        bound = float(request.max_offset_h)
        spans = float(np.max(p.sleep_h[athletes])) + 2.0 * bound
        near = np.clip(np.floor((consts["tau"][None] - consts["start"][:, :1] + bound)
                                / 24.0).astype(int), 0, p.night_start.shape[1] - 1)
        pairs = np.stack([near, np.maximum(near - 1, 0)]) if spans < 24.0 else None
        rows_a = np.arange(n_a)[:, None]

        def relaxed(c, seek_b, avoid_b, shifts):
            """Light (A, n) and dark share (A, n) of the relaxed controls."""
            start = c["start"] + shifts
            end = start + c["length"][:, None]
            if pairs is None:  # long windows and bounds: every night
                tau = c["tau"][None, None, :]
                overlap = (jnp.minimum(tau + dt, end[..., None])
                           - jnp.maximum(tau, start[..., None]))
                bed = jnp.clip(overlap, 0.0, dt).sum(axis=1) / dt
            else:
                tau = c["tau"][None]
                bed = 0.0
                for k, cand in enumerate(pairs):
                    part = (jnp.minimum(tau + dt, end[rows_a, cand])
                            - jnp.maximum(tau, start[rows_a, cand]))
                    part = jnp.clip(part, 0.0, dt) / dt
                    bed = bed + (part if k == 0 else part * (cand != pairs[0]))
            bed = jnp.clip(bed, 0.0, 1.0)
            dark = bed * (c["sleep_ok"] + c["settled"])
            seek = jnp.repeat(seek_b, BLOCK, axis=1) * c["seek_ok"] * (1.0 - dark)
            avoid = jnp.repeat(avoid_b, BLOCK, axis=1) * c["avoid_ok"] * (1.0 - dark)
            lux = planned_light(jnp, c["awake"], dark, seek, avoid, c["bright"],
                                transmittance)
            return lux, dark

        def forward(c, seek_b, avoid_b, shifts):
            """Body-clock hours at the kickoffs (B, K) and at each block's start (B, nb),
            and the dark share of each block (A, nb)."""
            lux, dark = relaxed(c, seek_b, avoid_b, shifts)
            # The mean light of each sub-step (the 0.1-h steps split in sub parts).
            lux_s = jnp.repeat(lux, sub, axis=1).reshape(n_a, nb * sub, BLOCK).mean(axis=2)
            dark_b = dark.reshape(n_a, nb, BLOCK).mean(axis=2)
            u = jnp.repeat(lux_s, n_d, axis=0)[None]  # (1, B, nb * sub)
            out, _ = step(u, c["rows"], c["s0"])
            psi_after = out[1]
            psi_before = jnp.concatenate([c["s0"][1][:, None], psi_after[:, :-1]], axis=1)
            psi_k = (psi_before[:, kick_block] + kick_frac
                     * (psi_after[:, kick_block] - psi_before[:, kick_block]))
            mapped = hour_of_lanes(psi_k, c["grid"], c["hours"])
            body_k = (c["kick_home"] + wrap(mapped - c["ref_kick"])) % 24.0
            mapped_b = hour_of_lanes(psi_before[:, ::sub], c["grid"], c["hours"])
            body_b = (c["home_block"] + wrap(mapped_b - c["ref_block"])) % 24.0
            return body_k, body_b, dark_b

        def loss(c, seek_b, avoid_b, shifts):
            body, body_b, dark_b = forward(c, seek_b, avoid_b, shifts)
            total = 0.0
            if len(r):
                mis = wrap(body - c["kick_local"])
                perf = 100.0 * curve(body, coupling.tod_amplitude, coupling.tod_peak_h)
                total = total + (w.alignment_weight * jnp.sum(mis ** 2)
                                 - w.kickoff_weight * jnp.sum(perf)) / n_kick
            if w.daily_weight:
                off = jnp.abs(wrap(body_b - c["local_block"]) - c["target"])
                outside = jnp.maximum(off - REENTRAINED_H, 0.0)
                total = total + w.daily_weight * jnp.sum(
                    c["after"] * outside ** 2) / jnp.sum(c["after"] > 0)
            mid = jnp.repeat(c["mid"], n_d)[:, None]
            propensity = 0.5 * (1.0 + jnp.cos(2.0 * jnp.pi * (body_b - mid) / 24.0))
            slept = jnp.sum(jnp.repeat(dark_b, n_d, axis=0) * propensity, axis=1) * dt_block
            lost = jnp.sum(c["sleep_rate"] * (jnp.repeat(c["length"], n_d) - slept / n_nights))
            effort = jnp.sum(seek_b + avoid_b) * dt_block / n_nights
            return (total + w.sleep_weight * lost) / n_d + w.effort_weight * effort

        self._consts = {k: jnp.asarray(v) for k, v in consts.items()}
        self._value_and_grad = jax.jit(jax.value_and_grad(loss, argnums=(1, 2, 3)))
        self._loss = jax.jit(loss)
        self._forward = jax.jit(forward)
        self.shape = (n_a, nb, p.night_start.shape[1])

    def value_and_grad(self, seek, avoid, shifts):
        from physiology.kernels import x64

        with x64():
            v, g = self._value_and_grad(self._consts, seek, avoid, shifts)
            return float(v), [np.asarray(x) for x in g]

    def body_hours(self, seek, avoid, shifts):
        """The relaxed model's body-clock hours at the kickoffs ``(A, D, K)`` and at
        each block's start ``(A, D, nb)`` (to compare with the twin's step)."""
        from physiology.kernels import x64

        n_a, nb, _ = self.shape
        n_d = self.problem.draws.tau.shape[1]
        with x64():
            k, b, _ = self._forward(self._consts, seek, avoid, shifts)
            return (np.asarray(k).reshape(n_a, n_d, k.shape[-1]),
                    np.asarray(b).reshape(n_a, n_d, nb))

    def value(self, seek, avoid, shifts) -> float:
        from physiology.kernels import x64

        with x64():
            return float(self._loss(self._consts, seek, avoid, shifts))


def _cumulate(steps, change):
    """Night shifts from per-night steps: a night after a clock change takes its own
    value, any other the night before's plus its step (0 before the first)."""
    out = np.empty_like(steps)
    prev = np.zeros(steps.shape[0])
    for k in range(steps.shape[1]):
        prev = steps[:, k] if change[k] else prev + steps[:, k]
        out[:, k] = prev
    return out


def _cumulate_adjoint(grad, change):
    """The gradient with respect to the steps of :func:`_cumulate`."""
    out = np.empty_like(grad)
    carry = np.zeros(grad.shape[0])
    for k in range(grad.shape[1] - 1, -1, -1):
        carry = carry + grad[:, k]
        out[:, k] = carry
        if change[k]:
            carry = np.zeros(grad.shape[0])
    return out


def optimise(problem, request: TravelRequest, light: TravelLightParams | None = None,
             objective: Objective | None = None, *, start=None, athletes=None,
             progress=None) -> tuple[TravelPlan, dict]:
    """The optimised plan of the problem's athletes (``athletes``: indices, default all;
    module docstring): L-BFGS-B on the relaxed controls from ``start`` (block shares and
    shifts ``(A, ...)`` of all athletes, e.g. the rule-based protocol's; default nothing);
    ``iterations`` in all, over the three stages; ``progress(evaluation, objective)`` is
    called after each evaluation. Athletes with the same habitual
    window are one problem (:attr:`twin.travel.problem.TravelProblem.group`). Returns the
    plan and a record of the optimisation (objective per iteration, controls, problems
    solved)."""
    light = light or TravelLightParams()
    objective = objective or Objective()
    # Athletes of one group (the same habitual window) pose the same problem: solved once.
    groups = np.asarray(problem.group)
    if athletes is None:
        athletes = np.arange(len(problem.ids))
    athletes = np.asarray(athletes)
    reps = np.array([athletes[groups[athletes] == g][0] for g in np.unique(groups[athletes])])
    member = np.searchsorted(groups[reps], groups[athletes])
    target = None
    if objective.daily_weight:  # what doing nothing settles to, per athlete and draw
        from twin.travel.evaluate import score
        from twin.travel.rules import nothing_plan

        settled = score(problem, nothing_plan(problem, request, light), light).misalignment
        target = settled[..., -round(24.0 / problem.dt):].mean(axis=-1)
    model = RelaxedModel(problem, request, light, objective, reps, target)
    n_a, nb, n_n = model.shape
    if start is None:
        seek, avoid, shifts = np.zeros((n_a, nb)), np.zeros((n_a, nb)), np.zeros((n_a, n_n))
    else:
        seek, avoid, shifts = (np.array(x, float)[reps] for x in start)
    ok_seek = model.allowed.seek.reshape(-1, BLOCK).all(axis=1)
    ok_avoid = model.allowed.avoid.reshape(-1, BLOCK).all(axis=1)
    shifts = project_shifts(shifts, problem.after_change, request)
    sizes = (n_a * nb, n_a * nb, n_a * n_n)
    change = np.asarray(problem.after_change, bool)
    m_h, bound = float(request.max_shift_h), float(request.max_offset_h)
    per_day = BLOCK * problem.dt / ((problem.hi - problem.lo) * problem.dt / 24.0)
    history, w_b = [], [0.0]

    def split(z):
        a, b = sizes[0], sizes[0] + sizes[1]
        return (z[:a].reshape(n_a, nb), z[a:b].reshape(n_a, nb), z[b:].reshape(n_a, n_n))

    def f(z):
        seek_, avoid_, steps = split(z)
        shifts_ = _cumulate(steps, change)
        value, grads = model.value_and_grad(seek_, avoid_, shifts_)
        g_s, g_a, g_shift = (np.array(g, float) for g in grads)
        over = np.maximum(np.abs(shifts_) - bound, 0.0)  # the bound, as a penalty here
        value += 10.0 * float(np.sum(over ** 2))
        g_shift = g_shift + 20.0 * over * np.sign(shifts_)
        for u, g in ((seek_, g_s), (avoid_, g_a)):
            value += w_b[0] * per_day * float(np.sum(u * (1.0 - u)))
            g += w_b[0] * per_day * (1.0 - 2.0 * u)
        history.append(value)
        if progress is not None:
            progress(len(history), value)
        return value, np.concatenate([g_s.ravel(), g_a.ravel(),
                                      _cumulate_adjoint(g_shift, change).ravel()])

    steps0 = np.where(change, shifts, np.diff(np.c_[np.zeros(n_a), shifts], axis=1))
    z = np.concatenate([np.clip(seek, 0, 1).ravel() * np.tile(ok_seek, n_a),
                        np.clip(avoid, 0, 1).ravel() * np.tile(ok_avoid, n_a),
                        steps0.ravel()])
    box = ([(0.0, float(ok)) for ok in np.tile(ok_seek, n_a)]
           + [(0.0, float(ok)) for ok in np.tile(ok_avoid, n_a)]
           + [(-bound, bound) if c else (-m_h, m_h) for c in np.tile(change, n_a)])
    from scipy.optimize import minimize  # on use: twin-run imports this module, not it

    # Continuation on the penalty for shares between 0 and 1 (module docstring).
    stages = (0.0, 0.3 * objective.binary_weight, objective.binary_weight)
    per_stage = max(objective.iterations // len(stages), 1)
    for weight in stages:
        w_b[0] = weight
        z = minimize(f, z, jac=True, method="L-BFGS-B", bounds=box,
                     options={"maxiter": per_stage, "maxfun": 2 * per_stage}).x
    seek, avoid, steps = split(z)
    best = (history[-1], [seek, avoid, _cumulate(steps, change)])
    seek, avoid, shifts = (v[member] for v in best[1])
    sub = problem._replace(ids=tuple(problem.ids[i] for i in athletes),
                           night_start=problem.night_start[athletes],
                           bed_h=problem.bed_h[athletes], sleep_h=problem.sleep_h[athletes])
    plan = to_plan(sub, "twin", seek, avoid, shifts, request, light)
    return plan, {"objective": np.asarray(history), "controls": (seek, avoid, shifts),
                  "problems": len(reps)}
