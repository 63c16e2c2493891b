r"""Monte-Carlo injuries with time loss, and the return to play that limits load.

Each day t an available athlete is injured when the day's uniform :math:`U_t < p_t` (the
daily probability of :func:`~physiology.injury.injury_probability`). An injury of type k
(chosen with the types' shares) keeps the athlete out for
:math:`d = \lceil e^{\mu_k + \sigma_k z} \rceil` days (at least 1), the injury day
included, with z a standard-normal quantile of a second uniform (a lognormal time
loss). Back from an absence, the load the athlete can do ramps linearly from
:math:`1/r` to 1 over r days (``ramp_days``); the twin multiplies the planned load by
this ``load_factor``, and by 0 while the athlete is out.

All random numbers come from :func:`~physiology.injury._random.uniforms` keyed by (seed,
stream, channel, day), so results do not depend on batching. The time-loss quantiles
are drawn on the host (NumPy and SciPy), the daily loop is a kernel compiled twice.

Default types and time loss (:data:`DEFAULT_TYPES`): muscle injuries, 31 % of time-loss
injuries causing 27 % of the days lost (Ekstrand, Hagglund & Walden 2011, Am J Sports Med),
and all others; each a lognormal whose mean gives that share of the days lost at the mean
absence of first injuries in elite football (18 days, Ekstrand et al. 2011, Br J Sports
Med): 15.7 days for muscle injuries and 19.0 days for the others, with sigma 1.0
(assumption: the long right tail of time-loss data; 16-18 % of injuries over 28 days).

References:
    Ekstrand J, Hagglund M, Walden M (2011). Injury incidence and injury patterns in
    professional football: the UEFA injury study. Br J Sports Med 45:553-558,
    doi:10.1136/bjsm.2009.060582.
    Ekstrand J, Hagglund M, Walden M (2011). Epidemiology of muscle injuries in
    professional football (soccer). Am J Sports Med 39:1226-1232,
    doi:10.1177/0363546510395879.
    Fuller CW et al. (2006). Consensus statement on injury definitions and data collection
    procedures in studies of football (soccer) injuries. Br J Sports Med 40:193-201.
    Ekstrand J, Healy JC, Walden M et al. (2012). Hamstring muscle injuries in
    professional football: the correlation of MRI findings with return to play. Br J
    Sports Med 46:112-117, doi:10.1136/bjsports-2011-090155.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.special import ndtri

from physiology import validate
from physiology.injury._random import uniforms
from physiology.kernels import Kernel, ops, run


@dataclass(frozen=True)
class InjuryType:
    """A kind of injury: its share of injuries and lognormal time loss (days)."""

    name: str
    share: float
    median_days: float
    sigma: float
    source: str

    def __post_init__(self) -> None:
        for field, value, low in (("share", self.share, 0.0), ("median_days",
                                  self.median_days, 1e-9), ("sigma", self.sigma, 0.0)):
            validate.in_range(f"InjuryType({self.name!r}).{field}", value, low, np.inf,
                               f"a finite value >= {low:g}")


_MEAN_DAYS, _SIGMA = 18.0, 1.0
_MUSCLE_SHARE, _MUSCLE_DAYS_SHARE = 0.31, 0.27
_MUSCLE_SOURCE = ("Ekstrand, Hagglund & Walden 2011 (Am J Sports Med 39:1226): muscle "
                  "injuries are 31 % of injuries and 27 % of days lost; mean absence 18 d "
                  "for first injuries (Br J Sports Med 45:553); assumption: sigma 1.0")


def _lognormal_type(name: str, share: float, days_share: float) -> InjuryType:
    """A type with ``share`` of injuries and ``days_share`` of days lost, at the overall
    mean absence :data:`_MEAN_DAYS` (lognormal, sigma :data:`_SIGMA`)."""
    mean = _MEAN_DAYS * days_share / share
    return InjuryType(name, share, mean / np.exp(_SIGMA**2 / 2), _SIGMA, _MUSCLE_SOURCE)


DEFAULT_TYPES = (
    _lognormal_type("muscle", _MUSCLE_SHARE, _MUSCLE_DAYS_SHARE),
    _lognormal_type("other", 1.0 - _MUSCLE_SHARE, 1.0 - _MUSCLE_DAYS_SHARE),
)
#: Time-loss severity categories of the consensus (Fuller et al. 2006), in days.
SEVERITY_DAYS = ((1, 3), (4, 7), (8, 28), (29, np.inf))
#: Hamstring strains by MRI grade 0-3 (Ekstrand et al. 2012): shares 13/57/27/3 %, mean
#: lay-off 8, 17, 22 and 73 days; sigma from the reported SDs (sqrt(ln(1 + (SD/mean)^2))).
HAMSTRING_TYPES = tuple(
    InjuryType(f"hamstring grade {g}", share, mean / np.sqrt(1 + (sd / mean) ** 2),
               float(np.sqrt(np.log(1 + (sd / mean) ** 2))),
               "Ekstrand et al. 2012 (lognormal with the reported mean and SD)")
    for g, (share, mean, sd) in enumerate([(0.13, 8, 3), (0.57, 17, 10), (0.27, 22, 11),
                                           (0.03, 73, 60)]))


class Injuries(NamedTuple):
    """Daily Monte-Carlo outcomes, each ``(*batch, T)``.

    ``injured``: 1 on the day of a new injury; ``available``: 1 on days the athlete can
    train; ``load_factor``: fraction of the planned load the athlete can do (0 while out,
    ramping back after return); ``days_out``: days still to miss after this one;
    ``injury_type``: index into the types of the injury in progress (-1 when none).
    ``state``: the state after the last day, shape ``(3, *batch)``, to pass as
    ``state0`` when the next chunk of days is simulated.
    """

    injured: np.ndarray
    available: np.ndarray
    load_factor: np.ndarray
    days_out: np.ndarray
    injury_type: np.ndarray
    state: np.ndarray


class Params(NamedTuple):
    ramp_days: float  # d, return to full load


class State(NamedTuple):
    """Days still out, days since the last return, type index of the injury in progress
    (-1 when none)."""

    days_out: float
    since_return: float
    injury_type: float


#: The state before any injury: not out, long since the last return, no injury type.
FRESH = State(days_out=0.0, since_return=1e9, injury_type=-1.0)


class Inputs(NamedTuple):
    """The day's injury probability, its uniform draw, and the duration (d) and type
    index an injury on that day would have."""

    probability: float
    draw: float
    duration: float
    type: float


class Outputs(NamedTuple):
    injured: float
    available: float
    load_factor: float
    days_out: float
    injury_type: float


def prepare(p, s0):
    return Params(p.ramp_days), State(s0.days_out, s0.since_return, s0.injury_type)


def step(s, u, c):
    free = ops.where(s.days_out < 0.5, 1.0, 0.0)
    injured = free * ops.where(u.draw < u.probability, 1.0, 0.0)
    available = free - injured
    # Days still out after today: a new injury's duration counts today.
    days_out = (injured * (u.duration - 1.0)
                + (1.0 - injured) * ops.maximum(s.days_out - 1.0, 0.0))
    since_return = ops.where(available > 0.5, s.since_return + 1.0, 0.0)
    load_factor = available * ops.minimum(since_return / c.ramp_days, 1.0)
    kind = ops.where(injured > 0.5, u.type, ops.where(available > 0.5, -1.0, s.injury_type))
    return (State(days_out, since_return, kind),
            Outputs(injured, available, load_factor, days_out, kind))


KERNEL = Kernel(name="injury_events", prepare=prepare, step=step, Params=Params, State=State,
                Inputs=Inputs, Outputs=Outputs)


def time_loss_days(u_type, u_days, types=DEFAULT_TYPES) -> tuple[np.ndarray, np.ndarray]:
    """Injury type index and days out (>= 1) from two uniforms each, elementwise."""
    shares = np.array([t.share for t in types], dtype=float)
    if np.any(shares < 0) or not np.isclose(shares.sum(), 1.0):
        raise ValueError(f"types: shares {shares.tolist()} must be >= 0 and sum to 1")
    kind = np.minimum(np.searchsorted(np.cumsum(shares), u_type, side="right"), len(types) - 1)
    mu = np.log([t.median_days for t in types])[kind]
    sigma = np.array([t.sigma for t in types])[kind]
    z = ndtri(np.clip(u_days, 1e-16, 1 - 1e-16))
    # Whole days, rounded up: d <= k exactly when the continuous time loss is <= k.
    return kind, np.maximum(1.0, np.ceil(np.exp(mu + sigma * z)))


def simulate_injuries(probability, seed: int, stream=None, *, types=DEFAULT_TYPES,
                      ramp_days: float = 14.0, start: int = 0, state0=None,
                      backend: str = "numba") -> Injuries:
    """Monte-Carlo injuries, time loss and return-to-play load factor.

    Args:
        probability: daily injury probability, shape ``(*batch, T)``, in [0, 1].
        seed: the run's seed.
        stream: the stream key per series (see :func:`uniforms`): integer ids of shape
            ``batch``, or a tuple of id arrays broadcasting to it (default ``0 .. B-1``
            in C order); the same (seed, stream) gives the same draws in any batch.
        types: the :class:`InjuryType` mix (default :data:`DEFAULT_TYPES`).
        ramp_days: days to return from 1/r to full load after an absence (assumption: a
            graded two-week return; > 0).
        start: index of the first day within the stream (to continue a run in chunks).
        state0: the ``state`` of the previous chunk (default :data:`FRESH`); with ``start``
            it makes chunked runs identical to one long run.
        backend: ``"numba"`` or ``"jax"``.
    """
    p = validate.in_range("probability", probability, 0.0, 1.0, "a probability in [0, 1]")
    if p.ndim == 0:
        raise ValueError("probability: expected an array with time as its last axis")
    ramp_days = float(validate.positive("ramp_days", ramp_days))
    batch, n_t = p.shape[:-1], p.shape[-1]
    ids = np.arange(int(np.prod(batch))).reshape(batch) if stream is None else stream
    draw = uniforms(seed, ids, n_t, channel=0, start=start)
    if draw.shape[:-1] != batch:
        raise ValueError(f"stream: expected keys of shape {batch} (one per series), got "
                         f"{draw.shape[:-1]}")
    kind, days = time_loss_days(uniforms(seed, ids, n_t, channel=1, start=start),
                                uniforms(seed, ids, n_t, channel=2, start=start), types)
    state0 = FRESH if state0 is None else tuple(np.asarray(state0, dtype=float))
    out, state = run(KERNEL, (p, draw, days, kind.astype(float)), (ramp_days,), state0,
                     backend=backend)
    return Injuries(out.injured, out.available, out.load_factor, out.days_out,
                    out.injury_type.astype(int), np.stack(state))
