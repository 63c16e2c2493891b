r"""From prediction to prescription: each athlete's daily training loads, optimised.

Over a planning window of the season, find the training load :math:`x_d` (session-RPE,
AU) of every training day (match and rest days stay as the calendar has them) that

.. math::

    \max_x \; \mathbb{E}_\theta\Big[\frac{1}{|K|}\sum_{k \in K} \mathrm{perf}_k(x;\theta)\Big]
    \quad \text{s.t.} \quad
    \mathbb{E}_\theta\Big[1 - \prod_{d} \big(1 - p_d(x;\theta)\big)\Big] \le r_{max},\;
    a_{lo} \le \mathrm{ACWR}_d(x) \le a_{hi},\;
    x_{min} \le x_d \le x_{max}

with :math:`K` the key matches of the window (all its matches by default), the expectation
over the athlete's parameter draws :math:`\theta` (calibration file or priors), perf the
twin's match-day performance (fitness-fatigue with circadian and sleep modifiers,
:mod:`twin.model.day_kernel`), :math:`p_d` the twin's smooth daily injury probability (the
hazard, with no sampled injuries), and an optional taper: an upper bound
``taper_fraction * load_max`` on the ``taper_days`` before each key match. The twin's own
day kernel, compiled by JAX (:func:`physiology.kernels.jax_function`), gives
the objective and constraints and their exact gradients; SciPy's SLSQP (Kraft 1988)
solves, with the bounds as bounds (so they hold exactly, and are clipped to make sure) and
the risk and ACWR constraints tightened by a relative ``1e-6`` so the returned plan meets
the requested ones exactly. A request no plan can meet raises :class:`InfeasiblePlan`
naming the constraint.

With the Banister model alone and one key match, the objective is linear in the loads and
the optimum is bang-bang: full load while a day's impulse response
:math:`k_1 e^{-s/\tau_1} - k_2 e^{-s/\tau_2}` at the match (s days before it) is positive,
rest in the last :math:`t_n = \frac{\tau_1\tau_2}{\tau_1-\tau_2}\ln\frac{k_2}{k_1}` days
(the taper of Fitz-Clarke, Morton & Banister 1991); the tests check the optimiser finds it.

References:
    Fitz-Clarke JR, Morton RH, Banister EW (1991). Optimizing athletic performance by
    influence curves. J Appl Physiol 71(3):1151-1158.
    Kraft D (1988). A software package for sequential quadratic programming. DFVLR-FB
    88-28.
    Gabbett TJ (2016). The training-injury prevention paradox. Br J Sports Med 50:273-280.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from physiology.kernels import flatten, run, tree_map, x64
from twin.engine import RUNNING_INPUTS, SRPE, Plan, simulate_block
from twin.model.day_kernel import DayInputs

TIGHTEN = 1e-6


class InfeasiblePlan(ValueError):
    """No plan meets the request; the message names the constraint."""


@dataclass(frozen=True)
class PlanRequest:
    """What staff ask for (units in the names; days are season day indices)."""

    start: int = 0
    days: int = 56
    load_min: float = 0.0
    load_max: float = 900.0
    risk_budget: float = 0.3
    acwr_band: tuple[float, float] = (0.8, 1.5)
    key_matches: tuple[int, ...] = ()
    taper_days: int = 0
    taper_fraction: float = 1.0
    draws: int = 16


@dataclass
class PlanResult:
    """An athlete's optimised window: loads, the template's, and their outcomes."""

    athlete: str
    days: np.ndarray  # season day indices of the window
    load: np.ndarray  # optimised training load (AU), 0 on match and rest days
    template: np.ndarray  # the scenario's training load (AU)
    match: np.ndarray  # match days in the window (bool)
    key: np.ndarray  # key match days (bool)
    performance: np.ndarray  # (draws, days) %, optimised
    template_performance: np.ndarray
    risk: np.ndarray  # (draws,) P(injury in the window), optimised
    template_risk: np.ndarray
    acwr: np.ndarray  # (days,)
    binding: dict = field(default_factory=dict)
    iterations: int = 0

    @property
    def match_performance(self) -> np.ndarray:
        """Mean key-match performance per draw, optimised and template."""
        return (self.performance[:, self.key].mean(axis=1),
                self.template_performance[:, self.key].mean(axis=1))


class _Problem:
    """The window's fixed inputs and the JAX functions of the training loads."""

    def __init__(self, plan: Plan, athlete: int, point: int, req: PlanRequest, state=None):
        d, season = plan.days, plan.season
        if not 0 <= req.start < req.start + req.days <= season.days:
            raise InfeasiblePlan(f"plan.start = {req.start}, plan.days = {req.days}: expected "
                                 f"a window within the season's {season.days} days")
        w = slice(req.start, req.start + req.days)
        self.window = np.arange(req.start, req.start + req.days)
        scenario = (d.match_minutes * d.match_intensity)[point]  # the scenario's matches
        effort = plan.match_effort(athlete)[point]  # the athlete's (minutes share, position)
        self.match = d.match[point, w]
        self.rest = d.rest[point, w]
        self.train = ~self.match & ~self.rest
        match_load = effort * season.match_load_per_min
        match_run = effort[:, None] * plan.match_running_per_min(athlete)
        tmpl_load = d.load[point, :, SRPE] - scenario * season.match_load_per_min
        tmpl_run = d.running_m[point] - scenario[:, None] * season.match_running_per_min
        per_au = tmpl_run.sum(axis=0) / max(tmpl_load.sum(), 1e-12)  # m per AU, by band
        min_per_au = d.training_min[point].sum() / max(tmpl_load.sum(), 1e-12)  # exposure
        self.template = np.where(self.train, tmpl_load[w], 0.0)
        key = np.zeros(req.days, bool)
        for k in req.key_matches or self.window[self.match]:
            if not (req.start <= k < req.start + req.days and d.match[point, k]):
                raise InfeasiblePlan(f"plan.key_matches: day {k} is not a match day of the "
                                     "window")
            key[k - req.start] = True
        if not key.any():
            raise InfeasiblePlan("plan.key_matches: the window holds no match to plan for")
        self.key = key
        n = min(req.draws, plan.draws)
        self.params = tree_map(lambda x: x[athlete, :n], plan.params)
        fixed = _fixed_inputs(plan, athlete, point, w)
        self.state0 = state if state is not None else self._state_at(
            plan, athlete, point, req.start, n, tmpl_load, tmpl_run, match_load, match_run)
        args = (np.stack(flatten(self.params)), np.stack(flatten(self.state0)),
                np.stack([fixed[k] for k in _FIXED]), match_load[w], match_run[w],
                self.train.astype(float), per_au, min_per_au, key / key.sum())
        fns = _compiled(plan.kernel, req.days, n)
        self.outputs = lambda x: fns["outputs"](x, *args)
        self.objective = lambda x: fns["objective"](x, *args)
        self.risk = lambda x: fns["risk"](x, *args)
        self.acwr = lambda x: fns["acwr"](x, *args)
        self.acwr_jac = lambda x: fns["acwr_jac"](x, *args)

    @staticmethod
    def _state_at(plan, athlete, point, start, n, tmpl_load, tmpl_run, match_load, match_run):
        """The state at the window's start: the template to then, with no injuries."""
        state0 = tree_map(lambda x: x[athlete, :n], plan.state0)
        if start == 0:
            return state0
        w = slice(0, start)
        rows = _fixed_inputs(plan, athlete, point, w)
        rows["load_plan"] = tmpl_load[w] + match_load[w]
        rows["training_minutes_plan"] = plan.days.training_min[point, w]
        for b, name in enumerate(RUNNING_INPUTS):
            rows[name] = tmpl_run[w, b] + match_run[w, b]
        _, final = run(plan.kernel, DayInputs(**rows),
                       tree_map(lambda x: x[athlete, :n], plan.params), state0,
                       backend="numba")
        return final


