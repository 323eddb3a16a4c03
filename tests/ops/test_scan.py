"""Running sums and products (glasstorch/ops/scan.py) against PyTorch, with their second derivatives."""
import numpy as np
import pytest
import torch

import glasstorch as gt
from oracle import compare, gradcheck, randn


@pytest.mark.parametrize("dim", [0, 1])
def test_cumsum_cumprod_match_torch(dim):
    compare(lambda L, x: L.cumsum(x, dim), randn(3, 4))
    compare(lambda L, x: x.cumprod(dim), randn(3, 4))
    with_zeros = randn(3, 4)
    with_zeros[1, 1] = with_zeros[2, 0] = with_zeros[2, 3] = 0
    compare(lambda L, x: x.cumprod(dim), with_zeros)
    ints = np.array([[1, 2], [3, 4]])
    for ours, ref in ((gt.tensor(ints).cumsum(dim), torch.tensor(ints).cumsum(dim)),
                      (gt.tensor(ints > 1).cumsum(dim), torch.tensor(ints > 1).cumsum(dim))):
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())
        assert str(ours.dtype) == str(ref.dtype)


def test_scans_gradcheck_and_second_order():
    assert gradcheck(lambda L, x: x.cumprod(1) * x.cumsum(0), randn(3, 4))
    with_zero = randn(2, 4)
    with_zero[0, 2] = 0
    assert gradcheck(lambda L, x: x.cumprod(1), with_zero)
    x = gt.tensor(randn(2, 3, dtype=np.float64), requires_grad=True)
    assert gt.autograd.gradgradcheck(lambda x: x.cumprod(1) + x.cumsum(1) ** 2, [x])
