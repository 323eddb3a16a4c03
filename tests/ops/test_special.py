"""atan2 and xlogy (glasstorch/ops/special.py) against PyTorch: broadcasting, integer promotion, gradients."""
import numpy as np

import glasstorch as gt
from oracle import compare, gradcheck, randn


def test_atan2_broadcasts_and_differentiates_as_torch():
    a, b = randn(3, 4, seed=5), randn(4, seed=6)
    compare(lambda L, y, x: L.atan2(y, x), a, b)
    gradcheck(lambda L, y, x: L.atan2(y, x), a.astype(np.float64), b.astype(np.float64))
    compare(lambda L, y, x: L.atan2(y, x), np.array([1, -2, 0]), np.array([0, 3, 0]), grad=False)   # ints: float


def test_xlogy_is_zero_where_x_is_zero_and_differentiates_as_torch():
    x = np.array([0.0, 1.5, 2.0, 0.0], dtype=np.float32)
    y = np.array([0.0, 2.0, 0.5, 3.0], dtype=np.float32)
    out = compare(lambda L, a, b: L.xlogy(a, b), x, y)[0]
    assert out.tolist()[0] == 0.0
    gradcheck(lambda L, a, b: L.xlogy(a, b), randn(3, seed=7).astype(np.float64) ** 2 + 0.5,
              np.abs(randn(3, seed=8)).astype(np.float64) + 0.5)
    assert gt.xlogy(gt.tensor([2]), gt.tensor([3])).dtype == gt.float32
