"""Two hosts on one machine (tests/distributed/two_hosts.py: network namespaces joined by a veth link whose
rate tc's token bucket sets, mpiexec --host A,B, Open MPI over TCP): glasstorch's DDP with one rank on each.

Measured for each link and bucket size: one all_reduce of the model's gradients, the training step with
gradients averaged, and the same step under no_sync() (nothing sent); the difference is what the network adds
to a step, and the share of the all_reduce that does not show in it is what overlapping buckets with backward
hides.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_hosts.py
        [--links none 10gbit 1gbit] [--buckets 25 0.05] [--network inception-net] [--batch 64]

Needs root, iproute2 and util-linux's unshare; leaves nothing behind (the namespaces are removed).
"""
import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from common import ROOT, initial_weights, machine, print_table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests" / "distributed"))
from two_hosts import across, two_hosts, unavailable  # the tests' two hosts


def measure(names, folder, network, batch_size, steps, cap_mb, weights_path):
    result = across(names, folder, [sys.executable, str(HERE / "bench_distributed.py"), "--rank-main", network,
                                    str(batch_size), str(steps), str(weights_path), str(cap_mb)], cwd=str(HERE))
    if result.returncode:
        raise SystemExit(f"mpiexec across the two hosts failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", nargs="+", default=["none", "10gbit", "1gbit"],
                        help="the link's rate each way (tc's tbf), or none for the bare veth")
    parser.add_argument("--buckets", type=float, nargs="+", default=[25, 0.05], help="bucket_cap_mb values")
    parser.add_argument("--network", default="inception-net")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    reason = unavailable()
    if reason:
        raise SystemExit(f"bench_hosts.py cannot make two hosts here: {reason}")
    import numpy as np

    print(f"{machine()}; 2 hosts (network namespaces, veth, tc tbf), 1 rank x 1 thread each, Open MPI over TCP; "
          f"{args.network}, global batch {args.batch}")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        weights_path = Path(folder) / "weights.npz"
        np.savez(weights_path, **initial_weights(args.network))
        for link in args.links:
            with two_hosts("" if link == "none" else link) as names:
                for cap in args.buckets:
                    runs = [measure(names, folder, args.network, args.batch, args.steps, cap, weights_path)
                            for _ in range(args.rounds)]
                    step, local, allreduce = (statistics.median(r[key] for r in runs)
                                              for key in ("step_ms", "local_ms", "allreduce_ms"))
                    added = step - local
                    hidden = 1 - added / allreduce if allreduce > 0 else float("nan")
                    rows.append((link, f"{cap:g} MB ({runs[0]['buckets']})", f"{allreduce:.2f}", f"{step:.1f}",
                                 f"{local:.1f}", f"{added:.2f}", f"{100 * max(hidden, 0):.0f}%"))
                    print(f"  {link}, buckets of {cap:g} MB: all_reduce {allreduce:.2f} ms, step {step:.1f} ms, "
                          f"no_sync {local:.1f} ms", flush=True)
    print_table(["link (each way)", "bucket cap (buckets)", "one all_reduce of the gradients ms", "step ms",
                 "step under no_sync ms", "added by the network ms", "hidden"], rows)
    print("(hidden = 1 - added / all_reduce: the share of the all_reduce that overlapping backward keeps out of the "
          "step; added also holds the wait for the slower rank)")


if __name__ == "__main__":
    main()
