"""Sampling (glasstorch/ops/sampling.py): multinomial and bernoulli against their distributions and PyTorch's errors."""
import numpy as np
import pytest
import torch

import glasstorch as gt


def test_multinomial_distribution_and_errors():
    gt.manual_seed(0)
    weights = gt.tensor([[1.0, 0.0, 3.0], [0.0, 2.0, 2.0]])
    draws = gt.multinomial(weights, 4000, replacement=True)
    assert tuple(draws.shape) == (2, 4000) and draws.dtype == gt.int64
    counts = np.bincount(draws[0].numpy(), minlength=3) / 4000
    np.testing.assert_allclose(counts, [0.25, 0.0, 0.75], atol=0.03)
    picks = weights.multinomial(2)
    assert sorted(picks[0].tolist()) == [0, 2] and sorted(picks[1].tolist()) == [1, 2]
    first = [gt.multinomial(gt.tensor([1.0, 9.0]), 1).item() for _ in range(500)]
    assert 0.85 < np.mean(first) < 0.95
    for lib in (gt, torch):
        with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
            lib.multinomial(lib.tensor([1.0, 1.0]), 3)
        with pytest.raises(RuntimeError, match="probability tensor contains either `inf`, `nan` or element < 0"):
            lib.multinomial(lib.tensor([1.0, -1.0]), 1)


def test_bernoulli_and_random_like():
    gt.manual_seed(1)
    p = gt.full((20000,), 0.3)
    draws = gt.bernoulli(p)
    assert draws.dtype == gt.float32 and set(np.unique(draws.numpy())) <= {0.0, 1.0}
    assert abs(draws.mean().item() - 0.3) < 0.02
    assert abs(gt.zeros(20000).bernoulli_(0.8).mean().item() - 0.8) < 0.02
    assert abs(p.bernoulli(0.6).mean().item() - 0.6) < 0.02
    x = gt.zeros(2, 3, dtype=gt.float64)
    assert gt.randn_like(x).dtype == gt.float64 and tuple(gt.rand_like(x).shape) == (2, 3)
    with pytest.raises(RuntimeError, match=r"range \[0, 1\]"):
        gt.bernoulli(gt.tensor([1.5]))
