import numpy as np
import pytest
import torch

import glasstorch as gt


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    w = gt.tensor([2.0], requires_grad=True)
    for _ in range(3):
        (w * 3).sum().backward()
    assert w.grad.tolist() == [9.0]
    w.grad.data.zero_()
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0]


def test_grad_reference_sees_in_place_accumulation():
    w = gt.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    held = w.grad
    (w * 2).sum().backward()
    assert held is w.grad and held.tolist() == [4.0, 4.0]


def test_shared_subexpression_sums_both_paths():
    x = gt.tensor(3.0, requires_grad=True)
    y = x * x
    z = y + y * x           # dz/dx = 2x + 3x^2 = 33
    z.backward()
    assert x.grad.item() == pytest.approx(33.0)


def test_second_backward_through_freed_graph_raises_like_torch():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward_and_accumulates():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_backward_of_non_scalar_needs_gradient():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(gt.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gt.tensor([1.0]).sum().backward()


def test_ten_thousand_op_chain_runs_without_recursion_error():
    x = gt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 10_000, rel=1e-3)


def test_no_grad_context_decorator_and_set_grad_enabled():
    x = gt.tensor([1.0], requires_grad=True)
    with gt.no_grad():
        assert not (x * 2).requires_grad
        with gt.enable_grad():
            assert (x * 2).requires_grad

    @gt.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    with gt.set_grad_enabled(False):
        assert not (x + 1).requires_grad
    assert gt.is_grad_enabled() and (x + 1).requires_grad


def test_tensor_hooks_can_observe_and_replace_gradients():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    y = x * 3
    y.register_hook(lambda g: seen.append(g.tolist()))
    handle = x.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and x.grad.tolist() == [30.0, 30.0]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_keeps_intermediate_gradient():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    assert y.retains_grad
    (y * 2).sum().backward()
    assert y.grad.tolist() == [2.0, 2.0]
    z = x * 2
    z.sum().backward()
    assert z.grad is None


def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    w = gt.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    y = (h * h).sum()
    gx, gh = gt.autograd.grad(y, [x, h])
    assert gx.tolist() == [18.0, 64.0] and gh.tolist() == [6.0, 16.0]
    assert x.grad is None and w.grad is None
    unused = gt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        gt.autograd.grad((x * 2).sum(), [unused])
    assert gt.autograd.grad((x * 2).sum(), [unused], allow_unused=True) == (None,)


def test_in_place_on_leaf_requiring_grad_is_an_error_outside_no_grad():
    w = gt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w.add_(1)
    with gt.no_grad():
        w.sub_(0.5)
    assert w.tolist() == [0.5]


def test_in_place_on_intermediate_is_recorded_like_torch():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        y.mul_(3).sub_(x)
        y[0] = x[1] * 4
        (y * y).sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(run(gt), run(torch))


def test_data_is_detached_and_shares_storage():
    w = gt.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert not d.requires_grad
    d.mul_(2)
    assert w.tolist() == [2.0, 4.0]
    w.data = w.data - 0.5 * gt.ones(2)
    assert w.tolist() == [1.5, 3.5] and w.requires_grad


def test_next_functions_expose_the_graph():
    x = gt.tensor([1.0], requires_grad=True)
    y = (x * 2).exp()
    assert y.grad_fn.name() == "ExpBackward0"
    (mul, _), = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0"
    assert mul.next_functions[0][0].variable is x


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        gt.tensor([1, 2]).requires_grad_()
    x = gt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf variables"):
        (x * 2).requires_grad = False
    assert (x * 2).detach().is_leaf


def test_gradcheck_reports_function_input_index_and_values():
    class BadSquare(gt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x     # wrong: should be 2x

    def square(t):
        return BadSquare.apply(t)

    x = gt.tensor([1.0, 2.0], dtype=gt.float64, requires_grad=True)
    with pytest.raises(gt.autograd.GradcheckError, match=r"square: input 0, element \(0,\).*analytic 3 vs numerical 2"):
        gt.autograd.gradcheck(square, (x,))
    assert gt.autograd.gradcheck(lambda t: t * t, (x,))
    with pytest.raises(TypeError, match="float64"):
        gt.autograd.gradcheck(lambda t: t * t, (gt.tensor([1.0], requires_grad=True),))
