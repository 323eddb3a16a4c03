"""Embedding lookups and one_hot (glasstorch/ops/embedding.py, nn.Embedding) against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch as gt
import glasstorch.nn as nn
from oracle import randn

EMBEDDINGS = [dict(), dict(padding_idx=1), dict(padding_idx=-1, max_norm=1.0)]


@pytest.mark.parametrize("kwargs", EMBEDDINGS, ids=[str(k) for k in EMBEDDINGS])
def test_embedding_matches_torch(kwargs):
    ours = nn.Embedding(6, 3, **kwargs)
    ref = torch.nn.Embedding(6, 3, **kwargs)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    if "padding_idx" in kwargs:
        assert not ours.weight[kwargs["padding_idx"]].any()
    idx = np.array([[0, 1, 5], [1, 1, 3]])
    out, ref_out = ours(gt.tensor(idx)), ref(torch.tensor(idx))
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.weight.detach().numpy(), ref.weight.detach().numpy(), rtol=1e-6)   # max_norm
    w = randn(2, 3, 3, seed=4)
    (out * gt.tensor(w)).sum().backward()
    (ref_out * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-6)
    assert repr(ours) == repr(ref)


def test_embedding_from_pretrained_and_errors():
    table = gt.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and frozen(gt.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(IndexError, match="index 2 is out of range for a table of 2 rows"):
        frozen(gt.tensor([2]))
    with pytest.raises(RuntimeError, match="integer type"):
        frozen(gt.tensor([1.0]))


def test_embedding_double_backward_matches_torch():
    idx = np.array([0, 2, 2, 1])
    wo = gt.tensor(randn(3, 2, dtype=np.float64), requires_grad=True)
    wr = torch.tensor(randn(3, 2, dtype=np.float64), requires_grad=True)
    results = []
    for lib, w in ((gt, wo), (torch, wr)):
        y = lib.nn.functional.embedding(lib.tensor(idx), w, padding_idx=2)
        (dw,) = lib.autograd.grad((y * y).sum(), w, create_graph=True)
        (dw * dw).sum().backward()
        results.append(w.grad.numpy())
    np.testing.assert_allclose(*results)
    assert gt.autograd.gradgradcheck(lambda w: gt.nn.functional.embedding(gt.tensor(idx), w, padding_idx=2) * 2,
                                     [wo.detach().requires_grad_(True)])


def test_one_hot_matches_torch():
    idx = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(nn.functional.one_hot(gt.tensor(idx)).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(idx)).numpy())
    np.testing.assert_array_equal(nn.functional.one_hot(gt.tensor(idx), 6).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(idx), 6).numpy())
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        nn.functional.one_hot(gt.tensor(idx), 3)
