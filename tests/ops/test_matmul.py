import pytest

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
