"""A machine's first `glasstorch train` against its later ones: the quickstart's job for one epoch, run as its own
process on a fresh Numba cache (what a new install pays: compiling the kernel set ahead, on every core) and then
again on that cache (what every later run pays); prints wall seconds and the compile-ahead line's time.

    python benchmarks/bench_first_run.py [--repeats 2]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from common import ROOT, machine, print_table

COMMAND = [sys.executable, "-m", "glasstorch", "train", "--epochs", "1", "--no-progress"]


def run(cache, out):
    """(wall seconds, seconds the compile-ahead line reports or None) of one `glasstorch train` process."""
    started = time.perf_counter()
    result = subprocess.run([*COMMAND, "--out", out], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "NUMBA_CACHE_DIR": cache})
    wall = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(result.stderr)
    ahead = re.search(r"kernels in ([0-9.]+) s", result.stderr)
    return wall, float(ahead.group(1)) if ahead else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    first, ahead, later = [], [], []
    for _ in range(args.repeats):
        cache, out = tempfile.mkdtemp(prefix="numba-"), tempfile.mkdtemp(prefix="first-run-")
        wall, seconds = run(cache, out)
        first.append(wall)
        ahead.append(seconds)
        later.append(run(cache, out + "-again")[0])
        print(f"  first run {wall:.1f} s (compiling ahead {seconds} s), later run {later[-1]:.1f} s", flush=True)
    print(f"\n{machine()}; `glasstorch train --epochs 1` (Inception Net, 5,000 MNIST digits), median of "
          f"{args.repeats}")
    print_table(["", "seconds"], [("first run on a fresh cache, in all", f"{statistics.median(first):.1f}"),
                                  ("  of it compiling ahead (its line)",
                                   f"{statistics.median(ahead):.1f}" if None not in ahead else "no line"),
                                  ("a later run, in all", f"{statistics.median(later):.1f}")])


if __name__ == "__main__":
    main()
