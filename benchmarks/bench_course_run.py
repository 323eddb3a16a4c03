"""A course program end to end: `glasstorch run course/cnn_advanced.py` against `python course/cnn_advanced.py` with
PyTorch, the same unchanged file, each in its own process, alternating; prints wall seconds (start-up, data
loading, training and the test pass included: what a learner waits for) with the ratio.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE GLASSTORCH_KERNELS=compiled \\
        python benchmarks/bench_course_run.py [--net inception|residual] [--epochs 1] [--repeats 3] [--idx-dir DIR]

The program reads MNIST from root/MNIST/raw (torchvision's layout). By default that folder holds the MNIST subset
glasstorch ships (5,000 training and 2,000 test digits); --idx-dir DIR takes any four MNIST-format IDX files
instead (e.g. Fashion-MNIST's 60,000 + 10,000 from Debian's dataset-fashion-mnist).
"""
import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_epoch import run
from common import ROOT, machine, print_table

EMBEDDED = ROOT / "glasstorch" / "datasets" / "data" / "mnist"
# The PyTorch side runs the program as `python program.py` would, after importing torchvision as the tests do
# (tests/torchvision_import.py: PyPI's torchvision beside the local CPU build of torch).
TORCH_LAUNCHER = ("import runpy, sys; sys.path.insert(0, 'tests'); from torchvision_import import import_torchvision; "
                  "import_torchvision(); sys.argv = sys.argv[1:]; sys.path[0] = 'course'; "
                  "runpy.run_path(sys.argv[0], run_name='__main__')")
FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def mnist_root(idx_dir):
    """A folder whose MNIST/raw holds the four IDX files both gzipped (glasstorch reads these) and plain (what
    torchvision's MNIST checks for before it would download)."""
    root = Path(tempfile.mkdtemp(prefix="bench_course_"))
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILES:
        source = Path(idx_dir) / f"{name}.gz"
        shutil.copy(source, raw / source.name)
        with gzip.open(source) as packed, open(raw / name, "wb") as plain:
            shutil.copyfileobj(packed, plain)
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--net", choices=["inception", "residual"], default="inception")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--idx-dir", default=str(EMBEDDED), help="four MNIST-format .gz IDX files")
    args = parser.parse_args()
    root = mnist_root(args.idx_dir)
    program = ["course/cnn_advanced.py", "--net", args.net, "--epochs", str(args.epochs), "--data", str(root)]
    commands = {"glasstorch": [sys.executable, "-m", "glasstorch", "run", *program],
                "pytorch": [sys.executable, "-c", TORCH_LAUNCHER, *program]}
    seconds = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, command in commands.items():
            seconds[name].append(run(command)[0])
            print(f"  {name}: {seconds[name][-1]:.1f} s", flush=True)
    shutil.rmtree(root)
    ours, theirs = (statistics.median(seconds[name]) for name in commands)
    print(f"\n{machine()}; glasstorch kernels: {os.environ.get('GLASSTORCH_KERNELS', 'default')}; "
          f"course/cnn_advanced.py --net {args.net}, {args.epochs} epoch(s) on {args.idx_dir}, median of "
          f"{args.repeats}, wall time of the whole process")
    print_table(["", "glasstorch run", "PyTorch", "ratio"],
                [("wall time (s)", f"{ours:.1f}", f"{theirs:.1f}", f"{ours / theirs:.2f}x")])


if __name__ == "__main__":
    main()
