"""Activations (glasstorch/ops/activation.py) against PyTorch and finite differences."""
import numpy as np
import pytest

from oracle import check_unary, compare

ACTIVATIONS = {
    "relu": (lambda L, x: L.relu(x), None),
    "sigmoid": (lambda L, x: L.sigmoid(x), None),
    "tanh": (lambda L, x: L.tanh(x), None),
    "leaky_relu": (lambda L, x: L.nn.functional.leaky_relu(x, 0.2), None),
    "gelu": (lambda L, x: L.nn.functional.gelu(x), None),
    "gelu_tanh": (lambda L, x: L.nn.functional.gelu(x, approximate="tanh"), None),
    "softplus": (lambda L, x: L.nn.functional.softplus(x, beta=2.0, threshold=3.0), None),
    "elu": (lambda L, x: L.nn.functional.elu(x, alpha=0.7), None),
    "softmax": (lambda L, x: L.softmax(x, dim=1), None),
    "log_softmax": (lambda L, x: L.log_softmax(x, dim=-1), None),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch_and_finite_differences(name):
    check_unary(*ACTIVATIONS[name])


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
