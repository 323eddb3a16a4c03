"""The fast kernels against the reference kernels on batches that are really split over threads (1, 2 and 3
threads; batches of 6, 7 and 9, uneven slices included), forward and every gradient, as the ops call them."""
import numpy as np
import pytest

import glasstorch as gt
import glasstorch.nn.functional as F
from oracle import randn

OPS = {
    "conv2d 3x3 pad 1": (lambda x, w: F.conv2d(x, w, padding=1), (4, 3, 3, 3)),
    "conv2d 5x5 stride 2": (lambda x, w: F.conv2d(x, w, stride=2), (5, 3, 5, 5)),
    "conv2d 1x1": (lambda x, w: F.conv2d(x, w), (6, 3, 1, 1)),
    "conv2d groups dilation": (lambda x, w: F.conv2d(x, w, padding=2, dilation=2, groups=3), (6, 1, 3, 3)),
    "max_pool2d": (lambda x, w: F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 3, 2, 1, ceil_mode=True),
                   (4, 3, 3, 3)),
    "avg_pool2d": (lambda x, w: F.avg_pool2d(F.conv2d(x, w) + x[:, :1, 1:-1, 1:-1], 2, count_include_pad=False,
                                             padding=1), (2, 3, 3, 3)),
    "relu of a sum": (lambda x, w: F.relu(F.conv2d(x, w, padding=1) + F.conv2d(x, w, padding=1) * 0.5),
                      (3, 3, 3, 3)),
}


def run(name, batch, kernels, threads):
    fn, weight_shape = OPS[name]
    gt.set_kernels(kernels)
    gt.set_num_threads(threads)
    x = gt.tensor(randn(batch, 3, 11, 10, seed=batch), requires_grad=True)
    w = gt.tensor(randn(*weight_shape, seed=7), requires_grad=True)
    out = fn(x, w)
    (out * gt.tensor(randn(*out.shape, seed=3))).sum().backward()
    return out.detach().numpy().copy(), x.grad.numpy().copy(), w.grad.numpy().copy()


@pytest.fixture
def restore():
    kernels, threads = gt.get_kernels(), gt.get_num_threads()
    yield
    gt.set_kernels(kernels)
    gt.set_num_threads(threads)


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("batch", [6, 7, 9])
@pytest.mark.parametrize("kernels", ["fast", "compiled"])
def test_kernels_equal_the_reference_under_1_2_and_3_threads(restore, name, batch, kernels):
    expected = run(name, batch, "reference", 1)
    for threads in (1, 2, 3):
        for part, (got, want) in enumerate(zip(run(name, batch, kernels, threads), expected)):
            # float32 sums of ~600 products: the reference's own dL/dW is 3e-5 from float64 at an entry near 0.09
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-4,
                                       err_msg=f"{('output', 'dL/dx', 'dL/dW')[part]}, {threads} threads")


def test_switching_kernel_sets_and_the_environment_variable(restore, tmp_path):
    import subprocess
    import sys

    gt.set_kernels("reference")
    assert gt.get_kernels() == "reference"
    x = gt.randn(2, 1, 5, 5, requires_grad=True)
    y = F.max_pool2d(x, 2)
    gt.set_kernels("fast")
    y.sum().backward()               # the backward uses the set its forward ran with
    assert y.grad_fn.kernels is gt.kernels.reference and x.grad.sum().item() == 8.0
    with pytest.raises(ValueError, match="unknown kernel set 'gpu'"):
        gt.set_kernels("gpu")
    probe = "import glasstorch as g; print(g.get_kernels())"
    for value, expected in (("reference", "reference"), ("", "compiled")):
        env = {"PATH": "/usr/bin:/bin", "GLASSTORCH_KERNELS": value} if value else {"PATH": "/usr/bin:/bin"}
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
        assert out.stdout.strip() == expected, out.stderr


