import numpy as np
import pytest

import glasstorch as gt
from oracle import compare, gradcheck, randn

CONFIGS = [
    dict(x=(2, 3, 8, 8), w=(4, 3, 3, 3)),
    dict(x=(2, 3, 9, 7), w=(5, 3, 2, 4), stride=2, padding=1),
    dict(x=(1, 2, 10, 9), w=(3, 2, 3, 2), stride=(2, 3), padding=(2, 1), dilation=(2, 1)),
    dict(x=(2, 4, 6, 6), w=(6, 2, 3, 3), groups=2, padding=1),
    dict(x=(2, 4, 5, 5), w=(4, 1, 3, 3), groups=4),
    dict(x=(3, 5, 7, 7), w=(8, 5, 1, 1)),
    dict(x=(2, 3, 7, 8), w=(4, 3, 4, 3), padding="same"),
    dict(x=(2, 3, 7, 8), w=(4, 3, 3, 3), padding="valid", bias=False),
    dict(x=(3, 6, 6), w=(2, 3, 3, 3)),   # unbatched
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: str(c))
def test_conv2d_matches_torch(config):
    config = dict(config)
    x, w = randn(*config.pop("x"), seed=1), randn(*config.pop("w"), seed=2)
    use_bias = config.pop("bias", True)
    b = randn(w.shape[0], seed=3)

    def fn(L, *t):
        return L.nn.functional.conv2d(t[0], t[1], t[2] if use_bias else None, **config)

    compare(fn, x, w, b)


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[2], CONFIGS[3]], ids=lambda c: str(c))
def test_conv2d_finite_differences(config):
    config = dict(config)
    x, w = randn(1, *config.pop("x")[1:3], 5, seed=4), randn(*config.pop("w"), seed=5)
    b = randn(w.shape[0], seed=6)
    gradcheck(lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, **config), x[:, :, :5], w, b)


def test_conv2d_output_is_nchw_for_downstream_ops():
    x, w = randn(2, 3, 6, 6, seed=1), randn(4, 3, 3, 3, seed=2)
    compare(lambda L, x, w: L.nn.functional.conv2d(x, w).view(2, -1) * 2, x, w)
    compare(lambda L, x, w: L.nn.functional.conv2d(x, w)[:, 1:3].sum(dim=(0, 2)), x, w)


def test_conv2d_errors_name_shapes():
    with pytest.raises(RuntimeError, match=r"conv2d: expected input with 1 channel \(weight shape \(10, 1, 5, 5\)"):
        gt.nn.functional.conv2d(gt.zeros(64, 3, 28, 28), gt.zeros(10, 1, 5, 5))
    with pytest.raises(RuntimeError, match="smaller than the kernel"):
        gt.nn.functional.conv2d(gt.zeros(1, 1, 3, 3), gt.zeros(2, 1, 5, 5))
    with pytest.raises(RuntimeError, match="expected a 3-D .* or 4-D"):
        gt.nn.functional.conv2d(gt.zeros(28, 28), gt.zeros(2, 1, 5, 5))


