"""Run many random programs (ops, views, slices, in-place ops, backward) in glasstorch and in PyTorch, on demand:
each must raise in both at the same step, or give the same values and gradient. The suite runs 300 of them
(tests/autograd/test_inplace_views.py); this runs as many as asked and reports the count.

    python benchmarks/autograd_programs.py [--count 5000] [--seed 0]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "autograd"))

import torch  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from programs import assert_same, run, steps  # noqa: E402

import glasstorch as gt  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tally = {"programs": 0, "raised in both": 0}

    @seed(args.seed)
    @settings(max_examples=args.count, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(steps)
    def check(program):
        ours, reference = run(gt, program), run(torch, program)
        assert_same(ours, reference, program)
        tally["programs"] += 1
        tally["raised in both"] += reference[0] == "raised"

    started = time.perf_counter()
    check()
    print(f"{tally['programs']} random programs agreed with PyTorch ({tally['raised in both']} raised in both, "
          f"the rest gave the same values and gradients) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