#: The day kernel's inputs that the planned loads do not change, in kernel order (the
#: training minutes, the injury exposure, follow the load at the season's minutes per AU).
_FIXED = tuple(k for k in DayInputs._fields
               if k not in ("load_plan", *RUNNING_INPUTS, "training_minutes_plan"))


def _fixed_inputs(plan: Plan, athlete: int, point: int, w: slice) -> dict[str, np.ndarray]:
    """The window's inputs that do not depend on the training loads (no injuries)."""
    n_d = w.stop - w.start
    return {"minutes_plan": plan.match_minutes(athlete)[point, w],
            "w_prime_plan": plan.w_prime_plan[athlete, point, w],
            "body_clock_h": plan.body_clock[athlete, point, w],
            "sleep_debt_h": plan.sleep_debt[athlete, point, w],
            "sleep_impairment_lapses": plan.sleep_impairment[athlete, point, w],
            "u_injury": np.ones(n_d), "days_out_if_injured": np.ones(n_d),
            "injury_type_if_injured": np.zeros(n_d)}


@functools.cache
def _compiled(kernel, n_days: int, n_draws: int) -> dict:
    """The jitted objective, risk and ACWR of a window, as functions of the loads and the
    athlete's arrays (compiled once per kernel and window size, not per athlete)."""
    import jax
    import jax.numpy as jnp

    from physiology.kernels import jax_function

    f = jax_function(kernel)
    rows_of = {k: i for i, k in enumerate(kernel.outputs)}

    def outputs(x, params, s0, fixed, m_load, m_run, train, per_au, min_per_au, key_w):
        rows = {"load_plan": x * train + m_load,
                **{name: x * train * per_au[b] + m_run[:, b]
                   for b, name in enumerate(RUNNING_INPUTS)},
                "training_minutes_plan": x * train * min_per_au,
                **dict(zip(_FIXED, fixed, strict=True))}
        u = jnp.stack([jnp.broadcast_to(rows[k], (n_draws, n_days)) for k in kernel.inputs])
        out, _ = f(u, params, s0)
        return {k: out[rows_of[k]] for k in ("performance", "acwr", "injury_probability")}

    def objective(x, *args):
        return -jnp.mean(outputs(x, *args)["performance"] @ args[-1])

    def risk(x, *args):
        p = outputs(x, *args)["injury_probability"]
        return jnp.mean(-jnp.expm1(jnp.sum(jnp.log1p(-p), axis=1)))

    def acwr(x, *args):
        return outputs(x, *args)["acwr"][0]

    return {"outputs": jax.jit(outputs), "objective": jax.jit(jax.value_and_grad(objective)),
            "risk": jax.jit(jax.value_and_grad(risk)), "acwr": jax.jit(acwr),
            "acwr_jac": jax.jit(jax.jacrev(acwr))}


