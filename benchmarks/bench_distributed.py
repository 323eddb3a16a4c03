"""Data parallelism over MPI: a training step of the course's networks with N glasstorch ranks x 1 thread
(DistributedDataParallel, each rank half of the global batch) against PyTorch's one process with N threads and
PyTorch's own DDP (gloo, N processes x 1 thread, started by the same mpiexec), in
alternating runs, each side in its own processes; and the cost of one all_reduce against its size, with what it
predicts for more hosts.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_distributed.py [--batch 64 128 256]
        [--nproc 2] [--rounds 3] [--steps 100]
"""
import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, initial_weights, machine, print_table

HERE = Path(__file__).resolve().parent


def rank_main(network, batch_size, steps, weights_path, bucket_cap_mb=None):
    """Run inside mpiexec: the DDP step on this rank's share; rank 0 prints JSON medians."""
    import numpy as np

    import glasstorch as gt
    from common import batch
    from glasstorch import distributed as dist
    from glasstorch import models

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    gt.set_num_threads(1)
    model = models.create_model(network)
    model.load_state_dict({k: gt.tensor(v) for k, v in np.load(weights_path).items()})
    ddp = gt.nn.parallel.DistributedDataParallel(model, bucket_cap_mb=bucket_cap_mb)
    optimizer = gt.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.5)
    x_np, y_np = batch(batch_size)
    mine = slice(rank * batch_size // world, (rank + 1) * batch_size // world)
    x, y = gt.tensor(x_np[mine]), gt.tensor(y_np[mine])

    def step(sync=True):
        started = time.perf_counter()
        with contextlib.nullcontext() if sync else ddp.no_sync():
            loss = gt.nn.functional.cross_entropy(ddp(x), y)
            optimizer.zero_grad()
            loss.backward()
        optimizer.step()
        return time.perf_counter() - started

    for _ in range(3):
        step()
    synced, local, turn = [], [], max(1, steps // 4)
    for _ in range(4):      # in turns, so that a slow stretch of the machine does not fall on one kind only
        dist.barrier()
        synced += [step() for _ in range(turn)]
        dist.barrier()
        local += [step(sync=False) for _ in range(turn)]
    gradient = np.zeros(sum(p.numel() for p in model.parameters()), dtype=np.float32)
    dist.barrier()
    started = time.perf_counter()
    for _ in range(50):
        dist.all_reduce_unchecked(gradient)
    allreduce = (time.perf_counter() - started) / 50
    sizes = {}
    for n in (1_000, 10_000, 100_000, 1_000_000, 10_000_000):
        array = np.zeros(n, dtype=np.float32)
        dist.barrier()
        started = time.perf_counter()
        for _ in range(10):
            dist.all_reduce_unchecked(array)
        sizes[n] = (time.perf_counter() - started) / 10
    if rank == 0:
        print(json.dumps({"step_ms": 1000 * statistics.median(synced), "local_ms": 1000 * statistics.median(local),
                          "allreduce_ms": 1000 * allreduce, "values": int(gradient.size),
                          "buckets": len(ddp._buckets),
                          "sizes_ms": {str(k): 1000 * v for k, v in sizes.items()}}))


def torch_rank_main(network, batch_size, steps, weights_path):
    """Run inside mpiexec: PyTorch's DDP (gloo) step on this rank's share, one thread; rank 0 prints JSON."""
    import os

    import numpy as np
    import torch
    import torch.distributed as tdist
    from common import batch
    from torch_models import NETWORKS

    rank, world = int(os.environ["OMPI_COMM_WORLD_RANK"]), int(os.environ["OMPI_COMM_WORLD_SIZE"])
    torch.set_num_threads(1)
    tdist.init_process_group("gloo", init_method="tcp://127.0.0.1:29533", rank=rank, world_size=world)
    model = NETWORKS[network]()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(weights_path).items()})
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.5)
    x_np, y_np = batch(batch_size)
    mine = slice(rank * batch_size // world, (rank + 1) * batch_size // world)
    x, y = torch.from_numpy(x_np[mine]), torch.from_numpy(y_np[mine])

    def step():
        started = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(ddp(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return time.perf_counter() - started

    for _ in range(3):
        step()
    times = [step() for _ in range(steps)]
    if rank == 0:
        print(json.dumps({"step_ms": 1000 * statistics.median(times)}), flush=True)
    tdist.barrier()     # neither rank tears gloo's pairs down while the other still uses them (a C++ terminate)
    tdist.destroy_process_group()


def glasstorch_ranks(network, batch_size, steps, nproc, weights_path, flag="--rank-main"):
    from glasstorch.distributed import launch

    command = launch.command(nproc, [sys.executable, str(HERE / "bench_distributed.py"), flag, network,
                                     str(batch_size), str(steps), str(weights_path)])
    result = subprocess.run(command, env=launch.environment(), capture_output=True, text=True, timeout=600,
                            cwd=str(HERE))
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def pytorch_threads(network, batch_size, steps, threads):
    script = (f"import sys, statistics; sys.path.insert(0, {str(HERE)!r})\n"
              "from bench_step import train_task\nfrom common import initial_weights\n"
              f"run = train_task('pytorch', {network!r}, {batch_size}, initial_weights({network!r}), {threads})\n"
              f"run(3)\nprint(1000 * statistics.median(s[-1] for s in run({steps})))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise SystemExit(result.stderr)
    return float(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--networks", nargs="+", default=["inception-net", "resnet"])
    parser.add_argument("--nproc", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100, help="timed steps per side and round: the machine's "
                        "speed drifts in stretches of about 20 steps, so fewer let one stretch decide a cell")
    parser.add_argument("--rank-main", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--torch-rank-main", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rank_main:
        network, size, steps, weights, *cap = args.rank_main
        return rank_main(network, int(size), int(steps), weights, float(cap[0]) if cap else None)
    if args.torch_rank_main:
        network, size, steps, weights = args.torch_rank_main
        return torch_rank_main(network, int(size), int(steps), weights)
    import tempfile

    import numpy as np

    sys.path.insert(0, str(ROOT))
    print(f"{machine()}; glasstorch {args.nproc} ranks x 1 thread (MPI) vs PyTorch 1 process x {args.nproc} threads")
    rows, model_rows = [], []
    with tempfile.TemporaryDirectory() as folder:
        for network in args.networks:
            weights_path = Path(folder) / f"{network}.npz"
            np.savez(weights_path, **initial_weights(network))
            for size in args.batch:
                ours, theirs, theirs_ddp = [], [], []
                for _ in range(args.rounds):    # alternate, so a noisy stretch of the machine hits every side
                    theirs.append(pytorch_threads(network, size, args.steps, args.nproc))
                    ours.append(glasstorch_ranks(network, size, args.steps, args.nproc, weights_path))
                    theirs_ddp.append(glasstorch_ranks(network, size, args.steps, args.nproc, weights_path,
                                                       "--torch-rank-main")["step_ms"])
                step = statistics.median(o["step_ms"] for o in ours)
                local = statistics.median(o["local_ms"] for o in ours)
                torch_ms = statistics.median(theirs)
                torch_ddp_ms = statistics.median(theirs_ddp)
                allreduce = statistics.median(o["allreduce_ms"] for o in ours)
                rows.append((network, size, f"{step:.1f}", f"{torch_ms:.1f}", f"{step / torch_ms:.2f}x",
                             f"{torch_ddp_ms:.1f}", f"{step / torch_ddp_ms:.2f}x", f"{local:.1f}",
                             f"{step - local:.1f}", f"{allreduce:.2f}"))
                print(f"  {network} batch {size}: {step / torch_ms:.2f}x", flush=True)
            model_rows.append((network, ours[-1]["values"], ours[-1]["sizes_ms"]))
    print_table(["network", "global batch", f"glasstorch {args.nproc} ranks ms", f"PyTorch {args.nproc} threads ms",
                 "ratio", f"PyTorch DDP gloo {args.nproc} x 1 ms", "ratio to DDP", "step without sync (no_sync) ms", "sync cost ms", "one all_reduce of the gradients ms"],
                rows)
    print("(sync cost = step - step without sync: the all_reduce not hidden behind backward plus the wait for the "
          "slower rank)")
    print("\nall_reduce of n float32 values between 2 local ranks:")
    for n, ms in model_rows[-1][2].items():
        print(f"  n = {int(n):>10,}: {ms:.3f} ms")
    gigabit = 10e9 / 8
    print("\nring all_reduce on a 10 Gb/s network (2 (p - 1) / p of the bytes each way, 2 (p - 1) latencies of "
          "50 us):")
    for network, values, _ in model_rows:
        for hosts in (2, 8, 64):
            seconds = 2 * (hosts - 1) / hosts * 4 * values / gigabit + 2 * (hosts - 1) * 50e-6
            print(f"  {network} ({values:,} values, {4 * values / 1e6:.2f} MB), {hosts} hosts: {1000 * seconds:.2f} ms")


if __name__ == "__main__":
    main()
