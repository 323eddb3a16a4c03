"""What a new user can do wrong, each run as they would run it (a subprocess): one line naming the file or option
and the problem, a non-zero exit, never a traceback; and a run directory that survives kill -9 and Ctrl-C."""
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib

import pytest
import torch
from PIL import Image
from safetensors.torch import save_file as torch_save_file

import glasstorch as gt
from glasstorch import models
from glasstorch.datasets import MNIST

QUICK = ["--limit-train", "320", "--limit-test", "100", "--batch-size", "32", "--no-progress"]


def glasstorch(*argv, cwd=None, umask=None, timeout=120):
    """Run `python -m glasstorch ARGV` as a user would; (exit code, stdout, stderr)."""
    result = subprocess.run([sys.executable, "-m", "glasstorch", *map(str, argv)], capture_output=True, text=True,
                            cwd=cwd, timeout=timeout, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    return result.returncode, result.stdout, result.stderr


def one_line_error(code, err, *phrases):
    assert code == 1, err
    assert "Traceback" not in err and "Warning" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    for phrase in phrases:
        assert phrase in err, err


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "linear"
    code, _, err = glasstorch("train", "--model", "linear", "--epochs", "1", *QUICK, "--out", out)
    assert code == 0, err
    return out


def png_header_only(path, width, height):
    """A PNG whose header declares width x height (what Pillow reads before decoding anything)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("damage,message", [
    (lambda data: data[: len(data) // 2], "damaged"),
    (lambda data: b"", "is empty (0 bytes)"),
    (lambda data: (10**15).to_bytes(8, "little") + data[8:], "header claims 1,000,000,000,000,000 bytes"),
    (lambda data: data[:8] + b"\x00" * 40 + data[48:], "header is not JSON"),
])
def test_damaged_checkpoints_are_named_with_the_reason(run, tmp_path, damage, message):
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(damage((run / "best.safetensors").read_bytes()))
    shutil.copy(run / "config.json", tmp_path / "config.json")
    for command in (["evaluate", broken], ["predict", broken, "x.png"]):
        code, _, err = glasstorch(*command)
        one_line_error(code, err, str(broken), message)


def test_weights_of_another_model_are_named(run, tmp_path):
    shutil.copy(run / "config.json", tmp_path / "config.json")
    gt.save(models.ResNet().state_dict(), tmp_path / "best.safetensors")
    code, _, err = glasstorch("evaluate", tmp_path)
    one_line_error(code, err, "do not fit the linear model its configuration names; they are the weights of resnet")


def test_pickles_and_bfloat16_files_get_the_real_reason(tmp_path):
    torch.save({"w": torch.ones(3)}, tmp_path / "model.pt")
    code, _, err = glasstorch("evaluate", tmp_path / "model.pt")
    one_line_error(code, err, "is a pickle file (PyTorch's .pt); glasstorch never unpickles")
    torch_save_file({"w": torch.ones(3, dtype=torch.bfloat16)}, str(tmp_path / "bf16.safetensors"))
    code, _, err = glasstorch("evaluate", tmp_path / "bf16.safetensors")
    one_line_error(code, err, "holds bfloat16 tensors", "convert them to float32")


def test_a_bad_label_is_refused_before_any_training(tmp_path):
    from glasstorch.datasets import read_idx, write_idx

    for path in MNIST.embedded.glob("*.gz"):
        shutil.copy(path, tmp_path / path.name)
    labels = read_idx(tmp_path / "t10k-labels-idx1-ubyte.gz").copy()
    labels[5] = 200
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    code, out, err = glasstorch("train", "--model", "linear", "--data-dir", tmp_path, "--out", tmp_path / "run", *QUICK)
    one_line_error(code, err, "test labels", "must lie in 0..9, but label 200 is at index 5")
    assert out == "" and not (tmp_path / "run").exists()


@pytest.mark.parametrize("size", [(20000, 10000), (10000, 10000)])
def test_huge_images_are_refused_with_their_size(run, tmp_path, size):
    huge = png_header_only(tmp_path / "huge.png", *size)
    code, _, err = glasstorch("predict", run, huge)
    megapixels = size[0] * size[1] // 10**6
    assert code == 1 and "Traceback" not in err and "Warning" not in err, err
    assert f"the image is {size[0]}x{size[1]} pixels ({megapixels} megapixels)" in err


def test_every_readable_image_is_classified_and_each_bad_one_reported(run, tmp_path):
    digits = MNIST(train=False)
    good = []
    for i in range(2):
        good.append(tmp_path / f"digit{i}.png")
        Image.fromarray(digits.data[i].numpy()).save(good[-1])
    (tmp_path / "notes.txt").write_text("hello")
    code, out, err = glasstorch("predict", run, good[0], tmp_path / "missing.png", tmp_path / "notes.txt", good[1])
    assert code == 1 and "Traceback" not in err
    assert [line.split(":")[0] for line in out.strip().splitlines()] == [str(good[0]), str(good[1])]
    assert "no such image file" in err and "notes.txt: not a readable image" in err
    assert "2 of 4 images could not be read" in err.strip().splitlines()[-1]


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1", "0"])
def test_learning_rates_must_be_finite_and_positive(value):
    code, _, err = glasstorch("train", "--lr", value, *QUICK)
    one_line_error(code, err, "--lr must be a finite positive number")


def test_resume_refusals_name_the_option_and_both_values(tmp_path):
    out = tmp_path / "run"
    code, _, err = glasstorch("train", "--model", "linear", "--epochs", "2", "--scheduler", "cosine", *QUICK, "--out", out)
    assert code == 0, err
    code, _, err = glasstorch("train", "--out", out, "--resume", "--lr", "0.05", "--epochs", "3")
    one_line_error(code, err, "--lr was 0.001 in the run being resumed, not 0.05")
    code, _, err = glasstorch("train", "--out", out, "--resume", "--epochs", "4")
    one_line_error(code, err, "the cosine schedule fixed its length at 2 epochs")
    code, _, err = glasstorch("train", "--out", out, "--resume", "--epochs", "2")
    one_line_error(code, err, "the run already has 2 epochs")


def test_run_files_follow_the_umask_and_config_paths_are_absolute(tmp_path):
    data = tmp_path / "digits"
    shutil.copytree(MNIST.embedded, data)
    code, _, err = glasstorch("train", "--model", "linear", "--epochs", "1", *QUICK, "--data-dir", "digits",
                              "--out", "run", cwd=tmp_path, umask=0o027)
    assert code == 0, err
    for path in (tmp_path / "run").iterdir():
        assert path.stat().st_mode & 0o777 == 0o640, path
    assert json.loads((tmp_path / "run" / "config.json").read_text())["data_dir"] == str(data)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, out, err = glasstorch("evaluate", tmp_path / "run", cwd=elsewhere)
    assert code == 0 and "linear on mnist test set (100 images)" not in out and "2,000 images" in out, err


def _start_training(out, epochs, model="linear"):
    return subprocess.Popen([sys.executable, "-m", "glasstorch", "train", "--model", model, "--epochs", str(epochs),
                             *QUICK, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _wait_for(path, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.02)


def test_kill_9_at_random_moments_leaves_a_loadable_resumable_checkpoint_and_no_leftovers(tmp_path):
    out, chance = tmp_path / "run", random.Random(0)
    for attempt in range(3):
        process = _start_training(out, epochs=400)
        _wait_for(out / "checkpoint.safetensors", process)
        time.sleep(chance.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        checkpoint = gt.load(out / "checkpoint.safetensors")
        assert checkpoint["epoch"] >= 1 and set(checkpoint["model"]) == {"linear.weight", "linear.bias"}
    done = checkpoint["epoch"]
    code, stdout, err = glasstorch("train", "--out", out, "--resume", "--epochs", done + 1)
    assert code == 0 and f"epoch {done + 1}/{done + 1}" in stdout, err
    assert not [p.name for p in out.iterdir() if p.name.startswith(".tmp-")]


def test_interrupting_says_how_to_resume_or_that_nothing_was_saved(tmp_path):
    process = _start_training(tmp_path / "early", epochs=5, model="inception-net")
    assert process.stdout.readline().startswith("training inception-net")     # training, no epoch done yet
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "nothing was saved" in err and "Traceback" not in err, err
    process = _start_training(tmp_path / "late", epochs=400)
    _wait_for(tmp_path / "late" / "checkpoint.safetensors", process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "Traceback" not in err, err
    assert "is intact: continue with `glasstorch train --model linear --epochs 400" in err and "--resume`" in err


def test_help_gives_every_option_a_text_and_its_default_once():
    code, out, _ = glasstorch("train", "--help")
    assert code == 0 and "(default: None)" not in out
    options = out.split("options:")[1].split("\n  -")[1:]
    for option in options:
        text = " ".join(option.split())
        assert len(text.split()) > 2, f"option without help: {text}"
        assert text.count("default") <= 1, text


def test_listings_are_accurate():
    code, out, _ = glasstorch("models")
    assert code == 0 and all(line.count("parameters") == 1 for line in out.strip().splitlines())
    code, out, _ = glasstorch("datasets")
    assert code == 0 and "mnist          found: the subset shipped with glasstorch" in out and "$GLASSTORCH_DATA" in out


def test_xor_trains_to_100_percent_and_lists_only_what_it_wrote(tmp_path):
    code, out, err = glasstorch("train", "--model", "xor", "--no-progress", "--out", tmp_path)
    assert code == 0, err
    assert "final test accuracy 100.00%" in out and "samples.png" not in out
    written = out.strip().splitlines()[-1].split(f"{tmp_path}/ ")[1].split(", ")
    assert sorted(written) == sorted(p.name for p in tmp_path.iterdir())


def test_a_diverging_run_stops_in_one_line_without_numpy_warnings(tmp_path):
    code, _, err = glasstorch("train", "--model", "resnet", "--lr", "1e6", *QUICK, "--out", tmp_path)
    one_line_error(code, err, "the loss became", "Nothing was saved yet", "Try a lower learning rate")
