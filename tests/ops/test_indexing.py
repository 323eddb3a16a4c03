"""gather/scatter, index_select/masked_select, sorting, top-k, nonzero/unique against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch as gt
from oracle import compare, gradcheck, randn

IDX = np.array([[0, 2, 1, 2], [1, 1, 0, 0], [2, 0, 0, 1]])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_matches_torch(dim):
    index = IDX[:, :3] if dim == 0 else IDX
    compare(lambda L, x: L.gather(x, dim, L.tensor(index)), randn(3, 4))
    compare(lambda L, x: x.gather(dim, L.tensor(index[:2, :2])), randn(3, 4))       # index smaller than input


def test_scatter_and_scatter_add_match_torch():
    compare(lambda L, x, s: x.scatter(1, L.tensor([[0, 2], [1, 3], [2, 0]]), s), randn(3, 4), randn(3, 2, seed=1))
    compare(lambda L, x, s: x.scatter_add(0, L.tensor(IDX), s), randn(3, 4), randn(3, 4, seed=1))
    # a source larger than the index: PyTorch's backward rejects its own gradient shape, so values only here and
    # finite differences for the gradient (zero for the source elements never read)
    compare(lambda L, x, s: L.scatter_add(x, 1, L.tensor(IDX), s), randn(3, 4), randn(4, 5, seed=1), grad=False)
    assert gradcheck(lambda L, x, s: L.scatter_add(x, 1, L.tensor(IDX), s), randn(3, 4), randn(4, 5, seed=1))
    compare(lambda L, x: x.scatter(1, L.tensor(IDX[:, :1]), 7.0), randn(3, 4))


def test_in_place_scatter_matches_torch():
    def fn(L, x, s):
        y = x * 1
        y.scatter_(1, L.tensor([[1], [0], [3]]), s[:, :1] * 1)
        y.scatter_add_(0, L.tensor([[2, 2, 0, 1]]), s[:1].expand(1, 4) * 1)
        return y

    compare(fn, randn(3, 4), randn(3, 4, seed=1))


def test_gather_scatter_gradcheck_and_second_order():
    assert gradcheck(lambda L, x, s: L.scatter_add(x, 1, L.tensor(IDX), s).gather(0, L.tensor(IDX)) ** 2,
                     randn(3, 4), randn(3, 4, seed=1))
    x = gt.tensor(randn(3, 4, dtype=np.float64), requires_grad=True)
    s = gt.tensor(randn(3, 2, dtype=np.float64), requires_grad=True)
    distinct = gt.tensor([[0, 2], [1, 3], [2, 0]])      # scatter with a repeated index keeps an arbitrary one
    assert gt.autograd.gradgradcheck(lambda x, s: (x.scatter(1, distinct, s) ** 2).gather(1, gt.tensor(IDX)), [x, s])


def test_gather_errors_match_torch():
    for lib in (gt, torch):
        x = lib.zeros(3, 4)
        with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 1 with size 4"):
            x.gather(1, lib.tensor([[5]]))
        with pytest.raises(RuntimeError, match="Expected dtype int32/int64 for index"):
            x.gather(1, lib.tensor([[1.0]]))
        assert x.gather(1, lib.tensor([[1]], dtype=lib.int32)).shape == (1, 1)
        with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
            x.gather(1, lib.tensor([1]))


def test_index_select_and_masked_select_match_torch():
    compare(lambda L, x: L.index_select(x, 1, L.tensor([3, 0, 3])), randn(2, 4))
    compare(lambda L, x: x.index_select(0, L.tensor([1])), randn(2, 4))
    mask = np.array([True, False, True, True])
    compare(lambda L, x: x.masked_select(L.tensor(mask)), randn(3, 4))
    compare(lambda L, x: L.masked_select(x, L.tensor(mask[:, None] & mask[None, :3])), randn(4, 3))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_and_argsort_match_torch(descending, dim):
    x = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, 0.5, -1.0, 4.0], [2.0, 2.0, 2.0, 0.0]], dtype=np.float32)
    values, indices = compare(lambda L, x: L.sort(x, dim=dim, descending=descending, stable=True), x)
    ref = torch.sort(torch.tensor(x), dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(indices.numpy(), ref.indices.numpy())
    np.testing.assert_array_equal(gt.tensor(x).argsort(dim=dim, descending=descending, stable=True).numpy(),
                                  torch.tensor(x).argsort(dim=dim, descending=descending, stable=True).numpy())
    result = gt.tensor(x).sort(dim)
    assert result.values is result[0] and result.indices is result[1]


@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_torch(largest):
    x = randn(4, 6)
    values, indices = compare(lambda L, x: L.topk(x, 3, dim=1, largest=largest), x)
    np.testing.assert_array_equal(indices.numpy(), torch.topk(torch.tensor(x), 3, 1, largest).indices.numpy())
    compare(lambda L, x: x.topk(2, 0)[0], x)


def test_nonzero_unique_argwhere_match_torch():
    x = np.array([[0, 1, 2], [2, 0, 2]])
    for ours, ref in ((gt.nonzero(gt.tensor(x)), torch.nonzero(torch.tensor(x))),
                      (gt.tensor(x).nonzero(as_tuple=True)[1], torch.tensor(x).nonzero(as_tuple=True)[1]),
                      (gt.argwhere(gt.tensor(x)), torch.argwhere(torch.tensor(x)))):
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())
        assert ours.dtype.name == "int64"
    ours = gt.unique(gt.tensor(x), return_inverse=True, return_counts=True)
    ref = torch.unique(torch.tensor(x), return_inverse=True, return_counts=True)
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    ours, ref = gt.unique(gt.tensor(x), dim=1), torch.unique(torch.tensor(x), dim=1)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
