"""DistributedDataParallel and `glasstorch train --nproc 2`: two ranks train what one process trains."""
import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from glasstorch import load
from glasstorch.distributed import launch
from glasstorch.train import Trainer, TrainConfig, load_trained


def test_ddp_averages_gradients_broadcasts_weights_and_buffers_and_keeps_no_sync_local(ranks):
    result = ranks(2, ["ddp.py"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 ok" in result.stdout and "rank 1 ok" in result.stdout


def train(tmp_path, name, nproc, *options, timeout=240):
    out = tmp_path / name
    command = [sys.executable, "-m", "glasstorch", "train", "--nproc", str(nproc), "--limit-train", "640",
               "--limit-test", "300", "--epochs", "2", "--batch-size", "64", "--no-progress", "--out", str(out),
               *options]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=launch.environment())
    assert result.returncode == 0, result.stdout + result.stderr
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    return result, rows, load(out / "checkpoint.safetensors")


def test_ddp_trains_bit_for_bit_what_one_process_computes_from_the_same_shards(ranks):
    result = ranks(2, ["trajectory.py"], timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 ok" in result.stdout and "rank 1 ok" in result.stdout


OPTIONS = {"sgd-clipped": ("--optimizer", "sgd", "--lr", "0.05", "--clip-grad-norm", "0.5"),
           "adam-resnet": ("--optimizer", "adam", "--model", "resnet")}


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_two_ranks_give_one_ranks_losses_epoch_by_epoch_and_its_weights_after_a_step(tmp_path, options):
    """`--nproc 2` and one process sum the same per-sample gradients in another order (two GEMMs of 32 samples and
    an all_reduce, or one GEMM of 64), so they agree to float32 rounding, not bit for bit (ranks/trajectory.py
    shows the exact equivalence with the same shards). Over several steps that rounding can flip a tie in a max
    pool or a ReLU at 0 and the weights drift apart by far more than a rounding (seen: 5.5e-5 in 63 of conv2's
    44,000 weights after 20 steps on an AVX-512 machine), so the weights are compared after one step, where the
    error analysis holds; the losses, averages over hundreds of images, are compared every epoch: to 2e-5 after the
    first (ten steps), to 1e-3 after the second, since Adam's lr g / (sqrt(v) + eps) magnifies a rounding of a small
    g with every step (seen: 6.5e-5 after twenty ResNet steps once the compiled convolutions' sums were regrouped).
    A rank that trained on the wrong share, or a gradient not averaged, moves the losses by percents."""
    one_output, one, _ = train(tmp_path, "one", 1, *options)
    two_output, two, _ = train(tmp_path, "two", 2, *options)
    assert "2 processes" in two_output.stdout and two_output.stdout.count("epoch 1/2") == 1     # rank 0 speaks
    for epoch, (a, b) in enumerate(zip(one, two)):
        for key in ("train_loss", "test_loss"):
            tolerance = 2e-5 if epoch == 0 else 1e-3
            assert float(b[key]) == pytest.approx(float(a[key]), rel=tolerance, abs=1e-6), (key, a, b)
        for key in ("train_acc", "test_acc"):
            assert abs(float(b[key]) - float(a[key])) <= 1 / 300, (key, a, b)

    # one SGD step: its update is linear in the gradient, so a gradient's rounding stays a rounding of the update
    # (Adam's first step, lr g / (|g| + eps), turns the rounding of a gradient near eps into a change of order lr)
    step = ("--limit-train", "64", "--epochs", "1", "--optimizer", "sgd", "--lr", "0.05")
    model = dict(zip(options[::2], options[1::2])).get("--model", TrainConfig.model)
    start = Trainer(TrainConfig.for_model(model, limit_train=64, out=str(tmp_path / "start"))).model.state_dict()
    _, _, one_state = train(tmp_path, "one-step", 1, *options, *step)
    _, _, two_state = train(tmp_path, "two-step", 2, *options, *step)
    assert one_state["world_size"] == 1 and two_state["world_size"] == 2
    for name, before in start.items():
        w0, w1, w2 = before.numpy(), one_state["model"][name].numpy(), two_state["model"][name].numpy()
        # w1 = w0 - u, with u = lr c g (c: the clipping factor, 1 without). Each side rounds its sums of
        # at most n = 64 x 576 terms in its own order: |du| <= n eps sum|terms|, about 2e-3 of the step's scale
        # for float32 (eps = 6e-8); then w0 - u is rounded once more on each side: 1 unit in the last place each.
        step_scale = np.abs(w1 - w0).max()
        bound = 2 * np.spacing(np.abs(w1)) + 2e-3 * step_scale
        assert step_scale > 0, name      # the step moved this tensor: the comparison is not of two copies of w0
        excess = np.abs(w2 - w1) - bound
        assert excess.max() <= 0, (name, float(np.abs(w2 - w1).max()), float(step_scale))


def test_resume_refuses_another_number_of_processes_in_one_line(tmp_path):
    train(tmp_path, "run", 2, "--model", "linear")
    command = [sys.executable, "-m", "glasstorch", "train", "--out", str(tmp_path / "run"), "--resume", "--epochs",
               "3", "--no-progress"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=launch.environment())
    assert result.returncode == 1
    assert result.stderr.strip() == ("glasstorch train: error: --resume: the run was trained by 2 processes, not 1; "
                                     "resume it with --nproc 2 (another count would shard its batches differently)")
    resumed = subprocess.run(command + ["--nproc", "2"], capture_output=True, text=True, timeout=120,
                             env=launch.environment())
    assert resumed.returncode == 0, resumed.stderr
    assert "epoch 3/3" in resumed.stdout


def test_a_killed_rank_stops_training_within_seconds_and_the_checkpoint_stays_loadable(tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-m", "glasstorch", "train", "--nproc", "2", "--model", "linear", "--epochs", "200",
               "--limit-train", "640", "--limit-test", "100", "--no-progress", "--out", str(out)]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=launch.environment())
    try:
        deadline = time.monotonic() + 120
        while not (out / "checkpoint.safetensors").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (out / "checkpoint.safetensors").exists(), "no checkpoint was written"
        time.sleep(1.0)
        rank_1 = next(pid for pid in _children(job.pid) if _rank_of(pid) == "1")
        os.kill(rank_1, signal.SIGKILL)
        killed = time.monotonic()
        _, stderr = job.communicate(timeout=60)
        assert time.monotonic() - killed < 30
    finally:
        job.kill()
    assert job.returncode != 0
    assert "glasstorch.distributed: rank 1 (on " in stderr and "was killed by signal 9" in stderr
    assert "-----" not in stderr, stderr        # Open MPI's banner folded into that line
    assert load(out / "checkpoint.safetensors")["epoch"] >= 1
    model, config = load_trained(out)          # the weights load into the model the run names
    assert config.model == "linear" and sum(p.numel() for p in model.parameters()) == 7850


def _children(pid):
    """Every process below `pid`."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for line in subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True,
                                   text=True).stdout.split():
            found.append(int(line))
            frontier.append(int(line))
    return found


def _rank_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            variables = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    except OSError:
        return None
    value = variables.get(b"OMPI_COMM_WORLD_RANK")
    return value.decode() if value is not None else None


def test_ranks_mpiexec_starts_itself_take_a_share_of_the_cores(tmp_path):
    """`mpiexec -n 2 glasstorch train` runs each rank as --nproc 2 does: cores / 2 threads each, one BLAS thread."""
    env = {name: value for name, value in launch.environment().items() if name not in launch.THREAD_VARIABLES}
    out = tmp_path / "run"
    command = launch.command(2, [sys.executable, "-m", "glasstorch", "train", "--model", "linear", "--limit-train",
                                 "128", "--limit-test", "50", "--epochs", "1", "--out", str(out)])
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    threads = max(1, (os.cpu_count() or 1) // 2)
    assert f"2 processes x {threads} thread{'s' * (threads != 1)}" in result.stdout
    assert "batch/s" not in result.stderr       # mpiexec would show the bar only at the end: none is drawn


def test_the_progress_bar_of_nproc_2_is_drawn_while_training_runs(tmp_path):
    """mpiexec forwards output a line at a time; --nproc relays rank 0's bar through a FIFO, so its redraws
    arrive as they are made, not all at the end."""
    command = [sys.executable, "-m", "glasstorch", "train", "--nproc", "2", "--model", "inception-net",
               "--limit-train", "1280", "--limit-test", "50", "--epochs", "1", "--out", str(tmp_path / "run")]
    job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=launch.environment())
    arrivals = []
    while chunk := os.read(job.stderr.fileno(), 1 << 16):
        arrivals.append((time.monotonic(), chunk))
    assert job.wait(timeout=120) == 0
    redraws = [when for when, chunk in arrivals if b"batch" in chunk]
    assert len(redraws) >= 3, arrivals
    assert redraws[-1] - redraws[0] > 0.2, arrivals     # spread over the epoch, not one burst at its end


def test_a_rank_takes_its_hosts_cores_over_its_ranks_unless_a_thread_count_is_set():
    cores = os.cpu_count() or 1
    assert launch.cores_per_rank({"OMPI_COMM_WORLD_LOCAL_SIZE": "2"}) == max(1, cores // 2)
    assert launch.cores_per_rank({"MPI_LOCALNRANKS": "1"}) == cores
    assert launch.cores_per_rank({"OMPI_COMM_WORLD_LOCAL_SIZE": "2", "OMP_NUM_THREADS": "3"}) is None
    assert launch.cores_per_rank({}) is None


def test_the_ranks_environment_keeps_what_the_user_set_and_fills_in_the_rest():
    env = launch.environment({"OMP_NUM_THREADS": "4", "OMPI_MCA_btl": "self,tcp"})
    assert env["OMP_NUM_THREADS"] == "4" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["OMPI_MCA_btl"] == "self,tcp"
    assert launch.environment({})["OMPI_MCA_btl"] == "^ofi"      # no 1 s probe of libfabric's providers
