"""Views share storage, version counters catch stale saved values, in-place ops are graph nodes: every case run in
glasstorch and in PyTorch, which must both raise (the same message) or agree on every value and gradient."""
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings

import glasstorch as gt
from glasstorch import nn
from glasstorch.nn import functional as F

from programs import assert_same, run, steps

X = np.array([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]])


def both(program):
    """program(lib, x) -> tensors to compare, x a float64 leaf that requires grad; it calls backward itself.
    Returns (glasstorch result, PyTorch result): ("raised", message) or ("ok", values, x.grad)."""
    results = []
    for lib in (gt, torch):
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        try:
            values = program(lib, x)
        except RuntimeError as error:
            results.append(("raised", str(error)))
            continue
        results.append(("ok", [v.detach().numpy().copy() for v in values],
                        None if x.grad is None else x.grad.numpy().copy()))
    return results


def assert_agree(program):
    ours, reference = both(program)
    assert ours[0] == reference[0], f"glasstorch {ours}, PyTorch {reference}"
    if ours[0] == "raised":
        assert ours[1] == reference[1]
        return
    for mine, theirs in zip(ours[1], reference[1]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)
    assert (ours[2] is None) == (reference[2] is None), (ours[2], reference[2])
    if ours[2] is not None:
        np.testing.assert_allclose(ours[2], reference[2], rtol=1e-12, atol=1e-14)


def backward_of(*tensors):
    sum((t * (k + 1.5)).sum() for k, t in enumerate(tensors)).backward()
    return tensors


# ------------------------------------------------------------ a saved value changed in place: backward raises
@pytest.mark.parametrize("program", [
    lambda lib, x: (lambda y: (lambda z: (y.mul_(10), backward_of(z)))(x * y))(x * 1.0)[1],
    lambda lib, x: (lambda y: (y.zero_(), backward_of(y)))(x.tanh())[1],
    lambda lib, x: (lambda y: (y.add_(1), backward_of(y)))(x.sigmoid())[1],
    lambda lib, x: (lambda y: (y.div_(2), backward_of(y)))(x.exp())[1],
    lambda lib, x: (lambda y: (lambda z: (y.add_(1), backward_of(z)))(y ** 2))(x + 0)[1],
    lambda lib, x: (lambda y: (y[0].zero_(), backward_of(y)))(x.tanh())[1],
    lambda lib, x: (lambda y: (y.detach().add_(1), backward_of(y)))(x.exp())[1],
    lambda lib, x: (lambda w: (lambda z: (w.add_(1), backward_of(z)))(x * w))(lib.ones(2, 3, dtype=lib.float64)),
    lambda lib, x: (lambda y: (y.exp_(), y.add_(1), backward_of(y)))(x * 1)[2],
], ids=["mul-saved-other", "tanh-output", "sigmoid-output", "exp-output", "pow-input", "through-a-view",
        "through-detach", "constant-operand", "exp_-saves-its-result"])
def test_a_changed_saved_value_raises_pytorchs_message(program):
    ours, reference = both(program)
    assert reference[0] == "raised" and ours == reference


def test_the_message_names_the_tensor_the_op_and_both_versions():
    x = gt.tensor([0.5, 1.0, 2.0], dtype=gt.float64, requires_grad=True)
    y = x.tanh()
    y.zero_()
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[torch.DoubleTensor \[3\]\], which is "
                                           r"output 0 of Tanh, is at version 1; expected version 0 instead"):
        y.sum().backward()


