import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glasstorch as gt
from oracle import compare, gradcheck, randn

positive = lambda a: np.abs(a) + 0.5  # noqa: E731

UNARY = {
    "neg": (lambda L, x: -x, None),
    "abs": (lambda L, x: x.abs(), None),
    "exp": (lambda L, x: L.exp(x), None),
    "log": (lambda L, x: L.log(x), positive),
    "sqrt": (lambda L, x: x.sqrt(), positive),
    "sin": (lambda L, x: L.sin(x), None),
    "cos": (lambda L, x: x.cos(), None),
    "relu": (lambda L, x: L.relu(x), None),
    "sigmoid": (lambda L, x: L.sigmoid(x), None),
    "tanh": (lambda L, x: L.tanh(x), None),
    "clamp": (lambda L, x: x.clamp(-0.5, 0.7), None),
    "clamp_min": (lambda L, x: L.clamp(x, min=0.1), None),
    "leaky_relu": (lambda L, x: L.nn.functional.leaky_relu(x, 0.2), None),
    "gelu": (lambda L, x: L.nn.functional.gelu(x), None),
    "gelu_tanh": (lambda L, x: L.nn.functional.gelu(x, approximate="tanh"), None),
    "softplus": (lambda L, x: L.nn.functional.softplus(x, beta=2.0, threshold=3.0), None),
    "elu": (lambda L, x: L.nn.functional.elu(x, alpha=0.7), None),
    "pow_scalar": (lambda L, x: x ** 3, None),
    "pow_half": (lambda L, x: x ** 0.5, positive),
    "rpow": (lambda L, x: 2.0 ** x, None),
    "rsub": (lambda L, x: 1 - x, None),
    "rdiv": (lambda L, x: 2 / x, positive),
    "softmax": (lambda L, x: L.softmax(x, dim=1), None),
    "log_softmax": (lambda L, x: L.log_softmax(x, dim=-1), None),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_torch_and_finite_differences(name):
    fn, domain = UNARY[name]
    x = randn(3, 5, seed=1) * 2
    if domain:
        x = domain(x).astype(np.float32)
    x = x + np.float32(0.013)   # keep kinks (relu, abs, clamp) away from sample points
    compare(fn, x)
    gradcheck(fn, x)


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


def test_type_promotion_follows_torch():
    i = gt.tensor([1, 2, 3])
    f = gt.tensor([1.0, 2.0, 3.0])
    d = gt.tensor([1.0], dtype=gt.float64)
    assert (i + 1).dtype == gt.int64
    assert (i + 1.5).dtype == gt.float32
    assert (i / 2).dtype == gt.float32
    assert (f * 2).dtype == gt.float32
    assert (f + d).dtype == gt.float64
    assert (f + gt.tensor(2.0, dtype=gt.float64)).dtype == gt.float32
    assert (i * f).dtype == gt.float32
    assert (i > 1).dtype == gt.bool


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


def test_relu_gradient_is_zero_at_zero():
    compare(lambda L, x: L.relu(x), np.array([-1.0, 0.0, 2.0], dtype=np.float32))


@pytest.mark.parametrize("layout", ["contiguous", "channels_last", "strided"])
def test_relu_matches_torch_on_every_memory_layout(layout):
    views = {"contiguous": lambda t: t, "channels_last": lambda t: t.permute(0, 3, 1, 2),
             "strided": lambda t: t.permute(0, 3, 1, 2)[:, :, ::2]}
    nhwc = np.random.default_rng(7).standard_normal((6, 5, 4, 3)).astype(np.float32)
    compare(lambda L, t: L.relu(views[layout](t)), nhwc)


def test_sigmoid_and_softmax_are_stable_for_huge_inputs():
    x = np.array([[-1e4, 0.0, 1e4]], dtype=np.float32)
    out = compare(lambda L, t: L.softmax(t, dim=1), x)[0]
    assert np.all(np.isfinite(out.detach().numpy()))
    compare(lambda L, t: L.sigmoid(t), x)
    compare(lambda L, t: L.log_softmax(t, dim=1), x)


def test_dropout_scales_kept_units_and_is_identity_in_eval():
    gt.manual_seed(0)
    x = gt.ones(1000, requires_grad=True)
    y = gt.nn.functional.dropout(x, p=0.25, training=True)
    kept = y.detach().numpy() != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())
    assert gt.nn.functional.dropout(x, p=0.5, training=False) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        gt.nn.functional.dropout(x, p=1.5)


def test_division_rounding_modes_match_torch():
    import torch

    for values, divisor in [([7, -7, 5], 2), ([7.5, -7.5, 0.5], 2.0)]:
        for mode in ("floor", "trunc"):
            ours = gt.tensor(values).div(divisor, rounding_mode=mode)
            ref = torch.tensor(values).div(divisor, rounding_mode=mode)
            assert ours.tolist() == ref.tolist() and ours.dtype.name == str(ref.dtype).replace("torch.", "")
    assert (gt.tensor([7, -7]) // 2).tolist() == [3, -4]
    with pytest.raises(ValueError, match="rounding_mode"):
        gt.tensor([1.0]).div(2, rounding_mode="round")
