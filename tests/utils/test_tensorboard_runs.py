"""TensorBoard logs of whole runs: `glasstorch train --tensorboard` (what the run measured, read back with
TensorBoard's reader and served by a real TensorBoard server), and `glasstorch run --tensorboard` on a program
that also uses torch.utils.tensorboard itself."""
import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from glasstorch.datasets import MNIST
from glasstorch.train import Trainer, TrainConfig

EVERYTHING = {"images": 0, "scalars": 0, "histograms": 0, "tensors": 0}


def read(folder):
    accumulator = EventAccumulator(str(folder), size_guidance=EVERYTHING)
    accumulator.Reload()
    return accumulator


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tb") / "lenet-mnist"
    config = TrainConfig(model="lenet", epochs=2, limit_train=256, limit_test=128, out=str(folder), tensorboard=True,
                         progress=False, data_dir=str(MNIST.embedded))
    trainer = Trainer(config, log=lambda line: None)
    history = trainer.fit()
    return folder, history, trainer


def test_train_logs_what_the_run_measured(trained_run):
    folder, history, trainer = trained_run
    log = read(folder)
    for tag, key in (("accuracy/test", "test_acc"), ("loss/train", "train_loss"), ("lr", "lr")):
        assert [(e.step, round(e.value, 5)) for e in log.Scalars(tag)] == \
            [(row["epoch"], round(row[key], 5)) for row in history]
    steps = [e.step for e in log.Scalars("loss/train_step")]
    assert steps == list(range(1, 2 * len(trainer.train_loader) + 1))
    for name, parameter in trainer.model.named_parameters():
        assert [e.step for e in log.Histograms(f"weights/{name}")] == [1, 2]
        assert [e.step for e in log.Histograms(f"gradients/{name}")] == [1, 2]
        assert log.Histograms(f"weights/{name}")[-1].histogram_value.num == parameter.numel()
    (samples,) = log.Images("samples")
    assert (samples.width, samples.height) == (8 * 28, 8 * 28)
    assert [e.step for e in log.Images("misclassified")] == [e.step for e in log.Tensors("misclassified/text_summary")]
    scopes = {node.name.rpartition("/")[0] for node in log.Graph().node if node.op not in ("IO Node", "Parameter")}
    assert "LeNet5/Sequential[features]/Conv2d[0]" in scopes and "LeNet5/Sequential[classifier]/Linear[1]" in scopes
    assert any(name.startswith("events.out.tfevents.") for name in trainer.outputs)


def test_a_resumed_run_hides_what_its_predecessor_logged_after_its_checkpoint(trained_run, tmp_path):
    import shutil

    folder = tmp_path / "resumed"
    shutil.copytree(trained_run[0], folder)
    trainer = Trainer.resuming(folder, log=lambda line: None, epochs=3)
    trainer.fit()
    log = read(folder)
    assert [e.step for e in log.Scalars("accuracy/test")] == [1, 2, 3]
    steps = [e.step for e in log.Scalars("loss/train_step")]
    assert steps == sorted(set(steps)) and steps[-1] == 3 * len(trainer.train_loader)


@pytest.fixture
def tensorboard_server(trained_run):
    """A real `tensorboard --logdir` on 127.0.0.1 (a free port), stopped and waited for even when a test fails."""
    process = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", str(trained_run[0]),
                                "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline, url = time.monotonic() + 120, None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            url = found.group(1) if found else None
        assert url is not None, "tensorboard did not start"
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def fetch(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode()


def test_a_real_tensorboard_server_serves_the_runs_scalars_and_graph(trained_run, tensorboard_server):
    history = trained_run[1]
    points = json.loads(fetch(f"{tensorboard_server}/data/plugin/scalars/scalars?run=.&tag=accuracy/test"))
    assert [(step, round(value, 5)) for _, step, value in points] == \
        [(row["epoch"], round(row["test_acc"], 5)) for row in history]
    graph = fetch(f"{tensorboard_server}/data/plugin/graphs/graph?run=.")
    assert 'name: "LeNet5/Sequential[features]/Conv2d[0]/Conv2d_0"' in graph and 'name: "input/x"' in graph


def test_glasstorch_run_logs_a_program_that_also_writes_its_own(tmp_path):
    program = tmp_path / "prog.py"
    program.write_text(
        "import torch\n"
        "from torch.utils.tensorboard import SummaryWriter\n"
        "net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))\n"
        "optimizer = torch.optim.SGD(net.parameters(), lr=0.1)\n"
        "x, y = torch.randn(32, 4), torch.randint(0, 3, (32,))\n"
        "with SummaryWriter('own') as writer:\n"
        "    for step in range(120):\n"
        "        optimizer.zero_grad()\n"
        "        loss = torch.nn.functional.cross_entropy(net(x), y)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        writer.add_scalar('Loss/train', loss.item(), step)\n")
    result = subprocess.run([sys.executable, "-m", "glasstorch", "run", "--tensorboard", "--out", "auto",
                             str(program)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "wrote TensorBoard logs to auto (120 optimizer steps)" in result.stderr
    own, auto = read(tmp_path / "own"), read(tmp_path / "auto")
    losses = [e.value for e in own.Scalars("Loss/train")]
    assert len(losses) == 120 and [round(e.value, 5) for e in auto.Scalars("loss")] == [round(v, 5) for v in losses]
    assert [e.step for e in auto.Histograms("gradients/Sequential.0.weight")] == [1, 100]
    assert len(auto.Scalars("gradient_norm/Sequential.2.bias")) == 120
    assert {node.name for node in auto.Graph().node} >= {"input/input", "Sequential/Linear[0]/Linear_0",
                                                          "Sequential/ReLU[1]/Relu_0", "output/output.1"}
