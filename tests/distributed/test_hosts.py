"""Across hosts: `mpiexec --host A,B -n 2 glasstorch train ...` with one rank on each of two hosts (network
namespaces of this machine joined by a veth link, Open MPI over TCP; tests/distributed/two_hosts.py) trains what
one process trains, and the collectives agree over TCP as they do over shared memory."""
import csv
import sys
from pathlib import Path

import pytest
from test_ddp import train
from two_hosts import across, two_hosts, unavailable

from glasstorch import load

REASON = unavailable()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"two hosts cannot be made here: {REASON}")
RANKS = Path(__file__).parent / "ranks"


def test_collectives_agree_between_two_hosts_over_tcp(tmp_path):
    with two_hosts() as names:
        result = across(names, tmp_path, [sys.executable, str(RANKS / "collectives.py")], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_two_hosts_train_what_one_process_trains(tmp_path):
    options = ("--model", "linear", "--optimizer", "sgd", "--lr", "0.05")
    _, one, one_state = train(tmp_path, "one", 1, *options)
    out = tmp_path / "two"
    with two_hosts() as names:
        result = across(names, tmp_path, [sys.executable, "-m", "glasstorch", "train", "--limit-train", "640",
                                          "--limit-test", "300", "--epochs", "2", "--batch-size", "64",
                                          "--no-progress", "--out", str(out), *options], timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 processes" in result.stdout
    with open(out / "metrics.csv") as f:
        two = list(csv.DictReader(f))
    assert len(two) == len(one) == 2
    for a, b in zip(one, two):
        for key in ("train_loss", "test_loss"):
            assert float(b[key]) == pytest.approx(float(a[key]), rel=2e-5, abs=1e-6), (key, a, b)
    two_state = load(out / "checkpoint.safetensors")
    assert two_state["world_size"] == 2
    for name, weight in one_state["model"].items():
        assert abs(two_state["model"][name].numpy() - weight.numpy()).max() <= 2e-5 + 1e-3 * abs(weight.numpy()).max()
