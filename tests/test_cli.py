"""The command line on a small real MNIST subset: every output file, evaluate, predict, and clean errors."""
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from glasstorch.cli import main
from glasstorch.datasets import MNIST


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(["train", "--model", "inception-net", "--dataset", "mnist",
                 "--epochs", "1", "--batch-size", "32", "--optimizer", "adam", "--lr", "0.002",
                 "--limit-train", "640", "--limit-test", "300", "--out", str(out)])
    assert code == 0
    return out


def test_train_writes_the_run_directory(trained_run, capsys):
    for name in ["config.json", "metrics.csv", "checkpoint.safetensors", "best.safetensors", "curves.png",
                 "confusion.png", "samples.png"]:
        assert (trained_run / name).stat().st_size > 0, name


def test_evaluate_reports_accuracy_and_per_class(trained_run, capsys, mnist_dir):
    assert main(["evaluate", str(trained_run), "--data-dir", str(mnist_dir)]) == 0
    out = capsys.readouterr().out
    assert "inception-net on mnist test set (2,000 images)" in out and "accuracy" in out
    accuracy = float(out.split("accuracy ")[1].split("%")[0])
    assert accuracy > 60
    assert out.count("images)") == 11     # the summary and one line per digit


def test_predict_reads_images_of_any_size_and_colour(trained_run, tmp_path, capsys, mnist_dir):
    digits = MNIST(mnist_dir, train=False)
    paths = []
    for i in range(4):
        image = Image.fromarray(255 - digits.data[i].numpy()).resize((56, 56)).convert("RGB")   # dark on light, RGB
        paths.append(tmp_path / f"digit{i}.png")
        image.save(paths[-1])
    assert main(["predict", str(trained_run / "best.safetensors"), *map(str, paths)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and all("top 3:" in line for line in lines)
    predicted = [int(line.split(": ")[1][0]) for line in lines]
    assert np.mean(np.array(predicted) == digits.targets[:4].numpy()) >= 0.5


def test_models_and_datasets_listing(capsys, mnist_dir):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "inception-net" in out and "97,298 parameters" in out and "41,514 parameters" in out
    assert main(["datasets", "--data-dir", str(mnist_dir)]) == 0
    assert f"mnist          found: the subset shipped with glasstorch" in capsys.readouterr().out


@pytest.mark.parametrize("argv,message", [
    (["train", "--model", "vgg"], "unknown model 'vgg'"),
    (["train", "--data-dir", "/nonexistent", "--limit-train", "10"], "the data folder /nonexistent does not exist"),
    (["evaluate", "/nonexistent/run"], "no checkpoint at /nonexistent/run"),
    (["predict", "RUN", "/nonexistent.png"], "no such image file"),
    (["predict", "RUN", "NOTIMAGE"], "not a readable image"),
])
def test_errors_are_one_line_without_traceback(argv, message, capsys, trained_run, tmp_path):
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    argv = [str(trained_run) if a == "RUN" else str(not_image) if a == "NOTIMAGE" else a for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 10


def test_python_dash_m_and_bad_option_exit_codes():
    result = subprocess.run([sys.executable, "-m", "glasstorch", "train", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--clip-grad-norm" in result.stdout
    result = subprocess.run([sys.executable, "-m", "glasstorch", "train", "--optimizer", "lbfgs"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice: 'lbfgs'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("bug", [ValueError("a bug inside glasstorch"), OSError(5, "a bug inside glasstorch")])
def test_a_bug_keeps_its_traceback_and_only_user_errors_become_one_line(bug, monkeypatch, capsys, tmp_path):
    """A ValueError or OSError from inside glasstorch is a bug, not bad input: main lets it through, so its
    traceback shows where; a glasstorch.errors.UserError (here an --out that is a file) is one line, exit 1."""
    from glasstorch import cli

    def broken(args):
        raise bug

    monkeypatch.setattr(cli, "_models", broken)
    with pytest.raises(type(bug), match="a bug inside glasstorch"):
        main(["models"])
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["train", "--limit-train", "8", "--limit-test", "8", "--out", str(blocker / "run")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("glasstorch train: error: --out ") and "cannot create the folder" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


LEAVE = """
import atexit, sys, threading, time
from glasstorch.cli import _leave

atexit.register(lambda: print("atexit handler ran", flush=True))
sys.stdout.write("written, not flushed; ")
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread finished", flush=True))).start()
_leave(3)
print("not reached")
"""


@pytest.mark.parametrize("thread", [False, True])
def test_train_ends_its_process_at_once_yet_keeps_what_the_exit_must_do(thread):
    """After `glasstorch train` the process skips the interpreter's teardown (cli._leave), yet its atexit handlers
    run, what it wrote to stdout comes out, its exit status is kept, and a thread Python would wait for (not a
    daemon) is still waited for. (`--nproc 2` ranks finalizing MPI on the way out: tests/distributed.)"""
    result = subprocess.run([sys.executable, "-c", LEAVE, "thread" if thread else "none"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("written, not flushed; ") and "atexit handler ran" in result.stdout
    assert "not reached" not in result.stdout and ("thread finished" in result.stdout) == thread
