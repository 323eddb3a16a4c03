import pytest

import glasstorch as gt


@pytest.fixture(autouse=True, params=["fast", "reference", "compiled"])
def kernel_set(request):
    """Every op test runs under each kernel set (glasstorch.kernels)."""
    before = gt.get_kernels()
    gt.set_kernels(request.param)
    yield request.param
    gt.set_kernels(before)
