"""The kernel contract (glasstorch/kernels/contract.py) is what every kernel set implements, and register() holds a
new set to it."""
import types

import pytest

from glasstorch import kernels
from glasstorch.kernels import contract, fast, reference


def test_every_set_implements_every_kernel_of_the_contract_with_its_parameters():
    from glasstorch.kernels import compiled

    assert {"reference", "fast"} <= set(kernels.SETS) <= {"reference", "fast", "compiled"}
    assert kernels.NAMES == ("reference", "fast", "compiled")
    assert len(contract.KERNELS) == 11 and "conv2d_backward" in contract.KERNELS and "sum_rows" in contract.KERNELS
    for module in (reference, fast, compiled):
        contract.check(module.__name__, module)


def _copy_of(module, **changes):
    copy = types.ModuleType("incomplete")
    copy.__dict__.update({name: getattr(module, name) for name in contract.KERNELS})
    copy.__dict__.update(changes)
    return copy


def test_register_refuses_a_set_without_a_kernel_naming_the_kernel():
    incomplete = _copy_of(reference)
    del incomplete.relu_backward
    with pytest.raises(TypeError, match=r"kernel set 'partial' \(incomplete\) has no relu_backward\(\)"):
        kernels.register("partial", incomplete)
    assert "partial" not in kernels.SETS


def test_register_refuses_a_kernel_with_other_parameters():
    def conv2d_backward(grad_output, x, weight, x_shape, geometry, need_x, need_w, need_b):    # no weight_shape
        raise AssertionError("never called")

    with pytest.raises(TypeError, match=r"conv2d_backward\(grad_output, x, weight, x_shape, geometry, .*\) should "
                                        r"take \(grad_output, x, weight, x_shape, weight_shape, geometry"):
        kernels.register("old", _copy_of(reference, conv2d_backward=conv2d_backward))
    assert "old" not in kernels.SETS


def test_a_registered_set_is_chosen_by_name_and_runs_the_ops(monkeypatch):
    import glasstorch as gt

    calls = []

    def relu(x):
        calls.append(x.shape)
        return reference.relu(x)

    monkeypatch.setitem(kernels.SETS, "counting", None)
    kernels.register("counting", _copy_of(reference, relu=relu))
    previous = kernels.get_kernels()
    try:
        gt.set_kernels("counting")
        assert gt.relu(gt.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0] and calls == [(2,)]
    finally:
        gt.set_kernels(previous)
