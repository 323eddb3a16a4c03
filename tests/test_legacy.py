"""PyTorch's legacy spellings: typed tensor classes, autograd.Variable, and the CPU-only device queries."""
import numpy as np
import pytest
import torch

import glasstorch as gt

TYPES = ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor", "HalfTensor",
         "ShortTensor", "CharTensor"]


@pytest.mark.parametrize("name", TYPES)
def test_typed_constructors_match_torch(name):
    ours, ref = getattr(gt, name)([[1, 0], [2, 3]]), getattr(torch, name)([[1, 0], [2, 3]])
    assert str(ours.dtype) == str(ref.dtype)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    assert tuple(getattr(gt, name)(2, 3).shape) == tuple(getattr(torch, name)(2, 3).shape)
    assert tuple(getattr(gt, name)().shape) == (0,)
    assert isinstance(ours, getattr(gt, name)) and isinstance(ours, gt.Tensor)
    other = "FloatTensor" if name != "FloatTensor" else "LongTensor"
    assert not isinstance(ours, getattr(gt, other))
    assert isinstance(ref, getattr(torch, name)) and not isinstance(ref, getattr(torch, other))


def test_variable_is_the_tensor():
    x = gt.tensor([1.0, 2.0])
    v = gt.autograd.Variable(x, requires_grad=True)
    assert v is x and v.requires_grad
    (v * v).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    with pytest.raises(TypeError, match="Variable data has to be a tensor"):
        gt.autograd.Variable([1.0])


def test_no_accelerator():
    assert gt.cuda.is_available() is False and gt.accelerator.is_available() is False
    assert gt.accelerator.current_accelerator() is None and gt.cuda.device_count() == 0
    assert gt.backends.mps.is_available() is False
    with pytest.raises(RuntimeError, match="glasstorch computes on the CPU"):
        gt.cuda.current_device()
    import importlib

    assert importlib.import_module("glasstorch.cuda") is gt.cuda
    assert importlib.import_module("glasstorch.backends.mps") is gt.backends.mps
