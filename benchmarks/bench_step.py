"""One training step (forward, backward, SGD-momentum update) of the course's networks, glasstorch vs PyTorch.

    python benchmarks/bench_step.py [--batch 64] [--repeats 15] [--profile]

Both run in this process, alternating, on identical weights and data; prints medians and ratios
glasstorch/PyTorch for forward, backward and the full step, plus glasstorch's per-op times with --profile.
"""
import argparse
import collections

from common import batch, clock, gt, median_ms, print_table, torch, twin_models


def time_step(lib, model, optimizer, x, y, functional):
    t0 = clock()
    out = model(x)
    loss = functional.cross_entropy(out, y)
    t1 = clock()
    optimizer.zero_grad()
    loss.backward()
    t2 = clock()
    optimizer.step()
    t3 = clock()
    return t1 - t0, t2 - t1, t3 - t0


def run(name, batch_size, repeats):
    ours, ref = twin_models(name)
    x_np, y_np = batch(batch_size)
    sides = {
        "glasstorch": (gt, ours, gt.optim.SGD(ours.parameters(), lr=0.01, momentum=0.5), gt.tensor(x_np),
                       gt.tensor(y_np), gt.nn.functional),
        "pytorch": (torch, ref, torch.optim.SGD(ref.parameters(), lr=0.01, momentum=0.5), torch.tensor(x_np),
                    torch.tensor(y_np), torch.nn.functional),
    }
    times = {side: [] for side in sides}
    for i in range(repeats + 2):
        for side, (lib, model, opt, x, y, F) in sides.items():
            sample = time_step(lib, model, opt, x, y, F)
            if i >= 2:   # warm-up
                times[side].append(sample)
    result = {}
    for side, samples in times.items():
        result[side] = [median_ms([s[k] for s in samples]) for k in range(3)]
    return result


class OpProfiler:
    """Accumulates time per op (forward and backward) by wrapping Function.apply and run_backward."""

    def __init__(self):
        self.totals = collections.defaultdict(float)

    def __enter__(self):
        from glasstorch.autograd.function import Function

        self._apply, self._backward = Function.apply.__func__, Function.run_backward
        totals = self.totals
        original_apply, original_backward = self._apply, self._backward

        def apply(cls, *args, **kwargs):
            t0 = clock()
            out = original_apply(cls, *args, **kwargs)
            totals[f"{cls.__name__} forward"] += clock() - t0
            return out

        def run_backward(node, grad):
            t0 = clock()
            out = original_backward(node, grad)
            totals[f"{type(node).__name__} backward"] += clock() - t0
            return out

        Function.apply = classmethod(apply)
        Function.run_backward = run_backward
        return self

    def __exit__(self, *exc):
        from glasstorch.autograd.function import Function

        Function.apply = classmethod(self._apply)
        Function.run_backward = self._backward


def profile(name, batch_size, steps=5):
    ours, _ = twin_models(name)
    x_np, y_np = batch(batch_size)
    x, y = gt.tensor(x_np), gt.tensor(y_np)
    opt = gt.optim.SGD(ours.parameters(), lr=0.01, momentum=0.5)
    time_step(gt, ours, opt, x, y, gt.nn.functional)
    with OpProfiler() as prof:
        t0 = clock()
        for _ in range(steps):
            time_step(gt, ours, opt, x, y, gt.nn.functional)
        total = clock() - t0
    rows = sorted(prof.totals.items(), key=lambda kv: -kv[1])
    print(f"\nglasstorch per-op time, {name}, batch {batch_size} ({steps} steps, {1000 * total / steps:.1f} ms/step)")
    print_table(["op", "ms/step", "share"],
                [(op, f"{1000 * t / steps:.2f}", f"{100 * t / total:.1f}%") for op, t in rows[:15]])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[64])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--networks", nargs="+", default=["inception-net", "resnet"])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in args.networks:
        for size in args.batch:
            r = run(name, size, args.repeats)
            g, p = r["glasstorch"], r["pytorch"]
            rows.append((name, size, *(f"{g[k]:.1f} / {p[k]:.1f} = {g[k] / p[k]:.2f}x" for k in range(3))))
    print(f"median ms over {args.repeats} alternating repetitions, glasstorch / PyTorch = ratio "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print_table(["network", "batch", "forward", "backward", "full step"], rows)
    if args.profile:
        for name in args.networks:
            profile(name, args.batch[0])


if __name__ == "__main__":
    main()