@pytest.mark.parametrize("config", [c for c in CONFIGS if len(c["x"]) == 4], ids=lambda c: str(c))
def test_both_input_gradient_algorithms_match_torch(config):
    """conv2d picks col2im or a transposed convolution (whole or by kernel row) by cost; each must be exact on
    every geometry, and so must the transposed convolution's dL/dW."""
    import torch

    from glasstorch.kernels.fast import conv_col2im_nhwc, conv_transpose_nhwc, conv_transpose_rows_nhwc
    from glasstorch.ops.conv import _pair, conv_padding

    config = dict(config)
    x, w = randn(*config.pop("x"), seed=1), randn(*config.pop("w"), seed=2)
    config.pop("bias", None)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    out = torch.nn.functional.conv2d(xt, wt, **config)
    g = randn(*out.shape, seed=3)
    out.backward(torch.tensor(g))
    stride, dilation = _pair(config.get("stride", 1), "stride"), _pair(config.get("dilation", 1), "dilation")
    padding = conv_padding(config.get("padding", 0), w.shape[2:], dilation, stride)
    g_nhwc = np.ascontiguousarray(g.transpose(0, 2, 3, 1))
    wider = np.zeros((*g_nhwc.shape[:3], g_nhwc.shape[3] + 5), np.float32)     # dL/dy as a Cat's channel slice
    wider[..., 2:-3] = g_nhwc
    for algorithm in (conv_col2im_nhwc, conv_transpose_nhwc, conv_transpose_rows_nhwc):
        for g_given in (g_nhwc, wider[..., 2:-3]):
            grad = algorithm(g_given, w, x.shape, stride, padding, dilation, config.get("groups", 1))
            np.testing.assert_allclose(grad.transpose(0, 3, 1, 2), xt.grad.numpy(), rtol=1e-4, atol=1e-5,
                                       err_msg=algorithm.__name__)
    # the gather also gives dL/dW from its own im2col blocks, added onto the sums it is handed (per group)
    groups = config.get("groups", 1)
    out_g, in_g, kh, kw = w.shape
    x_nhwc = x.transpose(0, 2, 3, 1)
    for x_given in (np.ascontiguousarray(x_nhwc), x_nhwc):      # channels-last memory, and NCHW memory
        sums = [np.ones((out_g // groups, kh * kw * in_g), np.float32) for _ in range(groups)]
        conv_transpose_nhwc(wider[..., 2:-3], w, x.shape, stride, padding, dilation, groups, x=x_given,
                            weight_grads=sums)
        grad_w = np.concatenate([s.reshape(-1, kh, kw, in_g).transpose(0, 3, 1, 2) for s in sums]) - 1
        np.testing.assert_allclose(grad_w, wt.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_conv2d_weight_and_input_gradients_through_a_channel_slice_match_torch():
    """dL/dy of a convolution whose output is a slice of a Cat (an Inception branch) is read in place: the
    next convolution's channels-last dL/dx, cut along channels."""
    import torch

    x, w1, w2, w3 = (randn(3, 4, 9, 9, seed=1), randn(5, 4, 3, 3, seed=2), randn(6, 4, 5, 5, seed=3),
                     randn(7, 11, 3, 3, seed=4))
    g = randn(3, 7, 7, 7, seed=5)
    grads = {}
    for lib in (gt, torch):
        xs, a, b, c = (lib.tensor(v, requires_grad=True) for v in (x, w1, w2, w3))
        f = lib.nn.functional
        y = lib.cat([f.conv2d(xs, a, padding=1), f.conv2d(xs, b, padding=2)], 1)
        f.conv2d(y, c).backward(lib.tensor(g))
        grads[lib.__name__] = [t.grad.numpy() for t in (xs, a, b, c)]
    for ours, theirs in zip(grads["glasstorch"], grads["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_im2col_blocks_are_twice_the_l2_cache(tmp_path):
    from glasstorch.kernels.fast import _block_bytes

    for index, (level, kind, size) in enumerate([(1, "Data", "48K"), (1, "Instruction", "32K"), (2, "Unified", "1024K"),
                                                 (3, "Unified", "32768K")]):
        folder = tmp_path / f"index{index}"
        folder.mkdir()
        for name, value in (("level", level), ("type", kind), ("size", size)):
            (folder / name).write_text(f"{value}\n")
    assert _block_bytes(tmp_path) == 2 << 20
    assert _block_bytes(tmp_path / "missing") == 1 << 20


def test_conv2d_large_batch_without_grad_equals_the_recorded_path():
    x, w, b = randn(150, 3, 9, 9, seed=5), randn(4, 3, 3, 3, seed=6), randn(4, seed=7)
    with gt.no_grad():
        chunked = gt.nn.functional.conv2d(gt.tensor(x), gt.tensor(w), gt.tensor(b), padding=1)
    compare(lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1), x, w, b, grad=False)
    whole = gt.nn.functional.conv2d(gt.tensor(x, requires_grad=True), gt.tensor(w), gt.tensor(b), padding=1)
    np.testing.assert_allclose(chunked.numpy(), whole.detach().numpy(), rtol=1e-6, atol=1e-6)
