"""The notes' programs run with only `import torch` replaced, and agree with PyTorch number for number."""
import numpy as np
import pytest
import torch

from course import load_program
from oracle import randn


def copy_weights(ours, ref):
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})


def test_linear_program_with_w_grad_data_zero_matches_torch():
    ours, ref = load_program("linear_grad", "glasstorch"), load_program("linear_grad", "torch")
    ours_history, ref_history = ours.train(), ref.train()
    np.testing.assert_allclose(ours_history, ref_history, rtol=1e-5, atol=1e-7)
    assert ours_history[-1][0] == pytest.approx(2.0, abs=1e-3)   # w learned y = 2x


def test_linear_module_program_with_legacy_size_average_matches_torch():
    ours, ref = load_program("linear_module", "glasstorch"), load_program("linear_module", "torch")
    model, ref_model = ours.LinearModel(), ref.LinearModel()
    copy_weights(model, ref_model)
    with pytest.warns(UserWarning):
        losses = ours.train(model)
    ref_losses = ref.train(ref_model)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-4, atol=1e-6)
    assert losses[-1] < losses[0] / 10


@pytest.mark.parametrize("program", ["inception_net", "residual_net"])
def test_course_networks_match_torch_outputs_and_gradients(program):
    ours, ref = load_program(program, "glasstorch"), load_program(program, "torch")
    model, ref_model = ours.Net(), ref.Net()
    assert [k for k in model.state_dict()] == [k for k in ref_model.state_dict()]
    assert sum(p.numel() for p in model.parameters()) == sum(p.numel() for p in ref_model.parameters())
    copy_weights(model, ref_model)
    x, labels = randn(8, 1, 28, 28, seed=3), np.arange(8) % 10
    out = model(ours.torch.tensor(x))
    ref_out = ref_model(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    ours.F.cross_entropy(out, ours.torch.tensor(labels)).backward()
    torch.nn.functional.cross_entropy(ref_out, torch.tensor(labels)).backward()
    ref_params = dict(ref_model.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=name)
    assert repr(model) == repr(ref_model)


def test_residual_program_trains_like_torch():
    ours, ref = load_program("residual_net", "glasstorch"), load_program("residual_net", "torch")
    model, ref_model = ours.Net(), ref.Net()
    copy_weights(model, ref_model)
    x, labels = randn(16, 1, 28, 28, seed=4), np.arange(16) % 10
    losses = ours.train_steps(model, ours.torch.tensor(x), ours.torch.tensor(labels))
    ref_losses = ref.train_steps(ref_model, torch.tensor(x), torch.tensor(labels))
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-3)
    assert losses[-1] < losses[0]