def assess(plan: Plan, athlete: int, request: PlanRequest | None = None, *,
           point: int = 0, state=None) -> tuple[np.ndarray, np.ndarray]:
    """The scenario's own training in the window: (risk per draw, key-match performance
    per draw), as :func:`optimise` reports them for its template. ``state``: the day
    kernel's state at the window's start (:func:`window_state`); default the template's
    from the season start."""

    req = request or PlanRequest()
    with x64():
        prob = _Problem(plan, athlete, point, req, state)
        out = {k: np.asarray(v) for k, v in prob.outputs(prob.template).items()}
    risk = 1 - np.prod(1 - out["injury_probability"], axis=1)
    return risk, out["performance"][:, prob.key].mean(axis=1)


def replay_outcomes(plan: Plan, start: int, days: int, point: int = 0) -> tuple[float, float]:
    r"""Monte Carlo over every athlete and draw of ``plan`` (with its injuries): the mean
    performance on the window's match days the athletes played, and the mean over the
    (athlete, draw) series of the probability of an injury in the window along each
    series' path, :math:`1 - \prod_d (1 - p_d)` (the expectation given the path, of
    lower variance than the share of series with an injury); for comparing a replayed plan
    with the template under the same random numbers."""
    out = simulate_block(plan, slice(None), slice(point, point + 1))._asdict()
    w = slice(start, start + days)
    match = plan.days.match[point, w]
    perf = out["performance"][:, 0, :, w][..., match]
    played = out["available"][:, 0, :, w][..., match] > 0.5
    injured = -np.expm1(np.log1p(-out["injury_probability"][:, 0, :, w]).sum(axis=-1))
    return float((perf * played).sum() / played.sum()), float(injured.mean())


