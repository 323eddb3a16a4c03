"""Every layer against PyTorch's with identical weights: outputs, input gradients and parameter gradients."""
import numpy as np
import pytest
import torch
import torch.nn as tnn

import glasstorch as gt
import glasstorch.nn as nn
from oracle import randn

LAYERS = [
    ("Linear", lambda L: L.nn.Linear(5, 3), (4, 5)),
    ("Linear_nobias", lambda L: L.nn.Linear(5, 3, bias=False), (2, 7, 5)),
    ("Conv2d", lambda L: L.nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 8, 8)),
    ("Conv2d_groups_dilation", lambda L: L.nn.Conv2d(4, 6, (3, 2), dilation=(1, 2), groups=2, bias=False),
     (2, 4, 7, 7)),
    ("Conv2d_same", lambda L: L.nn.Conv2d(2, 3, 3, padding="same"), (1, 2, 5, 6)),
    ("Conv2d_reflect", lambda L: L.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (1, 2, 5, 6)),
    ("Conv2d_replicate", lambda L: L.nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"), (1, 2, 5, 6)),
    ("Conv2d_circular", lambda L: L.nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), (1, 2, 5, 6)),
    ("MaxPool2d", lambda L: L.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 9, 9)),
    ("AvgPool2d", lambda L: L.nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False), (2, 3, 6, 6)),
    ("AdaptiveAvgPool2d", lambda L: L.nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 8)),
    ("BatchNorm1d", lambda L: L.nn.BatchNorm1d(4), (6, 4)),
    ("BatchNorm1d_3d", lambda L: L.nn.BatchNorm1d(4, momentum=None), (6, 4, 3)),
    ("BatchNorm2d", lambda L: L.nn.BatchNorm2d(3, affine=False), (4, 3, 5, 5)),
    ("ReLU", lambda L: L.nn.ReLU(), (3, 4)),
    ("LeakyReLU", lambda L: L.nn.LeakyReLU(0.1), (3, 4)),
    ("Sigmoid", lambda L: L.nn.Sigmoid(), (3, 4)),
    ("Tanh", lambda L: L.nn.Tanh(), (3, 4)),
    ("ReLU6", lambda L: L.nn.ReLU6(), (3, 4)),
    ("Hardtanh", lambda L: L.nn.Hardtanh(-0.5, 0.7), (3, 4)),
    ("LayerNorm", lambda L: L.nn.LayerNorm(4), (3, 4)),
    ("LayerNorm_2d_nobias", lambda L: L.nn.LayerNorm([3, 4], eps=1e-3, bias=False), (2, 3, 4)),
    ("LayerNorm_no_affine", lambda L: L.nn.LayerNorm(4, elementwise_affine=False), (2, 5, 4)),
    ("GELU", lambda L: L.nn.GELU(), (3, 4)),
    ("Softmax", lambda L: L.nn.Softmax(dim=1), (3, 4)),
    ("LogSoftmax", lambda L: L.nn.LogSoftmax(dim=-1), (3, 4)),
    ("Flatten", lambda L: L.nn.Flatten(), (2, 3, 4)),
    ("Identity", lambda L: L.nn.Identity(), (2, 3)),
    ("Sequential", lambda L: L.nn.Sequential(L.nn.Linear(4, 8), L.nn.ReLU(), L.nn.Dropout(0.3), L.nn.Linear(8, 2)),
     (5, 4)),
]


@pytest.mark.parametrize("name,build,shape", LAYERS, ids=[l[0] for l in LAYERS])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_layer_matches_torch(name, build, shape, mode):
    ours, ref = build(gt), build(torch)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    getattr(ours, mode)(), getattr(ref, mode)()
    if "Sequential" in name and mode == "train":
        ours[2].p = ref[2].p = 0.0     # dropout masks come from different generators
    x = randn(*shape, seed=1)
    xo, xr = gt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref_out = ours(xo), ref(xr)
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    weights = randn(*ref_out.shape, seed=2)
    (out * gt.tensor(weights)).sum().backward()
    (ref_out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xr.grad.numpy(), rtol=1e-4, atol=1e-5)
    ref_params = dict(ref.named_parameters())
    for pname, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[pname].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=pname)
    ref_state = ref.state_dict()
    for key, value in ours.state_dict().items():    # running statistics after the step
        np.testing.assert_allclose(value.numpy(), ref_state[key].numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    assert repr(ours) == repr(ref)


LOSSES = [
    ("MSELoss", lambda L: L.nn.MSELoss(), False),
    ("MSELoss_sum", lambda L: L.nn.MSELoss(reduction="sum"), False),
    ("L1Loss", lambda L: L.nn.L1Loss(), False),
    ("SmoothL1Loss", lambda L: L.nn.SmoothL1Loss(), False),
    ("SmoothL1Loss_beta", lambda L: L.nn.SmoothL1Loss(reduction="sum", beta=0.3), False),
    ("HuberLoss", lambda L: L.nn.HuberLoss(delta=0.4), False),
    ("CrossEntropyLoss", lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.1), True),
    ("CrossEntropyLoss_weight", lambda L: L.nn.CrossEntropyLoss(weight=L.tensor([1.0, 2.0, 0.5, 1.0])), True),
    ("NLLLoss", lambda L: L.nn.NLLLoss(ignore_index=1), True),
    ("BCEWithLogitsLoss", lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.tensor([2.0, 1.0, 1.0, 0.5])), False),
]