@pytest.mark.parametrize("second", ["reference", "fast", "compiled"])
def test_every_set_takes_the_compiled_sets_batch_innermost_activations(restore, second):
    """The contract lets a set return any layout and every set take any: a convolution's batch-innermost output
    from the compiled set goes through pooling, ReLU, a convolution and a sum of another set (switched after the
    first op), forward and backward, with PyTorch's values and gradients."""
    import torch

    rng = np.random.default_rng(1)
    x, w1, w2 = (rng.standard_normal(shape).astype(np.float32) for shape in ((3, 4, 8, 8), (6, 4, 3, 3), (5, 6, 3, 3)))
    results = []
    for lib in (gt, torch):
        F_ = lib.nn.functional
        xs, a, b = (lib.tensor(v, requires_grad=True) for v in (x, w1, w2))
        if lib is gt:
            gt.set_kernels("compiled")
        h = F_.conv2d(xs, a, padding=1)
        if lib is gt:
            gt.set_kernels(second)
        y = F_.conv2d(F_.relu(F_.max_pool2d(h, 2)), b, padding=1) + F_.avg_pool2d(F_.relu(h), 2)[:, :5]
        y.sum().backward()
        results.append([t.detach().numpy() for t in (y, xs.grad, a.grad, b.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


# (input H, W, kernel, stride, padding, dilation): kernels with offsets that read only padding
TRIMMED = [(1, 1, 3, 1, 1, 1), (2, 2, 3, 2, 1, 1), (1, 3, 3, 1, 1, 1), (2, 2, 5, 1, 2, 1), (1, 1, 3, 1, 2, 2)]


@pytest.mark.parametrize("h,w,k,s,p,d", TRIMMED, ids=str)
def test_kernel_offsets_that_read_only_padding_are_skipped_with_the_same_results(restore, h, w, k, s, p, d):
    """ResNet-18's last stage on 32x32 images (3x3, padding 1, on 1x1): the fast set convolves by the centre alone,
    and every value and gradient stays the reference set's (which multiplies the zeros)."""
    from glasstorch.kernels.geometry import ConvGeometry, taps_touching_input

    out = ((h + 2 * p - d * (k - 1) - 1) // s + 1, (w + 2 * p - d * (k - 1) - 1) // s + 1)
    window = taps_touching_input(ConvGeometry((k, k), (s, s), (p, p, p, p), (d, d), 1, out), (h, w))
    assert window is not None and window.geometry.out_hw == out
    assert window.geometry.kernel < (k, k) or window.geometry.kernel[1] < k

    def conv(kernels, weight, grad):
        gt.set_kernels(kernels)
        x = gt.tensor(randn(3, 4, h, w, seed=1), requires_grad=True)
        wt = gt.tensor(weight, requires_grad=True)
        y = F.conv2d(x, wt, stride=s, padding=p, dilation=d)
        y.backward(gt.tensor(grad(y.shape)))
        return y.detach().numpy(), x.grad.numpy(), wt.grad.numpy()

    weight = randn(5, 4, k, k, seed=2)
    finite = lambda shape: randn(*shape, seed=3)                           # noqa: E731
    for a, b in zip(conv("fast", weight, finite), conv("reference", weight, finite)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # where a skipped offset would have made NaN (0 x inf), the fast set does not skip it: dL/dW is the reference's
    # (and PyTorch's); for the forward pass, see test_edges' conv2d samples
    weight[:, :, 0, 0] = np.inf
    infinite = lambda shape: np.full(shape, np.inf, dtype=np.float32)      # noqa: E731
    fast, reference = conv("fast", weight, infinite), conv("reference", weight, infinite)
    np.testing.assert_array_equal(np.isnan(fast[2]), np.isnan(reference[2]))
    import torch

    x = torch.tensor(randn(3, 4, h, w, seed=1))
    wt = torch.tensor(weight, requires_grad=True)
    y = torch.nn.functional.conv2d(x, wt, stride=s, padding=p, dilation=d)
    y.backward(torch.tensor(infinite(tuple(y.shape))))
    np.testing.assert_array_equal(np.isnan(fast[2]), np.isnan(wt.grad.numpy()))
    assert np.isnan(fast[2]).any()


def test_kernels_that_read_the_input_everywhere_are_not_trimmed():
    from glasstorch.kernels.geometry import ConvGeometry, taps_touching_input

    assert taps_touching_input(ConvGeometry((3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, (4, 4)), (4, 4)) is None
    assert taps_touching_input(ConvGeometry((3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1, (1, 1)), (3, 3)) is None


# (kernel, padding): the fast set's three dL/dx algorithms (scatter for 1x1, the gather, the gather by kernel rows)
INFINITE_WEIGHT = [(1, 1), (3, 1), (3, 0), (5, 0), (5, 2)]


@pytest.mark.parametrize("k,p", INFINITE_WEIGHT, ids=str)
@pytest.mark.parametrize("kernel_set", ["reference", "fast", "compiled"])
@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_an_infinite_weight_gives_pytorchs_input_gradient(restore, kernel_set, k, p):
    """dL/dx never multiplies the padding (it is dL/dy times the weights the input met): with an infinite weight
    it has no NaN in PyTorch, in float32 and float64 alike. The fast set's gathers multiply the zeros around dL/dy
    by every weight, so a weight that is not finite sends its dL/dx to the scatter. inf - inf = NaN inside is a
    result, not a RuntimeWarning, in the worker threads too (NumPy's error settings are per thread)."""
    import torch

    x = randn(4, 2, 12, 12, seed=1)
    weight = randn(3, 2, k, k, seed=2)
    weight[1, 0, 0, 0], weight[2, 1, k - 1, 0] = np.inf, -np.inf
    gt.set_kernels(kernel_set)
    gt.set_num_threads(2)
    xs = gt.tensor(x, requires_grad=True)
    y = F.conv2d(xs, gt.tensor(weight), padding=p)
    y.backward(gt.ones_like(y))
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.conv2d(xt, torch.tensor(weight), padding=p)
    yt.backward(torch.ones_like(yt))
    np.testing.assert_array_equal(np.isnan(xs.grad.numpy()), np.isnan(xt.grad.numpy()))
    np.testing.assert_allclose(xs.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
