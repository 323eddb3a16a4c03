import numpy as np
import pytest

import glasstorch as gt
from oracle import compare, gradcheck, randn


def labels(*shape, classes=5, seed=0):
    return np.random.default_rng(seed).integers(0, classes, shape).astype(np.int64)


@pytest.mark.parametrize("kwargs", [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 2}, {"label_smoothing": 0.1},
    {"weight": True}, {"weight": True, "label_smoothing": 0.2}, {"weight": True, "ignore_index": 1},
    {"weight": True, "label_smoothing": 0.1, "reduction": "sum"}, {"label_smoothing": 0.3, "reduction": "none"},
], ids=str)
def test_cross_entropy_with_class_indices_matches_torch(kwargs):
    kwargs = dict(kwargs)
    x, t, w = randn(6, 5, seed=1), labels(6, seed=2), np.abs(randn(5, seed=3)).astype(np.float32) + 0.1
    use_weight = kwargs.pop("weight", False)

    def fn(L, x, t):
        weight = L.tensor(w, dtype=x.dtype) if use_weight else None
        return L.nn.functional.cross_entropy(x, t, weight=weight, **kwargs)

    compare(fn, x, t)
    gradcheck(fn, x, t)


def test_cross_entropy_spatial_targets_and_probabilities():
    x = randn(2, 4, 3, 3, seed=4)
    compare(lambda L, x, t: L.nn.functional.cross_entropy(x, t), x, labels(2, 3, 3, classes=4))
    probs = np.random.default_rng(5).dirichlet(np.ones(4), size=3).astype(np.float32)
    compare(lambda L, x, p: L.nn.functional.cross_entropy(x, p, label_smoothing=0.1), randn(3, 4, seed=6), probs)
    compare(lambda L, x, t: L.nn.functional.cross_entropy(x, t), randn(4, seed=7), np.array(2))


def test_cross_entropy_is_stable_for_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]], dtype=np.float32)
    out = compare(lambda L, x, t: L.nn.functional.cross_entropy(x, t), x, np.array([1, 0]))[0]
    assert np.isfinite(out.item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_mse_l1_match_torch(reduction):
    x, y = randn(4, 3, seed=8), randn(4, 3, seed=9)
    logp = np.log(np.random.default_rng(1).dirichlet(np.ones(3), size=4)).astype(np.float32)
    compare(lambda L, a, t: L.nn.functional.nll_loss(a, t, reduction=reduction), logp, labels(4, classes=3))
    compare(lambda L, a, b: L.nn.functional.mse_loss(a, b, reduction=reduction), x, y)
    compare(lambda L, a, b: L.nn.functional.l1_loss(a, b, reduction=reduction), x, y)
    gradcheck(lambda L, a, b: L.nn.functional.mse_loss(a, b, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_variants_match_torch(reduction):
    p = np.random.default_rng(2).uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    t = np.random.default_rng(3).uniform(0, 1, (4, 3)).astype(np.float32)
    w = np.abs(randn(3, seed=4)).astype(np.float32)
    compare(lambda L, a, b: L.nn.functional.binary_cross_entropy(a, b, reduction=reduction), p, t)
    compare(lambda L, a, b: L.nn.functional.binary_cross_entropy(a, b, weight=L.tensor(w), reduction=reduction), p, t)
    logits = randn(4, 3, seed=5) * 3
    compare(lambda L, a, b: L.nn.functional.binary_cross_entropy_with_logits(a, b, reduction=reduction), logits, t)
    compare(lambda L, a, b: L.nn.functional.binary_cross_entropy_with_logits(
        a, b, weight=L.tensor(w), pos_weight=L.tensor(w * 2), reduction=reduction), logits, t)
    gradcheck(lambda L, a, b: L.nn.functional.binary_cross_entropy_with_logits(a, b, reduction=reduction), logits, t)
    gradcheck(lambda L, a, b: L.nn.functional.binary_cross_entropy(a, b, reduction=reduction), p, t)


def test_loss_errors_name_the_problem():
    F = gt.nn.functional
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(3\)"):
        F.cross_entropy(gt.zeros(4, 5), gt.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(gt.zeros(2, 5), gt.tensor([0, 7]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(gt.zeros(2), gt.zeros(2), reduction="avg")
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(gt.tensor([1.5]), gt.tensor([1.0]))


LEGACY = [dict(size_average=False), dict(reduce=False), dict(size_average=True, reduce=True),
          dict(size_average=False, reduce=False)]


@pytest.mark.filterwarnings("ignore:size_average and reduce args")
@pytest.mark.parametrize("legacy", LEGACY, ids=str)
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "mse_loss", "l1_loss", "smooth_l1_loss",
                                  "binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_legacy_size_average_and_reduce_give_torchs_reduction_and_warning(loss, legacy):
    """Older course code calls F.nll_loss(output, target, size_average=False): PyTorch's reduction, its warning."""
    import warnings

    import torch

    p = np.random.default_rng(2).uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    x = np.log(p) if loss == "nll_loss" else p
    t = labels(4, classes=3) if loss in ("nll_loss", "cross_entropy") else p[::-1].copy()
    messages = {}
    for L in (gt, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(L.nn.functional, loss)(L.tensor(x), L.tensor(t), **legacy)
        messages[L] = [str(w.message) for w in caught if "size_average" in str(w.message)]
    assert messages[gt] == messages[torch] and len(messages[gt]) == 1
    compare(lambda L, a, b: getattr(L.nn.functional, loss)(a, b, **legacy), x, t)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weights_give_torchs_weighted_average(loss, reduction):
    x, y, w = randn(4, 3, seed=8), randn(4, 3, seed=9), np.abs(randn(4, 3, seed=10))
    compare(lambda L, a, b, c: getattr(L.nn.functional, loss)(a, b, reduction=reduction, weight=c), x, y, w)
    gradcheck(lambda L, a, b, c: getattr(L.nn.functional, loss)(a, b, reduction=reduction, weight=c), x, y, w)
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        getattr(gt.nn.functional, loss)(gt.tensor(x), gt.tensor(y), weight=gt.ones(3))
