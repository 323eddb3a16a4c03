"""Gradients of gradients: create_graph=True through every op family, checked by finite differences of the first
gradient (gradgradcheck, float64) and against PyTorch (Hessian-vector products, a gradient penalty)."""
import numpy as np
import pytest
import torch

import glasstorch as gt
from course import load_program
from glasstorch import models

RNG = np.random.default_rng(7)


def data(*shape, positive=False):
    values = RNG.standard_normal(shape)
    return np.abs(values) + 0.5 if positive else values


# (name, fn(lib, *tensors), input arrays): fn is written once and runs in both frameworks
OPS = [
    ("add-broadcast", lambda L, a, b: a + b, [data(3, 4), data(4)]),
    ("sub", lambda L, a, b: a - b * 2, [data(3, 4), data(3, 4)]),
    ("mul-broadcast", lambda L, a, b: a * b, [data(2, 3), data(2, 1)]),
    ("div", lambda L, a, b: a / b, [data(3, 4), data(3, 4, positive=True)]),
    ("pow-tensor", lambda L, a, b: a ** b, [data(3, 2, positive=True), data(3, 2)]),
    ("pow-scalar", lambda L, a: a ** 3, [data(5)]),
    ("neg-exp-log-sqrt", lambda L, a: (-a).exp() + a.log() + a.sqrt(), [data(6, positive=True)]),
    ("sin-cos", lambda L, a: a.sin() * a.cos(), [data(6)]),
    ("tanh-sigmoid", lambda L, a: a.tanh() * a.sigmoid(), [data(2, 5)]),
    ("relu-leaky-abs-clamp", lambda L, a: (a.relu() + L.nn.functional.leaky_relu(a, 0.1) + a.abs()
                                          + a.clamp(-0.5, 0.5)) * a, [data(8)]),
    ("where", lambda L, a, b: L.where(a > 0, a * a, b * a), [data(7), data(7)]),
    ("sum-mean", lambda L, a: a.sum(1) * a.mean(0).sum() + (a * a).sum(), [data(3, 4)]),
    ("reshape-permute-expand-index", lambda L, a: (a.reshape(2, 6).t()[1:4] * a.unsqueeze(0).expand(2, 3, 4)
                                                  .reshape(6, 4)[:, :2].reshape(-1)[:6].reshape(3, 2)).tanh(),
     [data(3, 4)]),
    ("cat-pad", lambda L, a, b: L.nn.functional.pad(L.cat([a, b * b], 1), (1, 2)).sin(), [data(2, 3), data(2, 2)]),
    ("matmul", lambda L, a, b: (a @ b).tanh() @ b.t(), [data(3, 4), data(4, 2)]),
    ("matmul-vector", lambda L, a, b: (a @ b).sin(), [data(4), data(4, 3)]),
    ("linear", lambda L, x, w, b: L.nn.functional.linear(x, w, b).tanh(), [data(5, 3), data(2, 3), data(2)]),
    ("softmax-log-softmax", lambda L, a: a.softmax(1) * a.log_softmax(1), [data(3, 5)]),
    ("cross-entropy", lambda L, a: L.nn.functional.cross_entropy(a * a, L.tensor([1, 0, 3])), [data(3, 4)]),
    ("mse", lambda L, a, b: L.nn.functional.mse_loss(a.tanh(), b), [data(3, 4), data(3, 4)]),
    ("conv2d", lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1).tanh(),
     [data(2, 2, 5, 5), data(3, 2, 3, 3), data(3)]),
    ("conv2d-stride-dilation-groups", lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2, dilation=2, groups=2)
     .sin(), [data(1, 4, 7, 7), data(4, 2, 2, 2)]),
    ("max-pool", lambda L, x: L.nn.functional.max_pool2d(x * x, 2) * x[:, :, :3, :3], [data(2, 2, 6, 6)]),
    ("avg-pool", lambda L, x: L.nn.functional.avg_pool2d(x, 3, stride=1, padding=1).tanh(), [data(1, 2, 5, 5)]),
    ("adaptive-avg-pool", lambda L, x: L.nn.functional.adaptive_avg_pool2d(x * x, 1), [data(2, 3, 4, 4)]),
    ("maximum-minimum", lambda L, a, b: L.maximum(a, b) * L.minimum(a * 2, b), [data(6), data(6)]),
    ("var-logsumexp", lambda L, a: a.var(1) * a.logsumexp(1) + a.logsumexp(0, keepdim=True).sum(), [data(3, 4)]),
    ("softplus-elu", lambda L, a: L.nn.functional.softplus(a * 3) * L.nn.functional.elu(a), [data(8)]),
    ("batch-norm-train", lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, training=True).tanh(),
     [data(4, 3, 2, 2), data(3), data(3)]),
    ("batch-norm-eval", lambda L, x, w: L.nn.functional.batch_norm(x, L.tensor([0.1, -0.2], dtype=L.float64),
                                                                     L.tensor([1.5, 0.7], dtype=L.float64), w,
                                                                     training=False).sin(),
     [data(3, 2), data(2)]),
    ("gelu-both", lambda L, a: L.nn.functional.gelu(a) * L.nn.functional.gelu(a, approximate="tanh"), [data(7)]),
    ("max-min-reductions", lambda L, a: a.max() * a.sin() + a.max(1).values.sum() * a.min(0)[0].sum(),
     [data(3, 4)]),
    ("binary-cross-entropy", lambda L, p, t: L.nn.functional.binary_cross_entropy(p.sigmoid(), t.sigmoid()),
     [data(5), data(5)]),
    ("prod-with-a-zero", lambda L, a: a.prod(1) + (a * a).prod() + a.prod(0, keepdim=True).sum(),
     [np.array([[0.5, -1.2, 0.0], [1.1, 0.7, -0.4]])]),
    ("in-place-on-view", lambda L, a: (lambda y: (y[1:].mul_(a[:2]), y.tanh())[1])(a * 1),
     [data(3, 2)]),
]


