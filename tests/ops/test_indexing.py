"""gather/scatter, sorting, selection, scans, bmm/einsum and the sampling functions against PyTorch."""
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


def test_bmm_matches_torch_and_names_its_shapes():
    compare(lambda L, a, b: L.bmm(a, b), randn(2, 3, 4), randn(2, 4, 5, seed=1))
    compare(lambda L, a, b: a.bmm(b), randn(1, 2, 2), randn(1, 2, 3, seed=1))
    for lib in (gt, torch):
        with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
            lib.bmm(lib.zeros(3, 4), lib.zeros(3, 4, 5))


EQUATIONS = [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(3, 3)]),
             ("ij->", [(3, 4)]), ("ij->j", [(3, 4)]), ("i,j->ij", [(3,), (4,)]), ("...ij,...jk", [(2, 3, 4), (4, 2)]),
             ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("ij,ij->ij", [(2, 3), (2, 3)]), ("ji", [(2, 3)]),
             ("ii", [(3, 3)])]


@pytest.mark.parametrize("equation,shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_matches_torch(equation, shapes):
    arrays = [randn(*s, seed=k) for k, s in enumerate(shapes)]
    compare(lambda L, *xs: L.einsum(equation, *xs), *arrays)
    if len(set(equation.split("->")[0].replace(",", ""))) == len(equation.split("->")[0].replace(",", "")) or \
            "," in equation:
        assert gradcheck(lambda L, *xs: L.einsum(equation, *xs), *arrays)


def test_einsum_second_order():
    a = gt.tensor(randn(2, 3, dtype=np.float64), requires_grad=True)
    b = gt.tensor(randn(3, 4, dtype=np.float64), requires_grad=True)
    assert gt.autograd.gradgradcheck(lambda a, b: gt.einsum("ij,jk->ik", a, b) ** 2, [a, b])
    assert gt.autograd.gradgradcheck(lambda a: gt.einsum("ij->j", a) ** 2, [a])


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