@pytest.mark.parametrize("name,build,indices", LOSSES, ids=[l[0] for l in LOSSES])
def test_loss_modules_match_torch(name, build, indices):
    x = randn(5, 4, seed=3)
    target = np.array([0, 1, 3, 2, 1]) if indices else (np.abs(randn(5, 4, seed=4)) % 1).astype(np.float32)
    xo, xr = gt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    loss, ref_loss = build(gt)(xo, gt.tensor(target)), build(torch)(xr, torch.tensor(target))
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-5)
    loss.backward()
    ref_loss.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xr.grad.numpy(), rtol=1e-4, atol=1e-6)
    assert repr(build(gt)) == repr(build(torch))


def test_bce_loss_and_legacy_size_average():
    p = np.array([[0.2, 0.9], [0.5, 0.01]], dtype=np.float32)
    t = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    with pytest.warns(UserWarning):
        ours = nn.BCELoss(size_average=False)(gt.tensor(p), gt.tensor(t))
    with pytest.warns(UserWarning):
        ref = tnn.BCELoss(size_average=False)(torch.tensor(p), torch.tensor(t))
    assert ours.item() == pytest.approx(ref.item(), rel=1e-6)


def test_dropout_train_vs_eval():
    drop = nn.Dropout(0.5)
    x = gt.ones(10000)
    assert drop.eval()(x) is x
    kept = drop.train()(x).numpy() != 0
    assert 0.45 < kept.mean() < 0.55


def test_relu6_gradient_at_its_corners_matches_torch():
    x = np.array([-1.0, 0.0, 3.0, 6.0, 7.0], dtype=np.float32)
    xo, xr = gt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    nn.functional.relu6(xo).sum().backward()
    torch.nn.functional.relu6(xr).sum().backward()
    np.testing.assert_array_equal(xo.grad.numpy(), xr.grad.numpy())


def test_dropout2d_zeroes_whole_channels():
    drop = nn.Dropout2d(0.5)
    x = gt.ones(8, 50, 3, 3)
    out = drop(x).numpy()
    per_channel = out.reshape(8, 50, 9)
    assert ((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2)).all()
    assert 0.35 < (per_channel[..., 0] == 0).mean() < 0.65
    assert drop.eval()(x) is x
    assert repr(drop) == repr(torch.nn.Dropout2d(0.5))


@pytest.mark.parametrize("shape,mask_shape", [((40, 6, 5), (40, 6, 1)), ((400, 6), (400, 6)),
                                              ((4, 6, 3, 2, 2), (4, 6, 1, 1, 1))])
def test_dropout2d_reads_other_ranks_as_torch_does(shape, mask_shape):
    for lib in (gt, torch):
        with pytest.warns(UserWarning, match="dropout2d: Received a"):
            out = lib.nn.functional.dropout2d(lib.ones(*shape)).numpy()
        per_draw = out.reshape(*mask_shape[:2], -1)
        assert ((per_draw == 0).all(axis=-1) | (per_draw == 2).all(axis=-1)).all(), lib.__name__
    for lib in (gt, torch):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            lib.nn.functional.dropout2d(lib.ones(5))


def test_layer_norm_gradgradcheck_and_shape_error():
    x = gt.tensor(randn(2, 3, dtype=np.float64), requires_grad=True)
    w = gt.tensor(randn(3, dtype=np.float64, seed=1), requires_grad=True)
    assert gt.autograd.gradgradcheck(lambda x, w: nn.functional.layer_norm(x, (3,), w), [x, w])
    for lib in (gt, torch):
        with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\]"):
            lib.nn.functional.layer_norm(lib.zeros(2, 3), (4,))


def test_batchnorm_eval_uses_running_statistics():
    bn = nn.BatchNorm1d(2)
    for _ in range(3):
        bn(gt.randn(8, 2) * 3 + 1)
    assert bn.num_batches_tracked.item() == 3
    bn.eval()
    x = gt.randn(4, 2)
    expected = (x.numpy() - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(bn(x).detach().numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1, output_padding=1), dict(groups=2, bias=False),
                                    dict(stride=(2, 1), dilation=2)], ids=str)
def test_conv_transpose2d_layer_matches_torch(kwargs):
    ours, ref = nn.ConvTranspose2d(4, 6, 3, **kwargs), torch.nn.ConvTranspose2d(4, 6, 3, **kwargs)
    assert repr(ours) == repr(ref)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 5)).astype(np.float32)
    out, ref_out = ours(gt.tensor(x)), ref(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach().numpy(), rtol=1e-5, atol=1e-5)
    out.sum().backward()
    ref_out.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("output_size", [[8, 8], [7, 8], (1, 6, 7, 7), [9, 8], [5, 8], [7], (1, 2, 3)], ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_conv_transpose2d_output_size_picks_the_output_padding_or_refuses_as_torch(output_size, batched):
    ours, ref = nn.ConvTranspose2d(2, 6, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(2, 6, 3, stride=2, padding=1)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((1, 2, 4, 4) if batched else (2, 4, 4)).astype(np.float32)
    if not batched and len(output_size) == 4:
        output_size = output_size[1:]
    try:
        expected = ref(torch.tensor(x), output_size=output_size).detach().numpy()
    except ValueError as error:
        with pytest.raises(ValueError) as caught:
            ours(gt.tensor(x), output_size=output_size)
        # the same message, but for the input's size: PyTorch names an unbatched (C, H, W) input's as torch.Size([W])
        assert str(caught.value).split(" (for an input")[0] == str(error).split(" (for an input")[0]
        assert str(caught.value).endswith("(for an input of torch.Size([4, 4]))") or "must have" in str(error)
        return
    np.testing.assert_allclose(ours(gt.tensor(x), output_size=output_size).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)
