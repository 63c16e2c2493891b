"""The compiled reductions over draws equal the NumPy expressions they replaced, bit for bit.

References: ``np.sort`` followed by type 7 interpolation ``a + (b - a) (pos - lo)`` (the
implementation :func:`twin.engine.reduce.quantiles_over_draws` replaced, and what the
cube holds), ``np.quantile(method="linear")`` (exact at the order statistics, else
within a few ulps: NumPy 2 interpolates ``b - (b - a) (1 - t)`` for ``t >= 0.5``),
``np.median``, ``np.mean``, ``np.sum`` and the summary's NumPy expressions before the
compiled season pass (:mod:`twin.engine.season_pass`).
"""

import hypothesis as hyp
import hypothesis.strategies as st
import numpy as np
import pytest

from twin.engine import reduce as R
from twin.engine.season_pass import pairwise_sum, season_pass
from twin.engine.summary import return_to_play_days

#: Draw counts: 1 and 2, odd and even, around a tile of the network, beyond it (NumPy).
DRAWS = (1, 2, 3, 4, 7, 8, 33, 100, 101, R.MAX_NETWORK + 1)

@st.composite
def draws_cube(draw):
    """``(2, N, cells)`` finite values, ``N`` from :data:`DRAWS`: normal, rounded to
    give ties, with zeros of both signs and cells of equal draws (from a drawn seed:
    Hypothesis builds large arrays slowly)."""
    n = draw(st.sampled_from(DRAWS))
    cells = draw(st.sampled_from((1, 5, R.TILE + 3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((2, n, cells)) * 10.0 ** draw(st.integers(-6, 6))
    x = np.where(rng.random(x.shape) < draw(st.floats(0, 1)), np.round(x), x)
    zeros = rng.random(x.shape) < draw(st.floats(0, 0.5))
    x = np.where(zeros, np.where(rng.random(x.shape) < 0.5, 0.0, -0.0), x)
    # cells whose draws are all equal (the network skips them), some of them zeros of
    # both signs (equal, yet not the same bits)
    same = rng.random(cells) < draw(st.floats(0, 0.8))
    x[:, :, same] = x[:, :1, same]
    signed = same & (rng.random(cells) < 0.3)
    x[:, :, signed] = np.where(rng.random((2, n, int(signed.sum()))) < 0.5, 0.0, -0.0)
    return x


levels = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4).map(
    lambda q: np.array([0.0, *q, 1.0]))


def sorted_quantiles(x, q, axis):
    """The implementation before the compiled one (commit 548b753), as the oracle."""
    ordered = np.sort(x, axis=axis)
    n = ordered.shape[axis]
    out = []
    for level in q:
        pos = level * (n - 1)
        lo = int(np.floor(pos))
        a = np.take(ordered, lo, axis=axis)
        b = np.take(ordered, min(lo + 1, n - 1), axis=axis)
        out.append(a + (b - a) * (pos - lo))
    return np.stack(out, axis=axis)


def same_bits(a, b):
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()


@hyp.given(draws_cube(), levels)
def test_quantiles_are_the_sorted_ones_bit_for_bit_and_np_quantile(x, q):
    got = R.quantiles_over_draws(x, q, axis=1)
    same_bits(got, sorted_quantiles(x, q, 1))
    want = np.quantile(x, q, axis=1, method="linear").transpose(1, 0, 2)
    # levels 0 and 1 are order statistics (min and max): exact; others within 4 ulps of
    # the larger order statistic (NumPy 2's other form of the same interpolation)
    np.testing.assert_array_equal(got[:, [0, -1]], want[:, [0, -1]])
    scale = np.abs(np.stack([x.min(axis=1), x.max(axis=1)])).max(axis=0)[:, None]
    assert np.all(np.abs(got - want) <= 4 * np.spacing(scale))


@hyp.given(draws_cube())
def test_median_and_mean_are_numpys_bit_for_bit(x):
    same_bits(R.median_over_draws(x, axis=1), np.median(x, axis=1))
    same_bits(R.mean_over_draws(x, axis=1), np.mean(x, axis=1))


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_nan_sorts_last_as_before(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((3, n, 9))
    x[0, n // 2, 1] = np.nan
    x[2, :, 4] = np.nan
    q = np.array([0.0, 0.05, 0.5, 0.95, 1.0])
    same_bits(R.quantiles_over_draws(x, q, axis=1), sorted_quantiles(x, q, 1))
    same_bits(R.median_over_draws(x, axis=1), np.median(x, axis=1))  # NaN, as np.median


def test_a_strided_block_is_read_in_place_on_any_axis():
    x = np.random.default_rng(0).standard_normal((2, 3, 60, 40))[:, ::2, 1::3]  # (2, 2, 20, 40)
    q = [0.05, 0.5, 0.95]
    same_bits(R.quantiles_over_draws(x, q, axis=2), sorted_quantiles(x, q, 2))
    same_bits(R.quantiles_over_draws(x, q, axis=-1), sorted_quantiles(x, q, 3))
    same_bits(R.mean_over_draws(x, axis=2), x.mean(axis=2))


@pytest.mark.parametrize("n", range(1, 13))
def test_the_network_sorts_every_zero_one_input(n):
    """Knuth's 0-1 principle: a comparator network that sorts all 2^n inputs of 0 and 1
    sorts every input."""
    v = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    for i, j in R.sorting_network(n):
        v[:, i], v[:, j] = np.minimum(v[:, i], v[:, j]), np.maximum(v[:, i], v[:, j])
    assert np.all(np.diff(v, axis=1) >= 0)


def test_pairwise_sum_is_numpys():
    rng = np.random.default_rng(1)
    for n in [*range(0, 300), 365, 1000, 36_500]:
        x = rng.standard_normal(n + 3) * 10.0 ** rng.integers(-8, 8, n + 3)
        assert pairwise_sum(x, 3, n) == x[3:].sum()


class _Out:
    """The day kernel's outputs that the season pass reads."""

    def __init__(self, rng, shape):
        self.available = (rng.random(shape) > 0.1).astype(float)
        self.performance = 100 + rng.standard_normal(shape)
        self.acwr = np.where(rng.random(shape) < 0.01, np.nan, 1 + rng.random(shape))
        self.tissue_damage = rng.random(shape)
        self.injury_probability = rng.random(shape) * 1e-3 * self.available
        self.exposure_h = rng.random(shape) * self.available


@pytest.mark.parametrize("shape", [(1, 2, 1, 9), (2, 3, 8, 40), (1, 2, 5, 365)])
def test_season_pass_is_the_numpy_expressions_bit_for_bit(shape):
    rng = np.random.default_rng(sum(shape))
    out = _Out(rng, shape)
    match = rng.random(shape[1::2]) < 0.2  # (p, D)
    s = season_pass(out, match, 28)
    on = match[None, :, None, :]
    played = (out.available > 0.5) & on
    lost = out.available < 0.5
    training, returning = return_to_play_days(lost, 28)

    def peak(days):
        p = np.where(days & np.isfinite(out.acwr), out.acwr, -np.inf).max(axis=-1)
        return np.where(np.isfinite(p), p, np.nan)

    prob, hours = out.injury_probability, out.exposure_h
    want = {
        "n_played": played.sum(axis=-1), "n_unavailable": lost.sum(axis=-1),
        "performance_played": np.where(played, out.performance, 0.0).sum(axis=-1),
        "injuries": prob.sum(axis=-1), "hours": hours.sum(axis=-1),
        "injuries_match": np.where(on, prob, 0.0).sum(axis=-1),
        "hours_match": np.where(on, hours, 0.0).sum(axis=-1),
        "injuries_training": np.where(~on, prob, 0.0).sum(axis=-1),
        "hours_training": np.where(~on, hours, 0.0).sum(axis=-1),
        "peak_acwr_training": peak(training), "peak_acwr_return": peak(returning),
        "peak_tissue": out.tissue_damage.max(axis=-1),
        "pooled": np.stack([np.where(m, x, 0.0).sum(axis=(2, 3)) for m in (True, on, ~on)
                            for x in (prob, hours)], axis=-1),
    }
    for name, value in want.items():
        same_bits(getattr(s, name), value)
