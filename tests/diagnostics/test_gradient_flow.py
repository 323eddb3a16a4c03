import numpy as np

import glasstorch as gt
from glasstorch.diagnostics import GradientFlowRecorder
from glasstorch.models import DeepMLP


def test_recorder_norms_and_activation_statistics(tmp_path):
    model = DeepMLP(depth=3, width=8, activation="relu", in_features=5, out_features=2)
    recorder = GradientFlowRecorder(model)
    x = gt.randn(16, 5)
    loss = gt.nn.functional.cross_entropy(model(x), gt.tensor(np.arange(16) % 2))
    loss.backward()
    record = recorder.step()
    assert recorder.weight_names() == ["layers.0.weight", "layers.2.weight", "layers.4.weight"]
    for name, p in model.named_parameters():
        assert record["grad_norm"][name] == np.linalg.norm(p.grad.numpy())
    mean, std, dead = record["activation"]["layers.0"]
    out = gt.nn.functional.linear(x, model.layers[0].weight, model.layers[0].bias).detach().numpy()
    assert np.isclose(mean, out.mean()) and np.isclose(std, out.std())
    assert np.isclose(dead, np.mean(out.max(axis=0) <= 0))
    assert recorder.first_last_ratio() == record["grad_norm"]["layers.0.weight"] / record["grad_norm"]["layers.4.weight"]
    assert "layers.0.weight" in recorder.summary()
    paths = recorder.save_figures(tmp_path)
    assert all((tmp_path / p.split("/")[-1]).stat().st_size > 0 for p in paths)
    recorder.remove()
    with gt.no_grad():
        model(x)
    assert len(recorder.records) == 1


def test_evaluation_passes_are_not_recorded():
    model = DeepMLP(depth=2, width=4, in_features=3, out_features=2)
    recorder = GradientFlowRecorder(model)
    with gt.no_grad():
        model(gt.randn(2, 3))
    assert recorder._latest_activation == {}


def test_train_track_gradients_writes_figures(tmp_path, mnist_dir):
    from glasstorch.cli import main

    assert main(["train", "--model", "linear", "--data-dir", str(mnist_dir), "--epochs", "1", "--limit-train", "256",
                 "--limit-test", "100", "--track-gradients", "--no-progress", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "gradient_flow_layers.png").exists() and (tmp_path / "gradient_flow_steps.png").exists()
