"""Division with rounding modes (glasstorch/ops/division.py) against PyTorch."""
import pytest
import torch

import glasstorch as gt


def test_division_rounding_modes_match_torch():
    for values, divisor in [([7, -7, 5], 2), ([7.5, -7.5, 0.5], 2.0)]:
        for mode in ("floor", "trunc"):
            ours = gt.tensor(values).div(divisor, rounding_mode=mode)
            ref = torch.tensor(values).div(divisor, rounding_mode=mode)
            assert ours.tolist() == ref.tolist() and ours.dtype.name == str(ref.dtype).replace("torch.", "")
    assert (gt.tensor([7, -7]) // 2).tolist() == [3, -4]
    with pytest.raises(ValueError, match="rounding_mode"):
        gt.tensor([1.0]).div(2, rounding_mode="round")
