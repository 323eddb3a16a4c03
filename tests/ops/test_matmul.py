import numpy as np
import pytest
import torch

import glasstorch as gt
from oracle import compare, gradcheck, randn


@pytest.mark.parametrize("shapes", [
    ((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
    ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 2)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
])
def test_matmul_matches_torch(shapes):
    a, b = randn(*shapes[0], seed=1), randn(*shapes[1], seed=2)
    compare(lambda L, x, y: x @ y, a, b)
    gradcheck(lambda L, x, y: L.matmul(x, y), a, b)


def test_linear_matches_torch():
    x, w, b = randn(5, 3, 4, seed=1), randn(6, 4, seed=2), randn(6, seed=3)
    compare(lambda L, x, w, b: L.nn.functional.linear(x, w, b), x, w, b)
    gradcheck(lambda L, x, w, b: L.nn.functional.linear(x, w, b), x, w, b)
    compare(lambda L, x, w: L.nn.functional.linear(x, w), x, w)


def test_shape_errors_are_clear():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 5x6\)"):
        gt.zeros(3, 4) @ gt.zeros(5, 6)
    with pytest.raises(RuntimeError, match=r"linear: input has 320 features \(input shape \(64, 320\)\)"):
        gt.nn.functional.linear(gt.zeros(64, 320), gt.zeros(10, 1408))


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
