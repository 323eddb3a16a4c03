"""glasstorch.vision.models against torchvision.models: the same modules under the same names (state_dict keys,
shapes, buffers), weights moving both ways through safetensors with the same outputs and gradients, torchvision's
initialisation, and one line for pretrained weights."""
import numpy as np
import pytest
import safetensors.torch
import torch
from torchvision_import import import_torchvision

import glasstorch as gt
from glasstorch.vision import models

torchvision = import_torchvision()

# builder, and an input size each handles quickly
BUILDERS = [("resnet18", 32), ("resnet34", 32), ("resnet50", 32), ("vgg11", 32), ("vgg11_bn", 32), ("alexnet", 64),
            ("mobilenet_v2", 32)]


def _pair(name, **kwargs):
    torch.manual_seed(0)
    return getattr(models, name)(weights=None, **kwargs), getattr(torchvision.models, name)(weights=None, **kwargs)


@pytest.mark.parametrize("name", [b[0] for b in BUILDERS])
def test_state_dict_keys_shapes_and_dtypes_are_torchvisions(name):
    ours, theirs = _pair(name, num_classes=10)
    ours_state, their_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(their_state)
    for key, value in their_state.items():
        assert tuple(ours_state[key].shape) == tuple(value.shape), key
        assert str(ours_state[key].dtype).split(".")[-1] == str(value.dtype).split(".")[-1], key
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


def _input(size, batch=2):
    return np.random.default_rng(1).standard_normal((batch, 3, size, size)).astype(np.float32)


@pytest.mark.parametrize("name,size", BUILDERS)
def test_torchvision_weights_load_here_and_give_torchvisions_outputs(tmp_path, name, size):
    ours, theirs = _pair(name, num_classes=10)
    with torch.no_grad():                     # running statistics that are not 0 and 1, so eval mode uses them
        for module in theirs.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    safetensors.torch.save_file(theirs.state_dict(), tmp_path / "tv.safetensors")
    ours.load_state_dict(gt.load(tmp_path / "tv.safetensors"))
    ours.eval()
    theirs.eval()
    x = _input(size)
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(gt.from_numpy(x)).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name,size", [("resnet18", 32), ("mobilenet_v2", 32)])
def test_weights_trained_here_load_in_torchvision_with_the_same_gradients(tmp_path, name, size):
    """Train mode (batch statistics; dropout p=0): one backward pass on each side from the same weights gives the
    same gradient for every parameter and the same running statistics; our state_dict loads into torchvision.

    In float64: a deep ReLU network's float32 gradient is not a function of its input to float32 precision (a
    1e-5 change of the input flips ReLUs and pooling choices and moves ResNet-18's conv1 gradient by 1.5e-2,
    measured with torchvision alone), so float32 gradients of two correct implementations may differ that much;
    in float64 they agree to 1e-9 of each gradient's largest entry."""
    ours, theirs = _pair(name, num_classes=10)
    gt.save(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs.load_state_dict(safetensors.torch.load_file(tmp_path / "ours.safetensors"))
    ours.double()
    theirs.double()
    for module in [m for m in ours.modules() if isinstance(m, gt.nn.Dropout)]:
        module.p = 0.0
    for module in [m for m in theirs.modules() if isinstance(m, torch.nn.Dropout)]:
        module.p = 0.0
    x, target = _input(size, batch=4).astype(np.float64), np.array([1, 2, 3, 4])
    gt.nn.functional.cross_entropy(ours(gt.from_numpy(x)), gt.from_numpy(target)).backward()
    torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(target)).backward()
    their_grads = dict(theirs.named_parameters())
    for key, parameter in ours.named_parameters():
        expected = their_grads[key].grad.numpy()
        np.testing.assert_allclose(parameter.grad.numpy(), expected, rtol=1e-9,
                                   atol=max(1e-9 * np.abs(expected).max(), 1e-12), err_msg=key)
    their_buffers = dict(theirs.named_buffers())
    for key, buffer in ours.named_buffers():      # running statistics updated by the same batch
        np.testing.assert_allclose(buffer.numpy(), their_buffers[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=key)


def _std(tensor):
    return float(tensor.detach().numpy().std())


def test_initialisation_follows_torchvision():
    resnet = models.resnet18()
    fan_out = 64 * 7 * 7
    assert _std(resnet.conv1.weight) == pytest.approx((2 / fan_out) ** 0.5, rel=0.05)
    assert (resnet.bn1.weight.detach().numpy() == 1).all() and (resnet.bn1.bias.detach().numpy() == 0).all()
    zeroed = models.resnet18(zero_init_residual=True)
    assert (zeroed.layer1[0].bn2.weight.detach().numpy() == 0).all()
    assert (zeroed.layer1[0].bn1.weight.detach().numpy() == 1).all()
    assert (models.resnet50(zero_init_residual=True).layer2[1].bn3.weight.detach().numpy() == 0).all()
    vgg = models.vgg11(num_classes=10)
    assert _std(vgg.classifier[0].weight) == pytest.approx(0.01, rel=0.05)
    assert (vgg.features[0].bias.detach().numpy() == 0).all()
    mobile = models.mobilenet_v2()
    assert _std(mobile.classifier[1].weight) == pytest.approx(0.01, rel=0.05)
    assert mobile.features[0][0].bias is None       # a convolution followed by batch norm has no bias


@pytest.mark.parametrize("weights", ["DEFAULT", "IMAGENET1K_V1", models.ResNet18_Weights.DEFAULT,
                                     models.ResNet18_Weights.IMAGENET1K_V1])
def test_pretrained_weights_get_one_line_that_says_how_to_load_a_converted_file(weights):
    with pytest.raises(RuntimeError) as caught:
        models.resnet18(weights=weights)
    message = str(caught.value)
    assert "\n" not in message and "resnet18" in message and "IMAGENET1K_V1" in message or "DEFAULT" in message
    assert "does not do" in message and "load_state_dict(glasstorch.load('resnet18.safetensors'))" in message
    with pytest.raises(RuntimeError, match="pretrained=True"):
        models.alexnet(pretrained=True)
    assert isinstance(models.alexnet(pretrained=False), models.AlexNet)


def test_builders_reject_what_torchvisions_reject():
    with pytest.raises(ValueError, match="groups=1 and base_width=64"):
        models.resnet18(groups=2)
    with pytest.raises(ValueError, match="inverted_residual_setting"):
        models.mobilenet_v2(inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(TypeError):
        models.resnet18(numclasses=10)
