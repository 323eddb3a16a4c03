"""Every convolution of the course's networks on its own, glasstorch vs PyTorch: forward and backward time per
layer, each framework in its own process, alternating bursts; prints medians and ratios.

    python benchmarks/bench_layers.py [--batch 32] [--threads 1] [--bursts 8] [--steps 8] [--networks resnet]

Each layer gets the input it sees inside the network (shape, memory layout, and whether dL/dx is needed: not for
the first layer), captured by a forward hook on one real batch; backward is dL/dx (when needed), dL/dW and dL/db
for a fixed dL/dy. One thread per side by default, which compares the kernels themselves; bench_step.py measures
the whole network, where the two threads and the cache state add their own costs.
"""
import argparse
import time

from bench_step import ratio_cell
from common import alternate, batch, build, initial_weights, machine, median_ms, print_table


def conv_inputs(lib, model, images):
    """[(name, conv module, its input as the network gave it)] in forward order."""
    captured = []
    convs = [(name, module) for name, module in model.named_modules() if type(module).__name__ == "Conv2d"]
    handles = [module.register_forward_hook(lambda module, args, out, name=name: captured.append((name, module, args[0])))
               for name, module in convs]
    with lib.no_grad():
        model(images)
    for handle in handles:
        handle.remove()
    return captured


def layer_task(framework, network, batch_size, weights, threads=1):
    lib, model = build(framework, network, weights, threads)
    images = lib.tensor(batch(batch_size)[0])
    layers = []
    for index, (name, conv, x) in enumerate(conv_inputs(lib, model, images)):
        x = x.detach().requires_grad_(index > 0)     # the first layer's input is the data
        with lib.no_grad():
            g = lib.ones_like(conv(x))
        layers.append((name, conv, x, g))

    def run(steps):
        """{layer name: [(forward s, backward s), ...]}"""
        samples = {}
        for name, conv, x, g in layers:
            for _ in range(steps):
                t0 = time.perf_counter()
                y = conv(x)
                t1 = time.perf_counter()
                y.backward(g)
                samples.setdefault(name, []).append((t1 - t0, time.perf_counter() - t1))
                conv.zero_grad()
                x.grad = None
        return samples, {name: tuple(x.shape) for name, _, x, _ in layers}
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="threads per side (default 1: the kernels alone)")
    parser.add_argument("--bursts", type=int, default=8)
    parser.add_argument("--steps", type=int, default=8, help="calls per layer per burst")
    parser.add_argument("--networks", nargs="+", default=["inception-net", "resnet"])
    args = parser.parse_args()
    print(f"{machine()}; medians of {args.bursts} alternating bursts x {args.steps} calls, separate processes, "
          f"{args.threads} thread(s) per side, batch {args.batch}")
    for network in args.networks:
        options = dict(network=network, batch_size=args.batch, weights=initial_weights(network), threads=args.threads)
        results = alternate(layer_task, options, args.bursts, args.steps)
        shapes = results["glasstorch"][0][1]
        rows, totals = [], {side: [0.0, 0.0] for side in results}
        for name, shape in shapes.items():
            cells = []
            for part in (0, 1):
                ms = {side: median_ms([s[part] for samples, _ in bursts for s in samples[name]])
                      for side, bursts in results.items()}
                for side in ms:
                    totals[side][part] += ms[side]
                cells.append(ratio_cell(ms["glasstorch"], ms["pytorch"], digits=2))
            rows.append((name, "x".join(map(str, shape)), *cells))
        ours, ref = totals["glasstorch"], totals["pytorch"]
        rows.append(("all convolutions", "", *(ratio_cell(ours[k], ref[k], digits=2) for k in (0, 1))))
        print(f"\n{network}: ms per call, glasstorch / PyTorch = ratio")
        print_table(["layer", "input", "forward", "backward"], rows)


if __name__ == "__main__":
    main()
