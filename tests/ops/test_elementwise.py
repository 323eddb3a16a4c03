import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glasstorch as gt
from oracle import check_unary, compare, gradcheck, randn

positive = lambda a: np.abs(a) + 0.5  # noqa: E731

UNARY = {
    "neg": (lambda L, x: -x, None),
    "abs": (lambda L, x: x.abs(), None),
    "exp": (lambda L, x: L.exp(x), None),
    "log": (lambda L, x: L.log(x), positive),
    "sqrt": (lambda L, x: x.sqrt(), positive),
    "sin": (lambda L, x: L.sin(x), None),
    "cos": (lambda L, x: x.cos(), None),
    "clamp": (lambda L, x: x.clamp(-0.5, 0.7), None),
    "clamp_min": (lambda L, x: L.clamp(x, min=0.1), None),
    "pow_scalar": (lambda L, x: x ** 3, None),
    "pow_half": (lambda L, x: x ** 0.5, positive),
    "rpow": (lambda L, x: 2.0 ** x, None),
    "rsub": (lambda L, x: 1 - x, None),
    "rdiv": (lambda L, x: 2 / x, positive),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_torch_and_finite_differences(name):
    check_unary(*UNARY[name])


BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "pow": lambda L, a, b: a.abs() ** b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "where": lambda L, a, b: L.where(a > b, a, b * 2),
    "matmul_like_mul_add": lambda L, a, b: a * 2 + b * a - 1,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4)), ((5,), ())])
def test_binary_broadcasting_matches_torch(name, shapes):
    a = randn(*shapes[0], seed=2)
    b = randn(*shapes[1], seed=3)
    if name in ("div",):
        b = (np.abs(b) + 0.5).astype(np.float32)
    compare(BINARY[name], a, b)
    gradcheck(BINARY[name], a, b)


shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


@settings(max_examples=40, deadline=None)
@given(shapes=shape_pairs, op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_broadcast_gradients_reduce_to_operand_shapes(shapes, op):
    a = randn(*shapes.input_shapes[0], seed=4)
    b = (np.abs(randn(*shapes.input_shapes[1], seed=5)) + 0.5).astype(np.float32)
    compare(BINARY[op], a, b)


def test_comparisons_are_bool_and_carry_no_gradient():
    x = gt.tensor([1.0, -2.0, 3.0], requires_grad=True)
    mask = x > 0
    assert mask.dtype == gt.bool and not mask.requires_grad
    assert mask.tolist() == [True, False, True]
    assert (x == 3.0).tolist() == [False, False, True]


def test_maximum_splits_gradient_on_ties_like_torch():
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    b = np.array([1.0, 5.0, 0.0], dtype=np.float32)
    compare(lambda L, x, y: L.maximum(x, y), a, b)
