r"""Monte-Carlo injuries with time loss, and the return to play that limits load.

Each day t an available athlete is injured when the day's uniform :math:`U_t < p_t` (the
daily probability of :func:`~physiology.injury.injury_probability`). An injury of type k
(chosen with the types' shares) keeps the athlete out for
:math:`d = \max(1, \operatorname{round}(e^{\mu_k + \sigma_k z}))` days, the injury day
included, with z a standard-normal quantile of a second uniform (a lognormal time
loss). Back from an absence, the load the athlete can do ramps linearly from
:math:`1/r` to 1 over r days (``ramp_days``); the twin multiplies the planned load by
this ``load_factor``, and by 0 while the athlete is out.

All random numbers come from :func:`~physiology.injury._random.uniforms` keyed by (seed,
stream, channel, day), so results do not depend on batching. The time-loss quantiles
are drawn on the host (NumPy and SciPy), the daily loop is a kernel compiled twice.

Default time loss (:data:`DEFAULT_TYPES`): one lognormal fitted to the severity mix of
the 31 commonest diagnoses in elite football (Ekstrand et al. 2020: 42 % of absences up
to 7 days, 98 % up to 28 days), giving a median of 7.9 days and sigma 0.61.

References:
    Ekstrand J, Krutsch W, Spreco A et al. (2020). Time before return to play for the
    most common injuries in professional football: a 16-year follow-up of the UEFA Elite
    Club Injury Study. Br J Sports Med 54(7):421-426, doi:10.1136/bjsports-2019-100666.
    Ekstrand J, Healy JC, Walden M et al. (2012). Hamstring muscle injuries in
    professional football: the correlation of MRI findings with return to play. Br J
    Sports Med 46:112-117, doi:10.1136/bjsports-2011-090155.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.special import ndtri

from physiology import _validate
from physiology._compile import scalar_ops as ops
from physiology._compile.kernel import Kernel, run
from physiology.injury._random import uniforms


@dataclass(frozen=True)
class InjuryType:
    """A kind of injury: its share of injuries and lognormal time loss (days)."""

    name: str
    share: float
    median_days: float
    sigma: float
    source: str


_Z42, _Z98 = ndtri(0.42), ndtri(0.98)
_SIGMA = float(np.log(28 / 7) / (_Z98 - _Z42))
_MEDIAN = float(7 * np.exp(-_Z42 * _SIGMA))

DEFAULT_TYPES = (InjuryType("time-loss injury", 1.0, _MEDIAN, _SIGMA,
                            "Ekstrand et al. 2020: 42 % <= 7 d, 98 % <= 28 d (lognormal fit)"),)
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
    """

    injured: np.ndarray
    available: np.ndarray
    load_factor: np.ndarray
    days_out: np.ndarray
    injury_type: np.ndarray


def prepare(p, s0):
    (ramp_days,) = p
    days_out, since_return = s0
    return (ramp_days,), (days_out, since_return)


def step(s, u, c):
    days_out, since_return = s
    probability, draw, duration = u
    (ramp_days,) = c
    free = ops.where(days_out < 0.5, 1.0, 0.0)
    injured = free * ops.where(draw < probability, 1.0, 0.0)
    available = free - injured
    # Days still out after today: a new injury's duration counts today.
    days_out = injured * (duration - 1.0) + (1.0 - injured) * ops.maximum(days_out - 1.0, 0.0)
    since_return = ops.where(available > 0.5, since_return + 1.0, 0.0)
    load_factor = available * ops.minimum(since_return / ramp_days, 1.0)
    return (days_out, since_return), (injured, available, load_factor, days_out)


KERNEL = Kernel(name="injury_events", prepare=prepare, step=step, params=("ramp_days",),
                state=("days_out", "since_return"),
                inputs=("probability", "draw", "duration"),
                outputs=("injured", "available", "load_factor", "days_out"))


def time_loss_days(u_type, u_days, types=DEFAULT_TYPES) -> tuple[np.ndarray, np.ndarray]:
    """Injury type index and days out (>= 1) from two uniforms each, elementwise."""
    shares = np.array([t.share for t in types], dtype=float)
    if np.any(shares < 0) or not np.isclose(shares.sum(), 1.0):
        raise ValueError(f"types: shares {shares.tolist()} must be >= 0 and sum to 1")
    kind = np.minimum(np.searchsorted(np.cumsum(shares), u_type, side="right"), len(types) - 1)
    mu = np.log([t.median_days for t in types])[kind]
    sigma = np.array([t.sigma for t in types])[kind]
    z = ndtri(np.clip(u_days, 1e-16, 1 - 1e-16))
    return kind, np.maximum(1.0, np.round(np.exp(mu + sigma * z)))


def simulate_injuries(probability, seed: int, stream=None, *, types=DEFAULT_TYPES,
                      ramp_days: float = 14.0, start: int = 0,
                      backend: str = "numba") -> Injuries:
    """Monte-Carlo injuries, time loss and return-to-play load factor.

    Args:
        probability: daily injury probability, shape ``(*batch, T)``, in [0, 1].
        seed: the run's seed.
        stream: integer stream id per series, shape ``batch`` (default ``0 .. B-1`` in
            C order); the same (seed, stream) gives the same draws in any batch.
        types: the :class:`InjuryType` mix (default :data:`DEFAULT_TYPES`).
        ramp_days: days to return from 1/r to full load after an absence (assumption: a
            graded two-week return; > 0).
        start: index of the first day within the stream (to continue a run in chunks).
        backend: ``"numba"`` or ``"jax"``.
    """
    p = _validate.in_range("probability", probability, 0.0, 1.0, "a probability in [0, 1]")
    if p.ndim == 0:
        raise ValueError("probability: expected an array with time as its last axis")
    ramp_days = float(_validate.positive("ramp_days", ramp_days))
    batch, n_t = p.shape[:-1], p.shape[-1]
    ids = np.arange(int(np.prod(batch))).reshape(batch) if stream is None else np.asarray(stream)
    if ids.shape != batch:
        raise ValueError(f"stream: expected shape {batch} (one id per series), got {ids.shape}")
    draw = uniforms(seed, ids, n_t, channel=0, start=start)
    kind, days = time_loss_days(uniforms(seed, ids, n_t, channel=1, start=start),
                                uniforms(seed, ids, n_t, channel=2, start=start), types)
    out, _ = run(KERNEL, (p, draw, days), (ramp_days,), (0.0, 1e9), backend=backend)
    injured, available, load_factor, days_out = out
    # The type of the injury in progress: carry the type of each new injury forward.
    started = np.where(injured > 0, np.arange(n_t), -1)
    last = np.maximum.accumulate(started, axis=-1)
    current = np.take_along_axis(kind, np.maximum(last, 0), axis=-1)
    injury_type = np.where((last >= 0) & (available < 0.5), current, -1)
    return Injuries(injured, available, load_factor, days_out, injury_type)
