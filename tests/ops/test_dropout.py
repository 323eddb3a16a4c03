"""Dropout (glasstorch/ops/dropout.py)."""
import numpy as np
import pytest

import glasstorch as gt


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
