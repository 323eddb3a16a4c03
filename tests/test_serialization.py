"""save/load through safetensors: round trips, exchange with PyTorch, atomic writes, clear errors."""
import errno
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
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match=f"cannot write {path}: No space left on device"):
        gt.save({"w": gt.zeros(3)}, path)
    monkeypatch.undo()
    assert gt.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert [p.name for p in tmp_path.iterdir()] == ["w.safetensors"]


def test_unreadable_files_say_why(tmp_path):
    path = tmp_path / "w.safetensors"
    gt.save({"w": gt.ones(100)}, path)
    data = path.read_bytes()
    cases = {
        "torn.safetensors": (data[: len(data) // 2], "damaged"),
        "empty.safetensors": (b"", r"is empty \(0 bytes\)"),
        "short.safetensors": (b"abc", "too short to be a safetensors file"),
        "huge.safetensors": ((10**12).to_bytes(8, "little") + b"{}", "header claims 1,000,000,000,000 bytes"),
        "text.safetensors": ((6).to_bytes(8, "little") + b"\xff\xfe{]]]", "header is not JSON"),
    }
    for name, (payload, message) in cases.items():
        (tmp_path / name).write_bytes(payload)
        with pytest.raises(gt.serialization.CheckpointError, match=message) as error:
            gt.load(tmp_path / name)
        assert name in str(error.value)
    torch.save({"w": torch.ones(3)}, tmp_path / "model.pt")
    with pytest.raises(gt.serialization.CheckpointError, match=r"is a pickle file \(PyTorch's .pt\); glasstorch never unpickles"):
        gt.load(tmp_path / "model.pt")
    torch_save_file({"w": torch.ones(3, dtype=torch.bfloat16)}, str(tmp_path / "bf16.safetensors"))
    with pytest.raises(gt.serialization.CheckpointError, match="holds bfloat16 tensors .*'w'.*convert them to float32"):
        gt.load(tmp_path / "bf16.safetensors")
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        gt.load(tmp_path / "nope.safetensors")
    with pytest.raises(TypeError, match="pickle is never used"):
        gt.save({"f": object()}, tmp_path / "x.safetensors")


def test_written_files_follow_the_umask_and_stale_temporaries_go(tmp_path):
    previous = os.umask(0o027)
    try:
        gt.save({"w": gt.ones(2)}, tmp_path / "a.safetensors")
    finally:
        os.umask(previous)
    assert (tmp_path / "a.safetensors").stat().st_mode & 0o777 == 0o640
    (tmp_path / ".tmp-12345checkpoint.safetensors").write_bytes(b"half a file")
    gt.serialization.remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.safetensors"]


def test_kill_9_in_the_middle_of_writes_leaves_the_old_file_or_the_new_one(tmp_path):
    """A process rewrites an 8 MB checkpoint in a loop and is killed at random moments; the file always loads,
    holding one whole version, and the temporary files it left go at the next remove_stale_temporaries."""
    import random
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "checkpoint.safetensors"
    writer = ("import sys, glasstorch as gt\n"
              "i = 0\n"
              "while True:\n"
              "    gt.save({'step': i, 'w': gt.full((2_000_000,), float(i))}, sys.argv[1]); i += 1\n")
    chance = random.Random(1)
    for _ in range(5):
        process = subprocess.Popen([sys.executable, "-c", writer, str(path)])
        while not path.exists():
            time.sleep(0.01)
        time.sleep(chance.uniform(0.05, 0.4))
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = gt.load(path)
        assert state["w"].shape == (2_000_000,) and bool((state["w"] == float(state["step"])).all())
    gt.serialization.remove_stale_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.safetensors"]


def test_a_header_size_that_looks_like_a_pickle_opcode_still_loads(tmp_path):
    """The first byte of a safetensors file is the low byte of its header size: 0x80 0x02 there is no pickle."""
    from safetensors.numpy import save as to_bytes

    for padding in range(700):
        payload = to_bytes({"w": np.ones(3, np.float32)}, metadata={"format": "pt", "pad": "x" * padding})
        if payload[:2] == b"\x80\x02":
            break
    assert payload[:2] == b"\x80\x02"
    (tmp_path / "w.safetensors").write_bytes(payload)
    assert gt.load(tmp_path / "w.safetensors")["w"].tolist() == [1.0, 1.0, 1.0]
