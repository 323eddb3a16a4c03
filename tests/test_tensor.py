import numpy as np
import pytest
import torch

import glasstorch as gt


def test_creation_dtypes_follow_torch():
    assert gt.tensor([1.0, 2.0]).dtype == gt.float32
    assert gt.tensor([1, 2]).dtype == gt.int64
    assert gt.tensor([True]).dtype == gt.bool
    assert gt.tensor(np.zeros(2)).dtype == gt.float64
    assert gt.Tensor([1]).dtype == gt.float32
    assert gt.Tensor(2, 3).shape == (2, 3)
    assert gt.arange(5).dtype == gt.int64 and gt.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    assert gt.linspace(0, 1, 5).tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    assert gt.eye(3).sum().item() == 3
    assert gt.full((2, 2), 7).dtype == gt.int64 and gt.full((2,), 1.5).tolist() == [1.5, 1.5]
    assert gt.zeros_like(gt.ones(2, dtype=gt.float64)).dtype == gt.float64
    assert gt.ones(2, 3, requires_grad=True).requires_grad


def test_from_numpy_shares_memory():
    a = np.zeros(3, dtype=np.float32)
    t = gt.from_numpy(a)
    a[1] = 5
    assert t.tolist() == [0, 5, 0]


def test_manual_seed_reproduces_random_tensors():
    gt.manual_seed(42)
    a = [gt.rand(3), gt.randn(2, 2), gt.randint(0, 10, (4,)), gt.randperm(5), gt.normal(0.0, 1.0, (2,))]
    gt.manual_seed(42)
    b = [gt.rand(3), gt.randn(2, 2), gt.randint(0, 10, (4,)), gt.randperm(5), gt.normal(0.0, 1.0, (2,))]
    for x, y in zip(a, b):
        assert x.equal(y)
    assert sorted(gt.randperm(6).tolist()) == list(range(6))
    g = gt.Generator().manual_seed(1)
    assert gt.rand(2, generator=g).equal(gt.rand(2, generator=gt.Generator().manual_seed(1)))


@pytest.mark.parametrize("build", [
    lambda L: L.tensor([1.0, 2.5, -3.0]),
    lambda L: L.tensor([1.0, 2.0]),
    lambda L: L.tensor([[1, 2], [3, 4]]),
    lambda L: L.tensor([True, False]),
    lambda L: L.tensor(3.5),
    lambda L: L.tensor([1.0, 2.0], requires_grad=True),
    lambda L: L.tensor([1.0, 2.0], dtype=L.float64),
    lambda L: L.tensor([0.001, 20000.0]),
    lambda L: L.tensor([1.5], requires_grad=True) * 2,
])
def test_repr_matches_torch(build):
    ours, ref = repr(build(gt)), repr(build(torch))
    ref = ref.replace("MulBackward0", "MulBackward0")
    assert ours == ref


def test_scalar_conversions_and_errors():
    assert gt.tensor([2.5]).item() == 2.5 and float(gt.tensor(1.5)) == 1.5 and int(gt.tensor(3)) == 3
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        gt.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(gt.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        gt.tensor([1.0], requires_grad=True).numpy()


def test_conversions_and_devices():
    x = gt.tensor([1.5, 2.5])
    assert x.long().tolist() == [1, 2] and x.double().dtype == gt.float64 and x.to(gt.int64).dtype == gt.int64
    assert x.to("cpu") is x and x.cpu() is x and x.device == gt.device("cpu")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")
    assert not gt.cuda.is_available()
    assert x.clone().equal(x) and x.clone() is not x


def test_in_place_helpers():
    x = gt.zeros(3)
    x.fill_(2).add_(1).mul_(2)
    assert x.tolist() == [6, 6, 6]
    x.copy_(gt.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [1, 2, 3]
    x += 1
    assert x.tolist() == [2, 3, 4]
    with pytest.raises(RuntimeError, match="can't be cast"):
        gt.tensor([1, 2]).add_(0.5)
