"""Shared helpers for the benchmarks: fair side-by-side timing in separate worker processes, and tables.

glasstorch and PyTorch each run in their own process so that neither framework's idle worker threads
(OpenBLAS and OpenMP spin for a while after each call) steal the other's cores; the parent alternates
short bursts between the two and takes medians, so machine noise hits both sides alike.
"""
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

FRAMEWORKS = ("glasstorch", "pytorch")


def median_ms(samples):
    return 1000 * statistics.median(samples)


IMAGE_FOLDERS = {"fashion-mnist": "/usr/share/datasets/fashion-mnist",
                 "mnist": str(ROOT.parent / "shared" / "datasets" / "mnist-sample")}


def batch(size, seed=0):
    """(images (size, 1, 28, 28) float32, labels int64): real training images, normalised as `glasstorch train`
    does, from the first folder of IMAGE_FOLDERS that has them. Real images, not random numbers: PyTorch's step
    is ~12% faster on Fashion-MNIST than on Gaussian noise (glasstorch's speed does not depend on the values),
    so noise would flatter glasstorch. Falls back to noise, with a warning, when no images are found."""
    from glasstorch.datasets import DATASETS
    from glasstorch.datasets.idx import read_idx

    rng = np.random.default_rng(seed)
    for name, folder in IMAGE_FOLDERS.items():
        folder = Path(folder)
        if (folder / "train-images-idx3-ubyte.gz").exists():
            images = read_idx(folder / "train-images-idx3-ubyte.gz")
            labels = read_idx(folder / "train-labels-idx1-ubyte.gz")
            chosen = rng.choice(len(images), size, replace=len(images) < size)
            pixels = images[chosen, None].astype(np.float32) / 255
            mean, std = DATASETS[name].mean, DATASETS[name].std
            return (pixels - np.float32(mean)) / np.float32(std), labels[chosen].astype(np.int64)
    print(f"warning: no training images in {list(IMAGE_FOLDERS.values())}; timing on Gaussian noise", file=sys.stderr)
    return rng.standard_normal((size, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, size).astype(np.int64)


def initial_weights(network, seed=0):
    """The network's initial state_dict as NumPy arrays (drawn by glasstorch), shared by both sides."""
    import glasstorch as gt
    from glasstorch import models

    gt.manual_seed(seed)
    model = models.create_model(network)
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def build(framework, network, weights, threads=None):
    """(library, model) for one side, with the given weights loaded; `threads` caps the threads each side uses
    (for glasstorch 1 also means single-threaded BLAS), None leaves both at their defaults."""
    if framework == "glasstorch":
        import glasstorch as lib
        from glasstorch import models

        if threads is not None:
            lib.set_num_threads(threads)
            if threads == 1:
                from threadpoolctl import threadpool_limits

                threadpool_limits(1)
        model = models.create_model(network)
        model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    else:
        import torch as lib
        from torch_models import NETWORKS

        if threads is not None:
            lib.set_num_threads(threads)
        model = NETWORKS[network]()
        model.load_state_dict({k: lib.from_numpy(v) for k, v in weights.items()})
    return lib, model


def _worker(connection, framework, task, options, path):
    if path is not None:            # another checkout of glasstorch (bench_ab.py): import it, not this one
        sys.path.insert(0, str(path))
    run = task(framework, **options)
    while True:
        message = connection.recv()
        if message is None:
            break
        connection.send(run(message))


class Side:
    """A worker process that runs `task(framework, **options)`'s returned callable on request; `path`: a folder
    whose glasstorch the worker imports instead of this checkout's."""

    def __init__(self, framework, task, options, path=None):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, framework, task, options, path), daemon=True)
        self.process.start()

    def __call__(self, message):
        self.connection.send(message)
        return self.connection.recv()

    def close(self):
        self.connection.send(None)
        self.process.join(timeout=30)


def alternate(task, options, bursts, message, settle=0.05, sides=None):
    """{side: [result of each burst]} with bursts alternating between the worker processes; `sides` maps a label
    to (framework, path) (default: glasstorch and pytorch, this checkout)."""
    sides = {label: Side(framework, task, options, path)
             for label, (framework, path) in (sides or {f: (f, None) for f in FRAMEWORKS}).items()}
    results = {label: [] for label in sides}
    try:
        for framework, side in sides.items():   # warm-up burst, discarded
            side(message)
        for _ in range(bursts):
            for framework, side in sides.items():
                time.sleep(settle)                  # let the other side's idle threads park
                results[framework].append(side(message))
    finally:
        for side in sides.values():
            side.close()
    return results


def machine():
    """The CPU, its vector width, the BLAS kernel NumPy runs and the Python: what every table must name."""
    import os
    import platform

    from threadpoolctl import threadpool_info

    cpu, flags = "unknown CPU", ""
    try:
        text = open("/proc/cpuinfo").read()
        cpu = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name"))
        flags = "AVX-512" if "avx512f" in text else "AVX2" if "avx2" in text else "no AVX2"
    except (OSError, StopIteration):
        pass
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} {i.get('architecture')}" for i in threadpool_info()
                     if i["user_api"] == "blas") or "unknown BLAS"
    return f"{cpu} ({flags}), {os.cpu_count()} cores, {blas}, {platform.python_implementation()} {platform.python_version()}"


def print_table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
