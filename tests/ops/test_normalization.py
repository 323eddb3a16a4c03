import numpy as np
import pytest
import torch

import glasstorch as gt
from oracle import compare, gradcheck, randn


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 5, 6)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch_including_running_stats(shape, training):
    x = randn(*shape, seed=1) * 2 + 1
    w, b = randn(3, seed=2), randn(3, seed=3)
    stats = {}

    def fn(L, x, w, b):
        mean, var = L.tensor([0.1, -0.2, 0.3]), L.tensor([1.0, 2.0, 0.5])
        out = L.nn.functional.batch_norm(x, mean, var, w, b, training=training, momentum=0.2, eps=1e-3)
        stats[L.__name__] = (mean.numpy().copy(), var.numpy().copy())
        return out

    compare(fn, x, w, b)
    for ours, ref in zip(stats["glasstorch"], stats["torch"]):
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)
    gradcheck(lambda L, x, w, b: L.nn.functional.batch_norm(
        x, L.zeros(3, dtype=L.float64), L.ones(3, dtype=L.float64), w, b, training=training), x, w, b)


def test_batch_norm_rejects_single_value_per_channel():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        gt.nn.functional.batch_norm(gt.zeros(1, 3), gt.zeros(3), gt.ones(3), training=True)
    assert torch  # the oracle raises the same error: torch.nn.functional.batch_norm(...)


@pytest.mark.parametrize("affine", [False, True])
def test_an_in_place_relu_after_batch_norm_leaves_its_gradient_intact(affine):
    """PyTorch allows relu(batch_norm(x), inplace=True): batch norm's backward must not need its own output."""
    x, g = randn(4, 3, 5, 5, seed=4), randn(4, 3, 5, 5, seed=5)
    grads = {}
    for L in (gt, torch):
        xt = L.tensor(x, requires_grad=True)
        weight, bias = (L.tensor([0.5, 1.0, 2.0]), L.tensor([0.0, 0.1, -0.1])) if affine else (None, None)
        out = L.nn.functional.batch_norm(xt, None, None, weight, bias, training=True)
        L.nn.functional.relu(out, inplace=True).backward(L.tensor(g))
        grads[L.__name__] = xt.grad.numpy()
    np.testing.assert_allclose(grads["glasstorch"], grads["torch"], rtol=1e-5, atol=1e-6)
