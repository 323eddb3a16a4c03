"""`glasstorch run`: unmodified PyTorch programs (the course's lectures 9-13 and the examples) run on glasstorch as
a user runs them, in a subprocess, and learn; what glasstorch lacks is named in one line with file and line."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from glasstorch.kernels import compiled

COURSE = Path(__file__).resolve().parent.parent / "course"


def run(*argv, cwd, module=True, timeout=300):
    """`python -m glasstorch run ARGV` offline; (exit code, stdout, stderr). The program's own cache folder is
    empty (datasets, weights) but its compiled kernels are this machine's (a fresh Numba cache would compile
    ahead in every test, and print that line, wherever no earlier test had put NUMBA_CACHE_DIR in os.environ)."""
    env = dict(os.environ, GLASSTORCH_OFFLINE="1", XDG_CACHE_HOME=str(Path(cwd) / "cache"),
               NUMBA_CACHE_DIR=compiled.numba.config.CACHE_DIR)
    env.pop("GLASSTORCH_DATA", None)
    command = [sys.executable, "-m", "glasstorch", "run", *map(str, argv)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)
    return result.returncode, result.stdout, result.stderr


def program(tmp_path, source, name="prog.py"):
    path = tmp_path / name
    path.write_text(source)
    return path


def last_number(pattern, text):
    return float(re.findall(pattern, text)[-1])


def test_torch_and_torchvision_are_glasstorch_inside_the_program(tmp_path):
    code, out, err = run(program(tmp_path, (
        "import sys, torch, torch.nn as nn, torch.nn.functional as F, torchvision\n"
        "from torch.utils.data import DataLoader\n"
        "from torchvision import datasets, transforms\n"
        "import glasstorch\n"
        "print(torch is glasstorch, nn is glasstorch.nn, F is glasstorch.nn.functional,\n"
        "      torchvision is glasstorch.vision, transforms is glasstorch.vision.transforms)\n"
        "print(torch.cuda.is_available(), torch.accelerator.is_available(), sys.argv[1:], __name__)\n")),
        "--flag", "value", cwd=tmp_path)
    assert code == 0, err
    assert out.splitlines() == ["True True True True True", "False False ['--flag', 'value'] __main__"]


MISSING = [
    ("import torch\nx = torch.zeros(2)\nlayer = torch.nn.Transformer()\n", 3, "torch.nn.Transformer"),
    ("import torch\n\nx = torch.zeros(4)\ny = x.stft(2)\n", 4, "torch.Tensor.stft"),
    ("from torch.distributions import Normal\n", 1, "torch.distributions"),
    ("import torch\nfrom torch.nn import Transformer\n", 2, "torch.nn.Transformer"),
    ("import torchvision.models.detection as detection\n", 1, "torchvision.models.detection"),
    ("import torch\ndef build():\n    return torch.nn.functional.ctc_loss\nbuild()\n", 3, "torch.nn.functional.ctc_loss"),
]


@pytest.mark.parametrize("source,line,name", MISSING, ids=[m[2] for m in MISSING])
def test_what_glasstorch_lacks_is_named_with_file_and_line(tmp_path, source, line, name):
    code, out, err = run(program(tmp_path, source), cwd=tmp_path)
    assert code == 1
    assert err.strip() == f"glasstorch run: prog.py:{line} uses {name}, which glasstorch does not have"


def test_the_programs_own_errors_show_only_its_frames_and_exit_codes_pass_through(tmp_path):
    code, out, err = run(program(tmp_path, "import torch\ndef f():\n    torch.zeros(2, 3) @ torch.zeros(2, 3)\nf()\n"),
                         cwd=tmp_path)
    assert code == 1 and "prog.py\", line 3" in err and "mat1 and mat2 shapes cannot be multiplied" in err
    assert "glasstorch/" not in err and "runpy" not in err
    assert run(program(tmp_path, "import sys\nsys.exit(3)\n"), cwd=tmp_path)[0] == 3
    code, _, err = run(tmp_path / "nothing.py", cwd=tmp_path)
    assert code == 2 and "no such program" in err


def test_track_gradients_writes_the_gradient_flow_of_the_trained_model(tmp_path):
    source = ("import torch\nnet = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Sigmoid(), torch.nn.Linear(8, 1))\n"
              "opt = torch.optim.SGD(net.parameters(), lr=0.1)\nx, y = torch.randn(16, 4), torch.randn(16, 1)\n"
              "for _ in range(5):\n    opt.zero_grad()\n    torch.nn.functional.mse_loss(net(x), y).backward()\n"
              "    opt.step()\n")
    code, out, err = run("--track-gradients", "--out", tmp_path / "flow", program(tmp_path, source), cwd=tmp_path)
    assert code == 0, err
    assert "gradient flow of Sequential over 5 steps" in err and "0.weight" in err and "2.weight" in err
    assert sorted(p.name for p in (tmp_path / "flow").iterdir()) == ["gradient_flow_Sequential_layers.png",
                                                                   "gradient_flow_Sequential_steps.png"]


COURSE_RUNS = [
    # floors well under what one epoch gives here and in PyTorch from the same files (61 / 52 %, 91 / 87 %, 77 / 71 %)
    ("softmax_mnist.py", ["--epochs", "1", "--limit", "5000", "--lr", "0.1"], r"accuracy on test set: (\d+) %", 40),
    ("cnn_basic.py", ["--epochs", "1", "--limit", "5000", "--lr", "0.1"], r"accuracy on test set: (\d+) %", 75),
    ("cnn_advanced.py", ["--net", "residual", "--epochs", "1", "--limit", "1280", "--lr", "0.1"],
     r"accuracy on test set: (\d+) %", 55),
    ("rnn_hello.py", ["--variant", "rnncell", "--epochs", "40"], r"loss ([\d.]+) -> [\d.]+", None),
    ("rnn_hello.py", ["--variant", "embedding", "--epochs", "30"], r"loss [\d.]+ -> ([\d.]+)", None),
    ("gru_names.py", ["--epochs", "12", "--hidden-size", "32"], r"final accuracy ([\d.]+)%", 35),
    ("examples/mnist_main.py", ["--epochs", "1", "--limit", "1000", "--log-interval", "5"],
     r"final accuracy ([\d.]+)", 0.7),
    ("examples/mnist_rnn.py", ["--epochs", "2", "--limit", "2000", "--lr", "1.0"], r"final accuracy ([\d.]+)", 0.3),
    ("examples/regression.py", [], r"Loss: ([\d.]+) after", None),
    ("examples/vae.py", ["--epochs", "1", "--limit", "600", "--results", "results"], r"Test set loss: ([\d.]+)", None),
    ("examples/time_sequence_prediction.py", ["--steps", "1", "--length", "100", "--future", "10"],
     r"final test loss ([\d.]+)", None),
]


@pytest.mark.parametrize("script,args,pattern,floor", COURSE_RUNS, ids=[f"{c[0]}{' '.join(c[1][:2])}" for c in COURSE_RUNS])
def test_course_and_example_programs_run_unchanged_and_learn(tmp_path, script, args, pattern, floor):
    code, out, err = run(COURSE / script, *args, cwd=tmp_path)
    assert code == 0, err[-2000:]
    value = last_number(pattern, out)
    if floor is not None:
        assert value >= floor, out[-1000:]
    elif "rnncell" in args:         # five summed step losses, 40 steps of Adam: halved at least
        assert last_number(r"loss [\d.]+ -> ([\d.]+)", out) < value / 2
    elif "rnn_hello" in script:
        assert value < 0.3 and "final: ohlol" in out
    elif "regression" in script:
        assert value < 1e-3
    elif "vae" in script:
        assert value < 450 and (tmp_path / "results" / "sample_1.png").is_file()     # 784 ln 2 = 543 at the start
    else:
        assert value < 0.05
    if "mnist" in script and "examples" not in script:
        assert "using the subset shipped with glasstorch" in err


def test_python_dash_m_glasstorch_run_equals_the_command(tmp_path):
    result = subprocess.run(["glasstorch", "run", str(program(tmp_path, "import torch\nprint(torch.ones(2).sum().item())\n"))],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "2.0"


def test_a_keyword_glasstorch_does_not_take_is_named_in_one_line(tmp_path):
    source = "import torch\nx = torch.ones(2)\ny = torch.zeros(2, 3, names=None)\n"      # named tensors
    code, _, err = run(program(tmp_path, source), cwd=tmp_path)
    assert code == 1
    assert err.strip() == "glasstorch run: prog.py:3 calls torch.zeros with names=, which glasstorch does not accept"
    source = "import torch\nx = torch.ones(2)\ny = x.new_ones(3, memory_format=None)\n"
    code, _, err = run(program(tmp_path, source, "p1.py"), cwd=tmp_path)
    assert code == 1 and err.strip() == ("glasstorch run: p1.py:3 calls torch.Tensor.new_ones with memory_format=, "
                                         "which glasstorch does not accept")
    code, _, err = run(program(tmp_path, "import torch\ntorch.add(torch.ones(2), 1, rounding=2)\n", "p2.py"),
                       cwd=tmp_path)
    assert code == 1 and err.strip() == ("glasstorch run: p2.py:2 calls torch.add with rounding=, which glasstorch "
                                         "does not accept")


def test_torchvision_models_build_and_pretrained_weights_get_one_line(tmp_path):
    source = ("import torch, torchvision\n"
              "net = torchvision.models.resnet18(weights=None, num_classes=10)\n"
              "print(tuple(net(torch.randn(2, 3, 32, 32)).shape), len(net.state_dict()))\n"
              "torchvision.models.resnet18(weights=torchvision.models.ResNet18_Weights.DEFAULT)\n")
    code, out, err = run(program(tmp_path, source), cwd=tmp_path)
    assert code == 1 and out.strip() == "(2, 10) 122"
    assert err.count("\n") == 1 and err.startswith("glasstorch run: prog.py:4: resnet18(weights='IMAGENET1K_V1'): ")
    assert "glasstorch.load('resnet18.safetensors')" in err
