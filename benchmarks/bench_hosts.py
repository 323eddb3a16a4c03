"""Two hosts on one machine: glasstorch's DDP with one rank on each, across a network link of a set rate.
Each host is a Linux network namespace with its own hostname; a veth pair joins them and a token bucket
(`tc qdisc ... tbf`) sets the link's rate (latency is the veth's own, microseconds). mpiexec runs in host A
as `mpiexec --host A,B`; to start host B's daemon it calls a launch agent in place of ssh, which enters B's
namespace (the one difference from real hosts). The ranks talk over TCP (Open MPI's tcp BTL), as between
machines.

Measured for each link and bucket size: one all_reduce of the model's gradients, the training step with
gradients averaged, and the same step under no_sync() (nothing sent); the difference is what the network adds
to a step, and the share of the all_reduce that does not show in it is what overlapping buckets with backward
hides.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_hosts.py
        [--links none 10gbit 1gbit] [--buckets 25 0.05] [--network inception-net] [--batch 64]

Needs root, iproute2 (ip, tc) and util-linux's unshare; leaves nothing behind (the namespaces are removed).
"""
import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import initial_weights, machine, print_table

HERE = Path(__file__).resolve().parent
SUBNET, ADDRESSES = "10.77.0.0/24", ("10.77.0.1", "10.77.0.2")

AGENT = """#!/bin/sh
# ssh's stand-in for mpiexec: agent HOST COMMAND... runs COMMAND inside HOST's namespace, under its hostname
host="$1"; shift
case "$host" in
{cases}
  *) echo "launch agent: unknown host $host" >&2; exit 1 ;;
esac
exec ip netns exec "$ns" unshare --uts /bin/sh -c "hostname $ns; $*"
"""


def sh(*command):
    subprocess.run(command, check=True, capture_output=True, text=True)


@contextlib.contextmanager
def two_hosts(rate, burst="64kb"):
    """Namespaces (host names) A and B joined by a veth link, shaped to `rate` each way (a token bucket that
    lets `burst` bytes through at once) unless rate is empty."""
    names = [f"gt{os.getpid()}{side}" for side in "ab"]
    links = [f"{name}v" for name in names]
    try:
        for name in names:
            sh("ip", "netns", "add", name)
        sh("ip", "link", "add", links[0], "type", "veth", "peer", "name", links[1])
        for name, link, address in zip(names, links, ADDRESSES):
            sh("ip", "link", "set", link, "netns", name)
            sh("ip", "-n", name, "addr", "add", f"{address}/24", "dev", link)
            sh("ip", "-n", name, "link", "set", link, "up")
            sh("ip", "-n", name, "link", "set", "lo", "up")
            if rate:
                sh("ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", link, "root", "tbf", "rate", rate,
                   "burst", burst, "latency", "100ms")
        yield names
    finally:
        for name in names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def across(names, folder, argv):
    """`argv` as one rank on each host, through mpiexec --host, over TCP; the completed process."""
    from glasstorch.distributed import launch

    agent = Path(folder) / "agent.sh"
    cases = "\n".join(f"  {address}) ns={name} ;;" for address, name in zip(ADDRESSES, names))
    agent.write_text(AGENT.format(cases=cases))
    agent.chmod(0o755)
    mpiexec = launch.find_mpiexec()
    command = [mpiexec, "--host", ",".join(f"{a}:1" for a in ADDRESSES), "-n", "2", "--bind-to", "none",
               "--prtemca", "plm_ssh_agent", str(agent), "--mca", "pml", "ob1", "--mca", "btl", "tcp,self",
               "--mca", "btl_tcp_if_include", SUBNET, "--prtemca", "oob_tcp_if_include", SUBNET, *argv]
    shell = " ".join(_quote(part) for part in command)
    return subprocess.run(["ip", "netns", "exec", names[0], "unshare", "--uts", "/bin/sh", "-c",
                           f"hostname {names[0]}; exec {shell}"], capture_output=True, text=True, timeout=600,
                          env=launch.environment(), cwd=str(HERE))


def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def measure(names, folder, network, batch_size, steps, cap_mb, weights_path):
    result = across(names, folder, [sys.executable, str(HERE / "bench_distributed.py"), "--rank-main", network,
                                    str(batch_size), str(steps), str(weights_path), str(cap_mb)])
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
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in ("ip", "tc", "unshare")):
        raise SystemExit("bench_hosts.py needs root, ip and tc (iproute2) and unshare (util-linux)")
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