def with_filtered_state(plan: Plan, athlete: int, fitness, fatigue) -> Plan:
    """The plan with one athlete's fitness-fatigue state replaced by a filtered one, so
    forecasts and plans start from "today".

    ``fitness`` and ``fatigue`` are the state after today's load
    (:func:`calibration.kalman_filter`), in the performance units of the athlete's
    calibration, so the squad must name that calibration file: floats, or arrays with
    one value per draw. Banister only: per draw,
    the impulse sums become :math:`g = \\text{fitness}/k_1`, :math:`h =
    \\text{fatigue}/k_2`, and the hazard's fatigue feature (the raw fatigue the athlete
    brought into the day before, as the day kernel stores it) becomes
    :math:`\\text{fatigue}\\,e^{-1/\\tau_2}`: exact on a steady history (the kernel's
    own steady state is reproduced), today's fatigue decayed by one day otherwise.
    """
    import dataclasses

    if plan.model != "banister":
        raise ValueError("with_filtered_state: the filtered state is Banister's (fitness, "
                         f"fatigue); model.fitness_fatigue is {plan.model!r}")
    ff = plan.params.ff

    def put(x, value):
        x = x.copy()
        x[athlete] = value
        return x

    s = plan.state0
    g, h, prev = _banister_state(tree_map(lambda x: x[athlete], ff), fitness, fatigue)
    state0 = s._replace(ff=s.ff._replace(g=put(s.ff.g, g), h=put(s.ff.h, h)),
                        fatigue_prev=put(s.fatigue_prev, prev))
    return dataclasses.replace(plan, state0=state0)


def _banister_state(ff, fitness, fatigue):
    """The day kernel's (g, h, fatigue_prev) for a filtered (fitness, fatigue) under
    Banister parameters ``ff`` (:func:`with_filtered_state`'s mapping)."""
    return fitness / ff.k1, fatigue / ff.k2, fatigue * np.exp(-1.0 / ff.tau2)


def window_state(plan: Plan, athlete: int, request: PlanRequest | None = None, *,
                 point: int = 0, fitness=None, fatigue=None):
    """The day kernel's state of one athlete at the start of the request's window, each
    leaf ``(draws,)``: the template to then with no injuries (what :func:`assess` and
    :func:`optimise` start from by default), with the fitness-fatigue state replaced by a
    filtered one when ``fitness`` and ``fatigue`` are given (after the day before the
    window; the mapping of :func:`with_filtered_state`). For forecasts and plans from
    "today" in the middle of a season (the living twin, :mod:`twin.serve`)."""
    req = request or PlanRequest()
    with x64():
        s = _Problem(plan, athlete, point, req).state0
    if fitness is None and fatigue is None:
        return s
    if plan.model != "banister":
        raise ValueError("window_state: the filtered state is Banister's (fitness, fatigue); "
                         f"model.fitness_fatigue is {plan.model!r}")
    n = s.ff.g.shape[0]
    g, h, prev = _banister_state(tree_map(lambda x: x[athlete, :n], plan.params.ff),
                                 fitness, fatigue)
    return s._replace(ff=s.ff._replace(g=g + 0 * s.ff.g, h=h + 0 * s.ff.h),
                      fatigue_prev=prev + 0 * s.fatigue_prev)