def tensors(lib, arrays):
    return [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name,fn,arrays", OPS, ids=[op[0] for op in OPS])
def test_gradgradcheck(name, fn, arrays):
    assert gt.autograd.gradgradcheck(lambda *xs: fn(gt, *xs), tensors(gt, arrays))


@pytest.mark.parametrize("name,fn,arrays", OPS, ids=[op[0] for op in OPS])
def test_hessian_vector_products_match_pytorch(name, fn, arrays):
    """H v = d/dx <d<f, w>/dx, v>, for random w and v, in both frameworks."""
    results = []
    for lib in (gt, torch):
        inputs = tensors(lib, arrays)
        out = fn(lib, *inputs)
        w = lib.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)), dtype=lib.float64)
        grads = lib.autograd.grad(out, inputs, w, create_graph=True)
        vs = [lib.tensor(np.random.default_rng(2 + k).standard_normal(a.shape), dtype=lib.float64)
              for k, a in enumerate(arrays)]
        dot = sum((g * v).sum() for g, v in zip(grads, vs))
        if not dot.requires_grad:           # the gradient does not depend on the inputs: H = 0
            results.append([None] * len(inputs))
            continue
        hvp = lib.autograd.grad(dot, inputs, allow_unused=True)
        results.append([None if h is None else h.detach().numpy() for h in hvp])
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None or not ours.any()
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-10)


def test_a_gradient_penalty_on_the_inception_net_matches_pytorch():
    """loss + ||dloss/dx||^2 (WGAN-GP style) on the course's network: the parameters' gradients agree."""
    torch_net = load_program("inception_net", "torch").Net().double()
    net = models.InceptionNet().double()
    net.load_state_dict({k: gt.tensor(v.detach().numpy()) for k, v in torch_net.state_dict().items()})
    images, labels = np.random.default_rng(3).standard_normal((2, 1, 28, 28)), np.array([3, 7])
    grads = []
    for lib, model in ((gt, net), (torch, torch_net)):
        x = lib.tensor(images, dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(model(x), lib.tensor(labels))
        (dx,) = lib.autograd.grad(loss, x, create_graph=True)
        (loss + 10 * (dx * dx).sum()).backward()
        grads.append({name: p.grad.numpy().copy() for name, p in model.named_parameters()})
    assert grads[0].keys() == grads[1].keys()
    for name in grads[1]:
        np.testing.assert_allclose(grads[0][name], grads[1][name], rtol=1e-7, atol=1e-10, err_msg=name)


def test_create_graph_through_backward_accumulates_a_differentiable_grad():
    for lib in (gt, torch):
        x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        first = x.grad.detach().numpy().copy()
        x.grad.sum().backward()                # adds d(sum 3x^2)/dx = 6x
        np.testing.assert_allclose(x.grad.detach().numpy(), first + 6 * np.array([0.5, -1.0]))


def test_an_op_without_a_differentiable_backward_says_so():
    class Cube(gt.autograd.Function):          # a user's op with only the array backward
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    x = gt.randn(4, dtype=gt.float64, requires_grad=True)
    assert gt.autograd.gradcheck(Cube.apply, [x])
    with pytest.raises(RuntimeError, match=r"CubeBackward0 has no differentiable backward yet, so create_graph=True"):
        gt.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)


def test_gradgradcheck_names_the_input_and_element_when_a_second_derivative_is_wrong(monkeypatch):
    from glasstorch.ops import elementwise

    # the right first derivative, but cut from the graph: the second derivative is lost
    monkeypatch.setattr(elementwise.Sin, "slope",
                        staticmethod(lambda m, x: m.cos(x.detach() if isinstance(x, gt.Tensor) else x)))
    x = gt.tensor([0.3, 1.1], dtype=gt.float64, requires_grad=True)
    with pytest.raises(gt.autograd.GradcheckError, match=r"gradcheck failed for the gradient of .*: input 0, "
                                                         r"element \(0,\)"):
        gt.autograd.gradgradcheck(lambda a: a.sin(), [x])
