"""torchvision's ResNet-18 training step (forward, backward, SGD-momentum update) on 32x32 colour images,
glasstorch.vision.models.resnet18 against torchvision.models.resnet18 with the same weights, each in its own
process, alternating bursts; prints medians and ratios. --profile prints where glasstorch's time goes, per op.

    python benchmarks/bench_resnet18.py [--batch 32] [--bursts 6] [--steps 4] [--threads 1]
    python benchmarks/bench_resnet18.py --profile [--threads 1]

These layers are larger than the course's (11.2 M parameters, 64-512 channels): the time is in the
convolutions' matrix products, where both sides call a BLAS; see the profile.
"""
import argparse

import numpy as np
from bench_step import print_profile, ratio_cell, step_timer
from common import ROOT, alternate, machine, median_ms, print_table

IMAGE = (3, 32, 32)


def resnet18_weights(seed=0):
    import glasstorch as gt
    from glasstorch.vision import models

    gt.manual_seed(seed)
    return {k: v.numpy().copy() for k, v in models.resnet18(num_classes=10).state_dict().items()}


def train_task(framework, batch_size, weights, threads=None):
    """A callable running `steps` training steps, returning (forward, backward, full step) seconds per step."""
    if framework == "glasstorch":
        import glasstorch as lib
        from glasstorch.vision import models

        if threads == 1:
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)
    else:
        import sys

        import torch as lib

        sys.path.insert(0, str(ROOT / "tests"))
        from torchvision_import import import_torchvision

        models = import_torchvision().models
    if threads is not None:
        lib.set_num_threads(threads)
    model = models.resnet18(num_classes=10)
    model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in weights.items()})
    rng = np.random.default_rng(1)
    x = lib.from_numpy(rng.standard_normal((batch_size, *IMAGE)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, batch_size).astype(np.int64))
    return step_timer(lib, model, x, y, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))


def profile(batch_size, threads, steps=4):
    print_profile(train_task("glasstorch", batch_size, resnet18_weights(), threads), f"resnet18, batch {batch_size}",
                  steps, warmup=1, rows=15)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[32])
    parser.add_argument("--bursts", type=int, default=6)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--threads", type=int, help="threads per side; default: each library's own")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        profile(args.batch[0], args.threads)
        return
    print(f"{machine()}; medians of {args.bursts} alternating bursts x {args.steps} steps, separate processes"
          + (f", {args.threads} thread(s) per side" if args.threads else ""))
    weights, rows = resnet18_weights(), []
    for size in args.batch:
        results = alternate(train_task, dict(batch_size=size, weights=weights, threads=args.threads), args.bursts,
                            args.steps)
        flat = {side: [s for burst in runs for s in burst] for side, runs in results.items()}
        rows.append(("resnet18 32x32", size, *(ratio_cell(median_ms([s[k] for s in flat["glasstorch"]]),
                                                          median_ms([s[k] for s in flat["pytorch"]]))
                                               for k in range(3))))
    print("\ntraining step, median ms: glasstorch / PyTorch = ratio")
    print_table(["network", "batch", "forward", "backward", "full step"], rows)


if __name__ == "__main__":
    main()
