"""Same-run A/B of two glasstorch builds: a git revision (before) against the working tree (after), each in its own
process, alternating bursts of training steps (and inference) of the course's networks; prints medians and the
ratio after / before. What a change did to speed, measured in one run (tables from different runs drift).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_ab.py REV [--batch 64] [--inference 64] [--threads 1]
"""
import argparse
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench_step import inference_task, train_task
from common import ROOT, alternate, initial_weights, machine, median_ms, print_table


def compare(task, label, networks, sizes, bursts, steps, before, threads=None):
    rows = []
    for network in networks:
        weights = initial_weights(network)
        for size in sizes:
            results = alternate(task, dict(network=network, batch_size=size, weights=weights, threads=threads), bursts, steps,
                                sides={"before": ("glasstorch", before), "after": ("glasstorch", ROOT)})
            medians = {side: median_ms([s[-1] for burst in runs for s in burst]) for side, runs in results.items()}
            per_burst = [statistics.median(s[-1] for s in a) / statistics.median(s[-1] for s in b)
                         for a, b in zip(results["after"], results["before"])]
            rows.append((network, label, size, f"{medians['before']:.1f}", f"{medians['after']:.1f}",
                         f"{medians['after'] / medians['before']:.3f}x",
                         f"{min(per_burst):.2f}-{max(per_burst):.2f}x"))
            print(f"  {network} {label} batch {size}: {rows[-1][5]}", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", help="the build to compare against (e.g. HEAD~3)")
    parser.add_argument("--batch", type=int, nargs="+", default=[64])
    parser.add_argument("--inference", type=int, nargs="*", default=[64])
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--networks", nargs="+", default=["inception-net", "resnet"])
    parser.add_argument("--threads", type=int, default=None, help="threads of each side (default: all cores)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        before = Path(folder) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(before), args.revision],
                       check=True)
        try:
            commit = subprocess.run(["git", "-C", str(before), "log", "-1", "--format=%h %s"], capture_output=True,
                                    text=True).stdout.strip()
            print(f"{machine()}\nbefore: {commit}\nafter: the working tree")
            print(f"threads: {args.threads or 'all cores'}")
            rows = compare(train_task, "training step", args.networks, args.batch, args.bursts, args.steps, before,
                           args.threads)
            if args.inference:
                rows += compare(inference_task, "inference", args.networks, args.inference, args.bursts, args.steps,
                                before, args.threads)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False)
    print_table(["network", "measurement", "batch", "before ms", "after ms", "after / before", "burst range"], rows)


if __name__ == "__main__":
    main()
