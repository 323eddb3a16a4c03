import pytest

import glasstorch as gt


@pytest.fixture(autouse=True, params=["fast", "reference"])
def kernel_set(request):
    """Every op test runs under both kernel sets (glasstorch.kernels)."""
    before = gt.get_kernels()
    gt.set_kernels(request.param)
    yield request.param
    gt.set_kernels(before)