# ------------------------------------------------------------ in-place ops that no backward needs change nothing else
@pytest.mark.parametrize("program", [
    lambda lib, x: (lambda y: (lambda z: (y.mul_(5), backward_of(z)))(y + 1))(x * 2)[1],
    lambda lib, x: (lambda y: (y.mul_(2), backward_of(y)))(x + 0)[1],
    lambda lib, x: (lambda y: (y.data.add_(1), backward_of(y)))(x.exp())[1],
    lambda lib, x: (lambda y: (lambda v: (v.mul_(2), backward_of(y)))(y.view(-1)))(x + 0)[1],
    lambda lib, x: (lambda y: (y[0:1].mul_(3), backward_of(y)))(x + 0)[1],
    lambda lib, x: (lambda y: (y.t()[1].add_(x[0, :2] * 4), backward_of(y)))(x * 1)[1],
    lambda lib, x: (lambda y: (lambda v1, v2: (v1.mul_(2), backward_of(v2 * 3, y)))(y[0], y[:, 1]))(x + 0)[1],
    lambda lib, x: (lambda y: (lambda v: (y.mul_(2), backward_of(v)))(y[1]))(x + 0)[1],
    lambda lib, x: (lambda y: (y.view(3, 2)[1:].t()[0].sub_(x[1, :2]), backward_of(y)))(x.sin())[1],
    lambda lib, x: (lambda c: (c[1].copy_(x[0] * 2), backward_of(c)))(lib.zeros(2, 3, dtype=lib.float64))[1],
    lambda lib, x: (lambda c: (c.__setitem__((0, slice(1, 3)), x[1, :2].exp()), backward_of(c)))(
        lib.ones(2, 3, dtype=lib.float64))[1],
    lambda lib, x: (lambda y: (y.masked_fill_(x > 0, 0.5), backward_of(y)))(x * 3)[1],
    lambda lib, x: (lambda y: (y.clamp_(-0.5, 0.5), backward_of(y)))(x * 1)[1],
    lambda lib, x: (lambda y: (y.relu_(), backward_of(y)))(x * 1)[1],
    lambda lib, x: (lambda y: (lib.nn.functional.relu(y, inplace=True), backward_of(y)))(x * 1)[1],
    lambda lib, x: (lambda y: (lib.nn.ReLU(inplace=True)(y), backward_of(y)))(x - 0.2)[1],
    lambda lib, x: (lambda y: (lib.nn.LeakyReLU(0.1, inplace=True)(y), backward_of(y)))(x - 0.2)[1],
    lambda lib, x: (lambda y: (y.exp_(), y.neg_(), backward_of(y)))(x * 1)[2],
    lambda lib, x: (lambda y: (y.sqrt_(), backward_of(y)))(x * x + 1)[1],
    lambda lib, x: (lambda y: (y.pow_(3), backward_of(y)))(x * 1)[1],
    lambda lib, x: (lambda y: (y.addcmul_(x, x, value=0.5), backward_of(y)))(x * 2)[1],
    lambda lib, x: (lambda y: (y.addcdiv_(x, x * x + 1, value=2), backward_of(y)))(x * 2)[1],
    lambda lib, x: (lambda y: (y.fill_(2.0), backward_of(y)))(x * 2)[1],
    lambda lib, x: (lambda y: (y.zero_(), backward_of(y, x)))(x * 2)[1],
    lambda lib, x: (lambda y: (y.index_put_((lib.tensor([0, 0]),), x[1] * 2, accumulate=True), backward_of(y)))(
        x * 1)[1],
    lambda lib, x: (lambda y: (y.copy_(x.t().t() * 3), backward_of(y)))(x * 1)[1],
], ids=["unsaved-y", "plain", "through-data", "view-flat", "slice-rows", "t-row-with-graph-operand",
        "two-views", "base-after-view", "chained-views", "copy_-into-constant-row", "setitem-graph-value",
        "masked_fill_", "clamp_", "relu_", "F.relu-inplace", "nn.ReLU-inplace", "nn.LeakyReLU-inplace",
        "exp_-neg_", "sqrt_", "pow_", "addcmul_", "addcdiv_", "fill_", "zero_", "index_put_-accumulate", "copy_"])
def test_in_place_ops_and_views_give_pytorchs_values_and_gradients(program):
    assert_agree(program)


