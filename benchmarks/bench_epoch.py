"""A full training epoch of the Inception Net on Fashion-MNIST: `glasstorch train` (data loading, progress bar,
evaluation, checkpoint and figures included) against the plain PyTorch script torch_epoch.py. Each runs as its
own process, alternating; prints wall seconds and peak resident memory (ru_maxrss) with ratios.

    python benchmarks/bench_epoch.py [--repeats 1] [--data-dir /usr/share/datasets/fashion-mnist] [--nproc 2]

--nproc N runs `glasstorch train --nproc N` (N MPI ranks x 1 thread) against PyTorch's one process.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine, print_table

HERE = Path(__file__).resolve().parent


def run(command):
    """(wall seconds, peak RSS in MiB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=HERE.parent)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def measure_epoch(repeats=1, data_dir="/usr/share/datasets/fashion-mnist", nproc=1):
    """{framework: (median wall seconds, median peak RSS MiB)} for one training epoch each."""
    out = tempfile.mkdtemp(prefix="bench_epoch_")
    commands = {
        "glasstorch": [sys.executable, "-m", "glasstorch", "train", "--model", "inception-net", "--dataset",
                       "fashion-mnist", "--data-dir", data_dir, "--epochs", "1", "--batch-size", "64", "--lr",
                       "0.01", "--optimizer", "sgd", "--momentum", "0.5", "--out", out, "--nproc", str(nproc)],
        "pytorch": [sys.executable, str(HERE / "torch_epoch.py"), "--data-dir", data_dir, "--out", f"{out}/torch.pt"],
    }
    results = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            results[name].append(run(command))
            print(f"  {name}: {results[name][-1][0]:.1f} s, peak RSS {results[name][-1][1]:.0f} MiB", flush=True)
    return {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
            for name, rs in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--nproc", type=int, default=1, help="glasstorch's processes (MPI ranks x 1 thread)")
    args = parser.parse_args()
    result = measure_epoch(args.repeats, args.data_dir, args.nproc)
    (ours_s, ours_m), (ref_s, ref_m) = result["glasstorch"], result["pytorch"]
    print(f"\n{machine()}; one epoch, 60,000 images, batch 64, median of {args.repeats}; glasstorch with "
          f"{args.nproc} process{'es' * (args.nproc != 1)}")
    print_table(["", "glasstorch", "PyTorch", "ratio"], [
        ("epoch wall time (s)", f"{ours_s:.1f}", f"{ref_s:.1f}", f"{ours_s / ref_s:.2f}x"),
        ("peak RSS (MiB)", f"{ours_m:.0f}", f"{ref_m:.0f}", f"{ours_m / ref_m:.2f}x")])


if __name__ == "__main__":
    main()
