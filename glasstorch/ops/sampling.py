"""Random draws from the values of a tensor: multinomial (categories by weight) and bernoulli (coins by probability)."""
from .. import random
from ..autograd import function
from ..backend import xp


def _sampling_rows(input, op):
    weights = input._data.astype(xp.float64)
    if input.dim() not in (1, 2):
        raise RuntimeError(f"{op}: prob_dist must be 1 or 2 dim")
    if not xp.isfinite(weights).all() or (weights < 0).any():
        raise RuntimeError(f"{op}: probability tensor contains either `inf`, `nan` or element < 0")
    rows = weights.reshape(-1, weights.shape[-1])
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError(f"{op}: invalid multinomial distribution (sum of probabilities <= 0)")
    return rows


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the rows of `input` (non-negative weights, not necessarily normalised). Without
    replacement, the Gumbel-top-k trick: the k largest log w_i + Gumbel noise are an ordered draw without
    replacement from p_i = w_i / sum w."""
    rows = _sampling_rows(input, "multinomial")
    rng = random.generator(generator)
    if replacement:
        cdf = xp.cumsum(rows / rows.sum(axis=1, keepdims=True), axis=1)
        draws = rng.random((rows.shape[0], num_samples))
        picks = xp.stack([xp.searchsorted(c, d, side="right") for c, d in zip(cdf, draws)])
        picks = xp.minimum(picks, rows.shape[1] - 1)
    else:
        if num_samples > rows.shape[1] or (xp.count_nonzero(rows, axis=1) < num_samples).any():
            raise RuntimeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement" if num_samples > rows.shape[1] else
                               "invalid multinomial distribution (with replacement=False, not enough non-negative "
                               "category to sample)")
        with xp.errstate(divide="ignore"):
            keys = xp.log(rows) - xp.log(-xp.log(rng.random(rows.shape)))
        picks = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return function.Tensor._make(picks.astype(xp.int64).reshape(input.shape[:-1] + (num_samples,)))


def bernoulli(input, p=None, *, generator=None):
    """1 with probability p (the input's values, or the number p), else 0; the input's dtype."""
    probabilities = input._data if p is None else xp.full(input.shape, p)
    if ((probabilities < 0) | (probabilities > 1)).any():
        raise RuntimeError("bernoulli: all elements of p must be in the range [0, 1]")
    draws = random.generator(generator).random(input.shape) < probabilities
    return function.Tensor._make(draws.astype(input._data.dtype))
