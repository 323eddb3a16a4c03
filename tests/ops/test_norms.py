"""Vector and matrix norms (glasstorch/ops/norms.py, glasstorch.linalg) against PyTorch, over dims, with keepdim,
in float64 by finite differences, and to second order."""
import math

import numpy as np
import pytest

import glasstorch as gt
from oracle import compare, gradcheck, randn

VECTOR = [(2, None, False), (1, 1, True), (3, (0, 1), False), (0.5, -1, False), (math.inf, 0, False),
          (-math.inf, None, False), (0, 1, False)]


@pytest.mark.parametrize("ord, dim, keepdim", VECTOR)
def test_vector_norm_matches_torch(ord, dim, keepdim):
    x = randn(3, 4, seed=2)
    compare(lambda L, t: L.linalg.vector_norm(t, ord, dim, keepdim), x)
    compare(lambda L, t: t.norm(ord, dim, keepdim) if ord not in (0,) or dim is not None else t.norm(ord), x)


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf])
def test_matrix_norm_matches_torch_and_refuses_what_needs_singular_values(ord):
    x = randn(2, 3, 4, seed=3)
    compare(lambda L, t: L.linalg.matrix_norm(t, ord), x)
    compare(lambda L, t: L.linalg.norm(t, ord, dim=(1, 2)), x)
    with pytest.raises(NotImplementedError, match="singular values"):
        gt.linalg.matrix_norm(gt.tensor(x), "nuc")


def test_norm_gradients_by_finite_differences_and_second_order():
    x = randn(3, 4, seed=4).astype(np.float64)
    for ord in (2, 1.5, 3):
        gradcheck(lambda L, t: L.linalg.vector_norm(t, ord, 1), x)
        t = gt.tensor(x, requires_grad=True)
        assert gt.autograd.gradgradcheck(lambda a: gt.linalg.vector_norm(a, ord, 1), [t])