def test_views_share_storage_and_versions_without_autograd():
    results = []
    for lib in (gt, torch):
        a = lib.zeros(4, 3)
        a[1].fill_(5)
        a.t()[0].add_(1)
        a.view(-1)[0] = 7
        a.detach().mul_(2)
        row = a[2]
        a[2:4].unsqueeze(0).squeeze(0)[:, 1] = -1
        a.select(1, 2).narrow(0, 1, 2).mul_(3)
        a.transpose(0, 1).permute(1, 0)[3].sub_(0.5)
        data = a.data
        data.add_(1)
        results.append((a.numpy().copy(), row.numpy().copy(), a._version, row._version, data._version))
    (ours, *our_versions), (theirs, *their_versions) = results
    np.testing.assert_array_equal(ours, theirs)
    assert our_versions[1:] == their_versions[1:] and our_versions[0].tolist() == their_versions[0].tolist()


def test_in_place_errors_name_the_rule():
    for lib in (gt, torch):
        leaf = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            leaf.mul_(2)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used"):
            leaf[0:2].mul_(2)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used"):
            leaf[3:].mul_(2)                               # an empty view is a view too (NumPy says it shares nothing)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used"):
            leaf[0] = 2.0                                  # PyTorch writes through the view leaf[0]
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single"):
            lib.zeros(3).expand(2, 3).mul_(2)
        with pytest.raises(RuntimeError, match="some elements of the input tensor and the written-to tensor refer"):
            c = lib.zeros(4)
            c[0:2].copy_(c[1:3])
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
            lib.zeros(3, dtype=lib.int64).mul_(1.5)
        with lib.no_grad():
            leaf.mul_(2)                                   # an optimizer's update: allowed, and counted
        assert leaf._version == 1


def test_a_graph_built_earlier_keeps_its_edges_after_an_in_place_op():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y + 1
    node = z.grad_fn
    y.mul_(5)
    assert z.grad_fn is node and y.grad_fn is not node.next_functions[0][0]
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_an_optimizer_step_bumps_the_version_so_a_stale_graph_is_refused():
    for lib in (gt, torch):
        model = lib.nn.Linear(3, 1)
        loss = model(lib.randn(4, 3)).sum() + (model.weight ** 2).sum()    # pow saves the weight
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        loss.backward(retain_graph=True)
        optimizer.step()
        with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[torch.FloatTensor \[1, 3\]\] is "
                                               r"at version (\d+); expected version (\d+)"):
            loss.backward()


def test_backward_inputs_accumulates_only_into_the_given_leaves():
    a, b = gt.ones(2, requires_grad=True), gt.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(steps)
# found by this test: an in-place op on an empty view of the leaf (x[:, 1:][:, 1:][:, 1:]); a view written into
# through t[0:1] = ... and then changed in place (PyTorch writes through the view t[0:1], so t keeps no history)
@example([("view", 0, 0, 41), ("unary", 0, 0, 0), ("unary", 0, 0, 0), ("view", 12, 0, 41), ("unary", 0, 0, 0),
          ("view", 12, 0, 41), ("inplace", 7, 0, 0)])
@example([("view", 1, 0, 0), ("inplace", 8, 0, 79), ("inplace", 2, 0, 0)])
def test_random_programs_agree_with_pytorch(program):
    assert_same(run(gt, program), run(torch, program), program)


def test_the_public_array_accessor_counts_every_change_it_makes():
    """nn, optim, train, distributed and vision read a tensor through .array and change it only through write_()
    or modify(): each change is one more version, so a value saved for backward that changed is refused."""
    w = gt.ones(3, requires_grad=True)
    assert np.shares_memory(w.array, w.detach().numpy())
    for change in (lambda: w.write_(2.0), lambda: w.write_(gt.zeros(1), index=slice(0, 1))):
        loss = (w * w).sum()                 # saves w for dL/dw = 2 w
        version = w._version
        change()
        assert w._version == version + 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()
    loss = (w * w).sum()
    with w.modify() as values:
        values *= 3
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    assert w.tolist() == [0.0, 6.0, 6.0]
    optimizer = gt.optim.SGD([w], lr=0.5)
    w.grad, version = gt.ones(3), w._version
    optimizer.step()
    assert w._version == version + 1 and w.tolist() == [-0.5, 5.5, 5.5]
