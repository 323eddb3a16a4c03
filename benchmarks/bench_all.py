"""Every speed bar of the project in one command: training step (batch 64, 128, 256), inference (batch 64, 1000),
a Fashion-MNIST epoch and its peak memory, each glasstorch / PyTorch from this run, with the bar and a verdict.

    python benchmarks/bench_all.py [--bursts 8] [--skip-epoch]
"""
import argparse
import re

from bench_epoch import measure_epoch
from bench_step import inference_task, measure, train_task
from common import machine, print_table

BARS = {"step": 1.0, "inference": 1.0, "epoch": 1.0, "memory": 1.5}


def ratio(cell):
    return float(re.search(r"= ([0-9.]+)x", cell).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bursts", type=int, default=8)
    parser.add_argument("--steps", type=int, default=8, help="steps per burst")
    parser.add_argument("--skip-epoch", action="store_true", help="leave out the ~3-minute epoch measurement")
    args = parser.parse_args()
    networks = ["inception-net", "resnet"]
    rows = []
    for network, size, *cells in measure(train_task, networks, [64, 128, 256], args.bursts, args.steps, "training step"):
        rows.append((f"training step, {network}, batch {size}", cells[-1], "step"))
    for network, size, cell in measure(inference_task, networks, [64, 1000], args.bursts, args.steps, "inference"):
        rows.append((f"inference, {network}, batch {size}", cell, "inference"))
    if not args.skip_epoch:
        result = measure_epoch()
        (ours_s, ours_m), (ref_s, ref_m) = result["glasstorch"], result["pytorch"]
        rows.append(("Fashion-MNIST epoch, inception-net", f"{ours_s:.1f} / {ref_s:.1f} s = {ours_s / ref_s:.2f}x",
                     "epoch"))
        rows.append(("peak RSS of that epoch", f"{ours_m:.0f} / {ref_m:.0f} MiB = {ours_m / ref_m:.2f}x", "memory"))
    print(f"\n{machine()}; glasstorch / PyTorch from this run (medians)")
    print_table(["measurement", "glasstorch / PyTorch", "bar", "met"],
                [(name, cell, f"<= {BARS[kind]}x", "yes" if ratio(cell) <= BARS[kind] else "no")
                 for name, cell, kind in rows])


if __name__ == "__main__":
    main()
