"""ops/formula.py: an op's derivative is one formula that runs on arrays (a plain backward) and on tensors
(create_graph=True, so that it can be differentiated again). Both runs must give the same first derivative, for
every sample of the edge table that has a gradient, and the mapping of saved arrays to tensors must keep the
second derivative (a formula that cut its input from the graph would lose it)."""
import numpy as np
import pytest

import glasstorch as gt
from glasstorch.ops.formula import ARRAYS, TENSORS, Formula
from ops.op_table import TABLE
from ops.test_edges import Raised, _leaves, _numpy, _weights, run


def _formula_ops():
    found, stack = [], [Formula]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("op", [op for op in TABLE if op.grad], ids=lambda op: op.name)
def test_the_formula_gives_one_first_derivative_on_arrays_and_on_tensors(op):
    for sample in op.samples():
        if not sample.grad or sample.kind == "error":
            continue
        inputs, outputs = run(gt, op, sample, True)
        if isinstance(outputs, Raised):
            continue
        outputs = [o for o in outputs if isinstance(o, gt.Tensor) and o.requires_grad]
        leaves = [leaf for leaf in _leaves(inputs) if leaf.requires_grad]
        if not outputs or not leaves:
            continue
        weights = _weights(outputs, gt)
        on_arrays = gt.autograd.grad(outputs, leaves, weights, retain_graph=True, allow_unused=True)
        on_tensors = gt.autograd.grad(outputs, leaves, weights, create_graph=True, allow_unused=True)
        for a, t in zip(on_arrays, on_tensors):
            assert (a is None) == (t is None), sample
            if a is not None:
                np.testing.assert_allclose(_numpy(t), _numpy(a), rtol=1e-5, atol=1e-6, equal_nan=True,
                                           err_msg=f"{op.name} {sample.kind}")


def test_every_formula_op_writes_its_gradient_and_the_two_namespaces_offer_the_same_functions():
    ops = _formula_ops()[1:]
    assert len(ops) >= 30 and all(cls.gradient is not Formula.gradient for cls in ops)
    public = {name for name in vars(ARRAYS) if not name.startswith("_")}
    assert public == {name for name in vars(TENSORS) if not name.startswith("_")}


def test_saved_inputs_and_outputs_stay_in_the_graph():
    """sigmoid saves its output: d/dx of dL/dx = g y (1 - y) must see y as sigmoid(x), not as a constant."""
    x = gt.tensor([0.3, -1.2], dtype=gt.float64, requires_grad=True)
    (first,) = gt.autograd.grad(x.sigmoid().sum(), x, create_graph=True)
    (second,) = gt.autograd.grad(first.sum(), x)
    s = 1 / (1 + np.exp(-x.detach().numpy()))
    np.testing.assert_allclose(second.numpy(), s * (1 - s) * (1 - 2 * s), rtol=1e-12)
