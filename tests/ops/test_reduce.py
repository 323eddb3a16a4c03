import numpy as np
import pytest

import glasstorch as gt
from oracle import compare, gradcheck, randn

REDUCTIONS = {
    "sum_all": lambda L, x: x.sum(),
    "sum_dim": lambda L, x: x.sum(dim=1),
    "sum_tuple_keep": lambda L, x: x.sum(dim=(0, -1), keepdim=True),
    "mean_all": lambda L, x: x.mean(),
    "mean_neg_dim": lambda L, x: x.mean(-2, keepdim=True),
    "max_all": lambda L, x: x.max(),
    "min_all": lambda L, x: x.min(),
    "max_dim": lambda L, x: x.max(dim=1),
    "min_dim_keep": lambda L, x: x.min(dim=-1, keepdim=True),
    "var_all": lambda L, x: x.var(),
    "var_dim_biased": lambda L, x: x.var(dim=1, unbiased=False),
    "var_correction": lambda L, x: x.var(dim=(0, 2), correction=0, keepdim=True),
    "std_dim": lambda L, x: x.std(dim=0),
    "logsumexp": lambda L, x: x.logsumexp(dim=2),
    "logsumexp_tuple": lambda L, x: L.logsumexp(x, dim=(1, 2), keepdim=True),
    "prod_all": lambda L, x: x.prod(),
    "prod_dim": lambda L, x: x.prod(dim=1),
    "prod_dim_keep": lambda L, x: L.prod(x, -1, keepdim=True),
    "norm": lambda L, x: x.norm(),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_matches_torch_and_finite_differences(name):
    x = randn(3, 4, 5, seed=7)
    compare(REDUCTIONS[name], x)
    gradcheck(REDUCTIONS[name], x)


def test_prod_gradient_is_exact_with_zeros():
    x = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [2.0, 3.0, 4.0]], dtype=np.float32)
    compare(lambda L, t: t.prod(dim=1), x)
    compare(lambda L, t: t.prod(), np.array([2.0, 0.0, 5.0], dtype=np.float32))


def test_argmax_argmin_and_max_indices():
    x = np.array([[1.0, 7.0, 3.0], [9.0, 2.0, 9.0]], dtype=np.float32)
    t = gt.tensor(x)
    assert t.argmax().item() == 3
    assert t.argmax(dim=1).tolist() == [1, 0]
    assert t.argmin(dim=0, keepdim=True).tolist() == [[0, 1, 0]]
    values, indices = t.max(dim=1)
    assert values.tolist() == [7.0, 9.0] and indices.tolist() == [1, 0]
    assert indices.dtype == gt.int64


def test_max_of_all_splits_gradient_among_ties_like_torch():
    compare(lambda L, t: t.max(), np.array([1.0, 3.0, 3.0, 2.0], dtype=np.float32))


def test_reduction_dim_errors_name_the_range():
    x = gt.zeros(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        x.sum(dim=2)
    with pytest.raises(RuntimeError, match="mean"):
        gt.tensor([1, 2]).mean()


def test_sum_of_integers_is_int64():
    assert gt.tensor([True, True, False]).sum().item() == 2
    assert gt.tensor([1, 2, 3]).sum().dtype == gt.int64
