"""Training step (forward, backward, SGD-momentum update) and inference of the course's networks,
glasstorch vs PyTorch, each in its own process, alternating bursts; prints medians and ratios.

    python benchmarks/bench_step.py [--batch 64 128 256] [--bursts 8] [--steps 8] [--inference 64 1000] [--threads 1]
    python benchmarks/bench_step.py --profile      # glasstorch's per-op times, in this process
"""
import argparse
import collections
import time

from common import alternate, batch, build, initial_weights, machine, median_ms, print_table


def train_task(framework, network, batch_size, weights, threads=None):
    lib, model = build(framework, network, weights, threads)
    x_np, y_np = batch(batch_size)
    return step_timer(lib, model, lib.tensor(x_np), lib.tensor(y_np),
                      lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.5))


def step_timer(lib, model, x, y, optimizer):
    """run(steps): that many training steps (cross-entropy, backward, optimizer step), each timed as (forward,
    backward, whole step) seconds."""
    functional = lib.nn.functional

    def run(steps):
        samples = []
        for _ in range(steps):
            t0 = time.perf_counter()
            loss = functional.cross_entropy(model(x), y)
            t1 = time.perf_counter()
            optimizer.zero_grad()
            loss.backward()
            t2 = time.perf_counter()
            optimizer.step()
            samples.append((t1 - t0, t2 - t1, time.perf_counter() - t0))
        return samples
    return run


def inference_task(framework, network, batch_size, weights, threads=None):
    lib, model = build(framework, network, weights, threads)
    model.eval()
    x = lib.tensor(batch(batch_size)[0])

    def run(steps):
        samples = []
        with lib.no_grad():
            for _ in range(steps):
                t0 = time.perf_counter()
                model(x)
                samples.append((time.perf_counter() - t0,))
        return samples
    return run


def ratio_cell(ours, ref, digits=1):
    return f"{ours:.{digits}f} / {ref:.{digits}f} = {ours / ref:.2f}x"


def measure(task, networks, sizes, bursts, steps, label, threads=None):
    """Rows (network, batch, cell per timed part): medians over all bursts, glasstorch / PyTorch."""
    rows = []
    for network in networks:
        weights = initial_weights(network)
        for size in sizes:
            results = alternate(task, dict(network=network, batch_size=size, weights=weights, threads=threads),
                                bursts, steps)
            flat = {side: [s for burst in runs for s in burst] for side, runs in results.items()}
            parts = len(flat["glasstorch"][0])
            cells = [ratio_cell(median_ms([s[k] for s in flat["glasstorch"]]), median_ms([s[k] for s in flat["pytorch"]]))
                     for k in range(parts)]
            rows.append((network, size, *cells))
            print(f"  {network} {label} batch {size}: {cells[-1]}", flush=True)
    return rows


class OpProfiler:
    """Accumulates glasstorch's time per op (forward and backward) by wrapping Function.apply and run_backward.
    Each op returns when its worker slices are done, so each op's time is its own."""

    def __init__(self):
        self.totals = collections.defaultdict(float)

    def __enter__(self):
        from glasstorch.autograd.function import Function

        self._apply, self._backward = Function.apply.__func__, Function.run_backward
        totals, original_apply, original_backward = self.totals, self._apply, self._backward

        def apply(cls, *args, **kwargs):
            t0 = time.perf_counter()
            out = original_apply(cls, *args, **kwargs)
            totals[f"{cls.__name__} forward"] += time.perf_counter() - t0
            return out

        def run_backward(node, grad, create_graph=False):
            t0 = time.perf_counter()
            out = original_backward(node, grad, create_graph)
            totals[f"{type(node).__name__} backward"] += time.perf_counter() - t0
            return out

        Function.apply = classmethod(apply)
        Function.run_backward = run_backward
        return self

    def __exit__(self, *exc):
        from glasstorch.autograd.function import Function

        Function.apply = classmethod(self._apply)
        Function.run_backward = self._backward


def profile(network, batch_size, steps=10, threads=None):
    print_profile(train_task("glasstorch", network, batch_size, initial_weights(network), threads),
                  f"{network}, batch {batch_size}", steps)


def print_profile(run, label, steps, warmup=2, rows=25):
    """glasstorch's time per op over `steps` steps of run (after `warmup` untimed ones), largest first."""
    run(warmup)
    with OpProfiler() as prof:
        t0 = time.perf_counter()
        run(steps)
        total = time.perf_counter() - t0
    ranked = sorted(prof.totals.items(), key=lambda kv: -kv[1])
    print(f"\nglasstorch per-op time, {label} ({1000 * total / steps:.1f} ms/step)")
    print_table(["op", "ms/step", "share"], [(op, f"{1000 * t / steps:.2f}", f"{100 * t / total:.1f}%")
                                             for op, t in ranked[:rows]])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[64])
    parser.add_argument("--inference", type=int, nargs="*", default=[], help="inference batch sizes")
    parser.add_argument("--bursts", type=int, default=8)
    parser.add_argument("--steps", type=int, default=8, help="steps per burst (consecutive, as in a training loop)")
    parser.add_argument("--networks", nargs="+", default=["inception-net", "resnet"])
    parser.add_argument("--threads", type=int, help="threads per side (1: both single-threaded, which compares the "
                        "kernels without the cost of splitting work over cores); default: each library's own")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        for network in args.networks:
            profile(network, args.batch[0], threads=args.threads)
        return
    threads = f", {args.threads} thread(s) per side" if args.threads else ""
    print(f"{machine()}; medians of {args.bursts} alternating bursts x {args.steps} steps, separate processes{threads}")
    rows = measure(train_task, args.networks, args.batch, args.bursts, args.steps, "training step", args.threads)
    print("\ntraining step, median ms: glasstorch / PyTorch = ratio")
    print_table(["network", "batch", "forward", "backward", "full step"], rows)
    if args.inference:
        rows = measure(inference_task, args.networks, args.inference, args.bursts, args.steps, "inference",
                       args.threads)
        print("\ninference (no_grad), median ms: glasstorch / PyTorch = ratio")
        print_table(["network", "batch", "forward"], rows)


if __name__ == "__main__":
    main()