def optimise(plan: Plan, athlete: int, request: PlanRequest | None = None, *,
             point: int = 0, state=None) -> PlanResult:
    """The optimised training loads of one athlete (module docstring); ``state`` as for
    :func:`assess` (a plan from "today": :func:`window_state`).

    Raises:
        InfeasiblePlan: naming the constraint (risk budget, ACWR band, load bounds, taper,
            key matches) that no plan in the bounds can meet.
    """

    req = request or PlanRequest()
    if not 0 <= req.load_min <= req.load_max:
        raise InfeasiblePlan(f"plan.load_min = {req.load_min}, plan.load_max = {req.load_max}:"
                             " expected 0 <= load_min <= load_max (AU)")
    if not 0 < req.risk_budget <= 1:
        raise InfeasiblePlan(f"plan.risk_budget = {req.risk_budget}: expected a probability "
                             "in (0, 1]")
    lo_a, hi_a = req.acwr_band
    with x64():
        prob = _Problem(plan, athlete, point, req, state)
        idx = np.flatnonzero(prob.train)
        upper = np.full(req.days, req.load_max)
        if req.taper_days:
            if not 0 <= req.taper_fraction <= 1:
                raise InfeasiblePlan(f"plan.taper_fraction = {req.taper_fraction}: expected "
                                     "a fraction in [0, 1]")
            for k in np.flatnonzero(prob.key):
                upper[max(k - req.taper_days, 0):k] = req.taper_fraction * req.load_max
        lower = np.minimum(np.full(req.days, req.load_min), upper)
        scale = max(req.load_max, 1e-9)  # the solver works in units of load_max
        bounds = list(zip(lower[idx] / scale, upper[idx] / scale, strict=True))

        def full(z):
            x = np.zeros(req.days)
            x[idx] = z * scale
            return x

        floor_risk = float(prob.risk(full(lower[idx] / scale))[0])
        if floor_risk > req.risk_budget:
            raise InfeasiblePlan(
                f"plan.risk_budget = {req.risk_budget}: cannot be met; even every training "
                f"day at its lowest allowed load gives a risk of {floor_risk:.4f} in the window")
        budget = req.risk_budget * (1 - TIGHTEN)
        band = (lo_a + abs(lo_a) * TIGHTEN, hi_a - abs(hi_a) * TIGHTEN)
        constraints = [
            {"type": "ineq", "fun": lambda z: budget - float(prob.risk(full(z))[0]),
             "jac": lambda z: -np.asarray(prob.risk(full(z))[1])[idx] * scale},
            {"type": "ineq", "fun": lambda z: np.asarray(prob.acwr(full(z))) - band[0],
             "jac": lambda z: np.asarray(prob.acwr_jac(full(z)))[:, idx] * scale},
            {"type": "ineq", "fun": lambda z: band[1] - np.asarray(prob.acwr(full(z))),
             "jac": lambda z: -np.asarray(prob.acwr_jac(full(z)))[:, idx] * scale},
        ]

        def fun(z):
            v, g = prob.objective(full(z))
            return float(v), np.asarray(g)[idx] * scale

        z0 = np.clip(prob.template[idx], lower[idx], upper[idx]) / scale
        from scipy.optimize import minimize  # on use: twin-run imports this module, not it

        res = minimize(fun, z0, jac=True, bounds=bounds, constraints=constraints,
                       method="SLSQP", options={"maxiter": 500, "ftol": 1e-9})
        z = np.clip(res.x * scale, lower[idx], upper[idx])
        x = np.zeros(req.days)
        x[idx] = z
        out, tmpl = prob.outputs(x), prob.outputs(prob.template)
        out = {k: np.asarray(v) for k, v in out.items()}
        tmpl = {k: np.asarray(v) for k, v in tmpl.items()}
    risk = 1 - np.prod(1 - out["injury_probability"], axis=1)
    acwr = out["acwr"][0]
    _check(req, risk, acwr, plan.season.dates[prob.window], res)
    binding = _binding(req, risk, acwr, z, lower[idx], upper[idx], prob)
    return PlanResult(
        athlete=plan.public_ids[athlete], days=prob.window, load=x, template=prob.template,
        match=prob.match, key=prob.key, performance=out["performance"],
        template_performance=tmpl["performance"], risk=risk,
        template_risk=1 - np.prod(1 - tmpl["injury_probability"], axis=1), acwr=acwr,
        binding=binding, iterations=int(res.nit))


def _check(req, risk, acwr, dates, res) -> None:
    """The returned plan meets the request exactly, or the request was infeasible: the
    error names every constraint the best plan found still breaks."""
    broken = []
    lo, hi = req.acwr_band
    bad = np.flatnonzero((acwr < lo) | (acwr > hi))
    if bad.size:
        d = bad[0]
        broken.append(f"plan.acwr_band = [{lo}, {hi}]: cannot be met on {dates[d]} (ACWR "
                      f"{acwr[d]:.3f} in the best plan found; the matches, rest days and load "
                      "bounds fix too much of the load)")
    if risk.mean() > req.risk_budget:
        broken.append(f"plan.risk_budget = {req.risk_budget}: cannot be met with the ACWR "
                      f"band and load bounds (best found {risk.mean():.4f})")
    if broken:
        raise InfeasiblePlan("; ".join(broken) + f" [solver: {res.message}]")


def _binding(req, risk, acwr, z, lower, upper, prob) -> dict:
    """Which constraints hold with equality (to 1e-4 relative)."""
    lo, hi = req.acwr_band
    near = 1e-4
    return {
        "risk_budget": bool(risk.mean() >= req.risk_budget * (1 - near)),
        "acwr_low_days": int(np.sum(acwr <= lo * (1 + near))),
        "acwr_high_days": int(np.sum(acwr >= hi * (1 - near))),
        "days_at_load_max": int(np.sum(np.isclose(z, upper) & (upper >= req.load_max))),
        "days_at_load_min": int(np.sum(np.isclose(z, lower))),
        "days_at_taper_cap": int(np.sum(np.isclose(z, upper) & (upper < req.load_max))),
        "training_days": int(prob.train.sum()),
    }
