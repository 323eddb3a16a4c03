"""PyTorch's type promotion (glasstorch/ops/promotion.py): dimensioned tensors outrank 0-d tensors, which outrank
Python numbers, within the highest category (bool < integer < floating)."""
import torch

import glasstorch as gt
from glasstorch.ops.promotion import result_dtype


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


def test_result_dtype_of_several_operands_follows_torch_clamp():
    """clamp(x, lo, hi) promotes x with both bounds, as torch.clamp does."""
    cases = [(gt.int64, 0.5, None), (gt.int64, 1, 3), (gt.float32, gt.tensor(0.5, dtype=gt.float64), None),
             (gt.uint8, gt.tensor([1], dtype=gt.int64), None), (gt.float32, gt.tensor([1.0], dtype=gt.float64), gt.tensor(2.0))]
    for dtype, lo, hi in cases:
        x = gt.zeros(2, dtype=dtype)
        to_torch = lambda v: torch.tensor(v.numpy()) if isinstance(v, gt.Tensor) else v   # noqa: E731
        expected = torch.clamp(to_torch(x), to_torch(lo), to_torch(hi)).dtype
        assert str(result_dtype(x, *(b for b in (lo, hi) if b is not None))) == str(expected).replace("torch.", "")


def test_clamp_refuses_a_tensor_bound_beside_a_number_bound_as_torch_does():
    for lib in (torch, gt):
        try:
            lib.clamp(lib.zeros(2), lib.tensor([1.0]), 2)
        except TypeError as error:
            assert "clamp" in str(error)
        else:
            raise AssertionError(f"{lib.__name__} accepted clamp(tensor, tensor, number)")
