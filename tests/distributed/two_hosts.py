"""Two hosts on one machine, for tests and benchmarks: Linux network namespaces, each with its own hostname,
joined by a veth link (optionally shaped to a rate by tc's token bucket). mpiexec runs in host A as
`mpiexec --host A,B`; to start host B's daemon it calls a launch agent in place of ssh, which enters B's
namespace (the one difference from real hosts). The ranks talk over TCP (Open MPI's tcp BTL), as between
machines. Needs root, iproute2 (ip, tc) and util-linux's unshare."""
import contextlib
import os
import shutil
import subprocess
from pathlib import Path

from glasstorch.distributed import launch

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


def unavailable():
    """Why two hosts cannot be made here (a line), or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    missing = [tool for tool in ("ip", "tc", "unshare") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (iproute2, util-linux)"
    probe = f"gtprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None if made.returncode == 0 else f"ip netns add failed: {made.stderr.strip()}"


def _run(*command):
    subprocess.run(command, check=True, capture_output=True, text=True)


@contextlib.contextmanager
def two_hosts(rate="", burst="64kb"):
    """(names of hosts A and B): namespaces joined by a veth link, shaped to `rate` each way (a token bucket
    letting `burst` bytes through at once) unless rate is empty; removed on exit."""
    names = [f"gt{os.getpid()}{side}" for side in "ab"]
    links = [f"{name}v" for name in names]
    try:
        for name in names:
            _run("ip", "netns", "add", name)
        _run("ip", "link", "add", links[0], "type", "veth", "peer", "name", links[1])
        for name, link, address in zip(names, links, ADDRESSES):
            _run("ip", "link", "set", link, "netns", name)
            _run("ip", "-n", name, "addr", "add", f"{address}/24", "dev", link)
            _run("ip", "-n", name, "link", "set", link, "up")
            _run("ip", "-n", name, "link", "set", "lo", "up")
            if rate:
                _run("ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", link, "root", "tbf", "rate", rate,
                     "burst", burst, "latency", "100ms")
        yield names
    finally:
        for name in names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def across(names, folder, argv, timeout=600, cwd=None):
    """`argv` as one rank on each host, through mpiexec --host A,B, over TCP; the completed process."""
    agent = Path(folder) / "agent.sh"
    cases = "\n".join(f"  {address}) ns={name} ;;" for address, name in zip(ADDRESSES, names))
    agent.write_text(AGENT.format(cases=cases))
    agent.chmod(0o755)
    command = [launch.find_mpiexec(), "--host", ",".join(f"{a}:1" for a in ADDRESSES), "-n", "2", "--bind-to",
               "none", "--prtemca", "plm_ssh_agent", str(agent), "--mca", "pml", "ob1", "--mca", "btl", "tcp,self",
               "--mca", "btl_tcp_if_include", SUBNET, "--prtemca", "oob_tcp_if_include", SUBNET, *argv]
    shell = " ".join("'" + part.replace("'", "'\\''") + "'" for part in command)
    return subprocess.run(["ip", "netns", "exec", names[0], "unshare", "--uts", "/bin/sh", "-c",
                           f"hostname {names[0]}; exec {shell}"], capture_output=True, text=True, timeout=timeout,
                          env=launch.environment(), cwd=cwd)
