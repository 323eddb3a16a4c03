import collections
import math

import numpy as np
import pytest
import torch

import glasstorch as gt
import glasstorch.nn as nn
from glasstorch import models


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.register_buffer("scale", gt.ones(3))
        self.register_buffer("cache", gt.zeros(1), persistent=False)
        self.plain = 5

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


def test_registration_and_state_dict_keys_follow_torch():
    block = Block()
    assert [n for n, _ in block.named_parameters()] == ["fc.weight", "fc.bias", "bn.weight", "bn.bias"]
    assert list(block.state_dict()) == ["scale", "fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean",
                                        "bn.running_var", "bn.num_batches_tracked"]
    assert [n for n, _ in block.named_children()] == ["fc", "bn"]
    assert [n for n, _ in block.named_modules()] == ["", "fc", "bn"]
    assert len(list(block.buffers())) == 5 and block.plain == 5
    keys = list(models.InceptionNet().state_dict())
    assert "incept1.branch5x5_2.weight" in keys and len(keys) == 34
    block.fc = None
    assert "fc.weight" not in block.state_dict()


def test_load_state_dict_reports_missing_unexpected_and_size_mismatch_like_torch():
    block = Block()
    state = block.state_dict()
    state["extra"] = gt.zeros(1)
    del state["fc.bias"]
    state["bn.weight"] = gt.zeros(5)
    with pytest.raises(RuntimeError) as error:
        block.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for Block:")
    assert 'Missing key(s) in state_dict: "fc.bias".' in message
    assert 'Unexpected key(s) in state_dict: "extra".' in message
    assert ("size mismatch for bn.weight: copying a param with shape torch.Size([5]) from checkpoint, the shape in "
            "current model is torch.Size([3]).") in message
    del state["bn.weight"]
    result = block.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc.bias", "bn.weight"] and result.unexpected_keys == ["extra"]


def test_state_dict_round_trip_copies_values():
    a, b = Block(), Block()
    b.load_state_dict(a.state_dict())
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values()):
        assert p.equal(q), name
    b.fc.weight.data.fill_(0)
    assert not a.fc.weight.equal(b.fc.weight)


def test_train_eval_zero_grad_requires_grad_apply_and_to():
    block = Block()
    block.eval()
    assert not block.training and not block.bn.training
    block.train()
    assert block.bn.training
    block(gt.randn(5, 4)).sum().backward()
    assert block.fc.weight.grad is not None
    block.zero_grad()
    assert block.fc.weight.grad is None
    block.requires_grad_(False)
    assert not any(p.requires_grad for p in block.parameters())
    names = []
    block.apply(lambda m: names.append(type(m).__name__))
    assert names == ["Linear", "BatchNorm1d", "Block"]
    block.double()
    assert block.fc.weight.dtype == gt.float64 and block.bn.num_batches_tracked.dtype == gt.int64


def test_forward_hooks_and_pre_hooks():
    layer = nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = layer(gt.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(layer.bias.detach().numpy() + 1, (3, 2)))
    assert calls == [(3, 2)]
    pre.remove()
    post.remove()
    assert layer(gt.ones(1, 2)).shape == (1, 2) and len(calls) == 1


def test_full_backward_hook_matches_torch():
    def run(lib):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 2)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]))
        seen = {}
        layer.register_full_backward_hook(lambda m, gi, go: seen.update(gi=gi[0].numpy().copy(),
                                                                          go=go[0].numpy().copy()))
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        (layer(x) * lib.tensor([[2.0, -1.0]])).sum().backward()
        return seen

    ours, ref = run(gt), run(torch)
    np.testing.assert_allclose(ours["go"], ref["go"])
    np.testing.assert_allclose(ours["gi"], ref["gi"])


def test_default_init_matches_torch_bounds_and_spread():
    gt.manual_seed(0)
    fc = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = fc.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.std(w) == pytest.approx(bound / math.sqrt(3), rel=0.02)
    conv = nn.Conv2d(8, 16, 3)
    assert np.abs(conv.bias.detach().numpy()).max() <= 1 / math.sqrt(72)
    t = gt.empty(200, 300)
    nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert np.std(t.numpy()) == pytest.approx(math.sqrt(2 / 200), rel=0.03)
    nn.init.xavier_uniform_(t)
    assert np.abs(t.numpy()).max() <= math.sqrt(6 / 500)
    assert nn.init.calculate_gain("tanh") == pytest.approx(torch.nn.init.calculate_gain("tanh"))
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


def test_containers():
    seq = nn.Sequential(collections.OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"] and isinstance(seq[1], nn.ReLU) and len(seq) == 2
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(layers.parameters())) == 6 and list(layers.state_dict())[0] == "0.weight"
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    assert "a" in heads and list(heads.state_dict()) == ["a.weight", "a.bias"]
    assert repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU())) == repr(torch.nn.Sequential(torch.nn.Linear(2, 3),
                                                                                       torch.nn.ReLU()))


def test_module_shape_errors_name_the_module():
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=1408, out_features=10\): input has 320 features "
                                           r"\(input shape \(64, 320\)\)"):
        nn.Linear(1408, 10)(gt.zeros(64, 320))
    with pytest.raises(RuntimeError, match=r"Conv2d\(1, 10, kernel_size=\(5, 5\).*expected input with 1 channel"):
        nn.Conv2d(1, 10, 5)(gt.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected 4D input \(got 2D input"):
        nn.BatchNorm2d(3)(gt.zeros(2, 3))


def test_parameter_assignment_before_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


@pytest.mark.parametrize("lib", ["torch", "glasstorch"])
def test_global_forward_hooks_run_on_every_module_before_its_own_as_in_pytorch(lib):
    import importlib

    L = torch if lib == "torch" else gt
    hooks = importlib.import_module("torch.nn.modules.module" if lib == "torch" else "glasstorch.nn.module")
    calls = []
    model = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.ReLU())
    model[0].register_forward_pre_hook(lambda m, inputs: calls.append(("own pre", type(m).__name__)))
    model[0].register_forward_hook(lambda m, inputs, out: calls.append(("own post", type(m).__name__)))
    handles = [hooks.register_module_forward_pre_hook(lambda m, inputs: calls.append(("pre", type(m).__name__))),
               hooks.register_module_forward_hook(lambda m, inputs, out: calls.append(("post", type(m).__name__)))]
    model(L.ones(1, 2))
    for handle in handles:
        handle.remove()
    model(L.ones(1, 2))
    assert calls[:8] == [("pre", "Sequential"), ("pre", "Linear"), ("own pre", "Linear"), ("post", "Linear"),
                         ("own post", "Linear"), ("pre", "ReLU"), ("post", "ReLU"), ("post", "Sequential")]
    assert calls[8:] == [("own pre", "Linear"), ("own post", "Linear")]      # removed: the module's own hooks stay
