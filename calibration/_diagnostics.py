r"""Identifiability of a fitness-fatigue fit, and the keyed random streams of calibration.

Diagnostics of one fit: posterior correlations and relative SDs of the free parameters
(from the draws, time constants on a log scale), the condition number of the Gauss-Newton
matrix :math:`J^T W J` at the fit (scaled to unit diagonal, J the exact Jacobian by JAX
through the model's kernel), and the parameters whose profile-likelihood interval reaches a
plausible bound (the tests do not bound them on that side).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

#: Flag thresholds (assumption: conventional rules of thumb). |correlation| above
#: CORR_FLAG, scaled condition number above COND_FLAG, or a relative posterior SD above
#: REL_SD_FLAG marks a parameter or a fit as poorly identified.
CORR_FLAG = 0.95
COND_FLAG = 1e6
REL_SD_FLAG = 0.5


@dataclass(frozen=True)
class Diagnostics:
    """Identifiability of one fit.

    ``correlation``: posterior correlations of the free parameters (from the draws, time
    constants on a log scale); ``condition_number``: of the Gauss-Newton matrix scaled to
    unit diagonal; ``rel_sd``: posterior SD relative to the estimate, per free parameter;
    ``unidentified``: free parameters whose profile interval reaches a plausible bound;
    ``flags``: readable warnings, empty when nothing is wrong.
    """

    free: tuple[str, ...]
    correlation: np.ndarray
    condition_number: float
    rel_sd: dict[str, float]
    unidentified: tuple[str, ...] = ()
    flags: tuple[str, ...] = field(default=())


def stream(seed: int, key: str) -> np.random.Generator:
    """A counter-based (Philox) generator keyed by ``(seed, key)``: an athlete's draws do
    not depend on which other athletes are calibrated with it (DESIGN.md principle 5)."""
    word = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, word])))


def diagnose(names: tuple[str, ...], theta_hat: np.ndarray, draws: np.ndarray,
             gauss_newton: np.ndarray, is_log: np.ndarray,
             unidentified: tuple[str, ...] = (),
             extra_flags: tuple[str, ...] = ()) -> Diagnostics:
    """Correlations, condition number and per-parameter flags of one fit.

    ``draws`` and ``theta_hat``: the free parameters (natural units); ``gauss_newton``:
    :math:`J^T W J` in the search coordinates; ``is_log``: which are time constants.
    """
    z = np.where(is_log, np.log(np.where(is_log, np.abs(draws) + 1e-300, 1.0)), draws)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = (np.corrcoef(z, rowvar=False).reshape(len(names), len(names))
                if len(names) > 1 and len(draws) > 1 else np.ones((len(names), len(names))))
        d = np.sqrt(np.abs(np.diag(gauss_newton)))
        scaled = gauss_newton / np.outer(d, d)
    finite = np.all(np.isfinite(scaled)) and scaled.size
    cond = float(np.linalg.cond(scaled)) if finite else float("inf")
    rel = {}
    for j, name in enumerate(names):
        col = draws[:, j]
        rel[name] = (float(np.std(col) / abs(theta_hat[j])) if np.all(np.isfinite(col))
                     and theta_hat[j] != 0 else float("nan"))
    flags = list(extra_flags)
    if cond > COND_FLAG:
        flags.append(f"condition number {cond:.3g} > {COND_FLAG:g}: parameters trade off")
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if np.isfinite(corr[i, j]) and abs(corr[i, j]) > CORR_FLAG:
                flags.append(f"corr({names[i]}, {names[j]}) = {corr[i, j]:+.3f}")
    for name, r in rel.items():
        if not np.isfinite(r) or r > REL_SD_FLAG:
            flags.append(f"{name} poorly identified (posterior SD {r:.2g} of the estimate)")
    return Diagnostics(names, corr, cond, rel, tuple(unidentified), tuple(flags))
