"""save/load through safetensors: round trips, exchange with PyTorch, atomic writes, clear errors."""
import os

import numpy as np
import pytest
import torch
from safetensors.torch import load_file as torch_load_file
from safetensors.torch import save_file as torch_save_file

import glasstorch as gt
from course import load_program
from glasstorch import models
from oracle import randn

TorchInceptionNet = load_program("inception_net", "torch").Net


def test_glasstorch_weights_load_into_pytorch_and_give_same_outputs(tmp_path):
    model = models.InceptionNet()
    path = tmp_path / "net.safetensors"
    gt.save(model.state_dict(), path)
    ref = TorchInceptionNet()
    ref.load_state_dict(torch_load_file(str(path)))
    x = randn(4, 1, 28, 28, seed=2)
    np.testing.assert_allclose(model(gt.tensor(x)).detach().numpy(), ref(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_pytorch_weights_load_into_glasstorch(tmp_path):
    ref = TorchInceptionNet()
    path = tmp_path / "torch.safetensors"
    torch_save_file(ref.state_dict(), str(path))
    model = models.InceptionNet()
    model.load_state_dict(gt.load(path))
    x = randn(3, 1, 28, 28, seed=3)
    np.testing.assert_allclose(model(gt.tensor(x)).detach().numpy(), ref(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_nested_checkpoint_round_trip(tmp_path):
    model = gt.nn.Sequential(gt.nn.Linear(3, 2), gt.nn.BatchNorm1d(2))
    optimizer = gt.optim.Adam(model.parameters(), betas=(0.8, 0.9))
    model(gt.randn(4, 3)).sum().backward()
    optimizer.step()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3, "name": "run",
                  "history": [0.5, float("inf")], "pair": (1, None)}
    path = tmp_path / "ckpt.safetensors"
    gt.save(checkpoint, path)
    loaded = gt.load(path)
    assert loaded["epoch"] == 3 and loaded["name"] == "run" and loaded["history"] == [0.5, float("inf")]
    assert loaded["pair"] == (1, None)
    assert loaded["model"]["1.num_batches_tracked"].dtype == gt.int64
    assert list(loaded["optimizer"]["state"]) == [0, 1, 2, 3]
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.8, 0.9)
    for key, value in model.state_dict().items():
        assert loaded["model"][key].equal(value)
    fresh = gt.optim.Adam(model.parameters())
    fresh.load_state_dict(loaded["optimizer"])
    assert fresh.state_dict()["state"][0]["exp_avg"].equal(optimizer.state_dict()["state"][0]["exp_avg"])


def test_failed_write_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    gt.save({"w": gt.ones(3)}, path)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        gt.save({"w": gt.zeros(3)}, path)
    monkeypatch.undo()
    assert gt.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert [p.name for p in tmp_path.iterdir()] == ["w.safetensors"]


def test_truncated_or_missing_files_get_clear_errors(tmp_path):
    path = tmp_path / "w.safetensors"
    gt.save({"w": gt.ones(100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match=r"w\.safetensors' is not a readable safetensors file"):
        gt.load(path)
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        gt.load(tmp_path / "nope.safetensors")
    with pytest.raises(TypeError, match="pickle is never used"):
        gt.save({"f": object()}, tmp_path / "x.safetensors")
