"""Compiling the compiled kernel set ahead: once per machine, on every core, before the first step.

Numba compiles a kernel the first time it is called with new argument types, one kernel after another in one
process: about 20 s for what the course's networks call on a 2-core EPYC. The first process that loads the set on
a machine (a fresh install, another CPU, a new version of the set) instead compiles the kernels that training and
evaluating in float32 call (SIGNATURES) before its first step, sharing them between itself and one worker process
per further core (`python -m glasstorch.kernels.compile_ahead`, fed one kernel at a time, so that the cores finish
together), while one line on stderr counts them. Numba's cache keeps the results (compiled.py says where); later
processes load them in about half a second. Anything else (float64, strided convolutions) still compiles on first
use.

Done once: a marker file in the cache folder names this source of the set, Numba and the CPU that Numba compiles
for; a lock file lets one process compile while others (MPI ranks started together) wait for it.
GLASSTORCH_COMPILE_AHEAD=0 leaves every kernel to its first use (a program that convolves nothing then pays for
nothing it does not call).
"""
import hashlib
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import numba
from numba.core import types
from numba.core.registry import cpu_target

from ..i18n import t
from . import compiled

F1, F2, F4 = (types.Array(types.float32, ndim, "C") for ndim in (1, 2, 4))
I1, I2 = (types.Array(types.int64, ndim, "C") for ndim in (1, 2))     # a convolution's TapBlocks
SCALE = types.Array(types.float32, 2, "C", readonly=True)      # average pooling's divisors, a broadcast view
I4, I = types.Array(types.int64, 4, "C"), types.int64

# kernel -> its argument types as the set's Python side calls it in float32 (C-contiguous arrays, Python ints;
# exactly what Numba infers from those calls, which is what its cache is keyed by), the kernels that take longest
# first, so that no core is left with a long one at the end
SIGNATURES = {
    "_direct_conv2d_input_grad": (F4, F4, I, I, I, I),
    "_direct_conv2d": (F4, F2, F1, I, I, I1, I1, I1, I1, I2, I2),
    "_direct_conv2d_weight_grad": (F4, F4, I, I, I1, I1, I1, I1, I1, I2, I2, I2),
    "_avg_pool2d_batch_innermost": (F4, SCALE, I, I, I, I, I, I),
    "_avg_pool2d_backward_batch_innermost": (F4, SCALE, I, I, I, I, I, I, I, I),
    "_max_pool2d_2x2_backward_batch_innermost": (F4, I4, I, I),
    "_to_batch_innermost": (F4, I),
    "_pad_channels": (F4, I),
    "_max_pool2d_2x2_batch_innermost": (F4, I, I),
    "_sum_rows": (F2,),
    "_plane_sums": (F4, I),
    "_relu_backward": (F1, F1, F1),
    "_relu": (F1, F1),
    "_add": (F1, F1, F1),
}


def _compile(name):
    """Compile one kernel for its SIGNATURES entry (or load it, where the cache has it)."""
    getattr(compiled, name).compile(SIGNATURES[name])


def marker():
    """The file that says the kernels were compiled ahead for this source of the set where it is installed (two
    environments sharing the cache folder keep separate entries, as Numba does), this Numba and this CPU (the
    target Numba compiles for: its name and features, as Numba's cache keys them)."""
    digest = hashlib.sha256()
    digest.update(Path(compiled.__file__).read_bytes())
    digest.update(repr((str(Path(compiled.__file__).resolve()), numba.__version__, sys.version_info[:2], SIGNATURES,
                        cpu_target.target_context.codegen().magic_tuple())).encode())
    return Path(numba.config.CACHE_DIR) / f"glasstorch-ahead-{digest.hexdigest()[:16]}"


def _writable(folder):
    """Whether this process can keep files in the cache folder (making it if need be). Where it cannot, nothing
    is compiled ahead: Numba keeps nothing there either, so each kernel compiles on first use, in every process."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Lock:
    """An exclusive lock on a file (where the OS has fcntl; elsewhere no lock: two processes may both compile)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.file = open(self.path, "a")
        try:
            import fcntl
        except ImportError:
            return self
        fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.file.close()       # closing releases the lock


class _ProgressLine:
    """The one line: its count of kernels rewritten in place as they finish where stderr is a terminal; elsewhere
    (a log) written once, its end when all are done."""

    def __init__(self, total, cores, stream=None):
        self.total, self.stream = total, stream or sys.stderr
        self.done, self.start, self.lock = 0, time.perf_counter(), threading.Lock()
        self.live = self.stream.isatty()
        self.head = t("kernels.ahead", cores=cores, s="s" * (cores != 1), folder=numba.config.CACHE_DIR)
        print(self.head, end="", file=self.stream, flush=True)
        self._count()

    def _seconds(self):
        return time.perf_counter() - self.start

    def _count(self, end=""):
        if self.live:
            count = t("kernels.ahead_count", done=self.done, total=self.total, s="s" * (self.total != 1),
                      seconds=self._seconds())
            print(f"\r{self.head} {count}", end=end, file=self.stream, flush=True)

    def step(self):
        with self.lock:
            self.done += 1
            self._count()

    def close(self):
        with self.lock:
            if self.live:
                self._count(end="\n")
            else:
                print(" " + t("kernels.ahead_done", done=self.done, s="s" * (self.done != 1), seconds=self._seconds()),
                      file=self.stream, flush=True)


def _left(tasks):
    """The kernels still in the queue, one at a time, to whichever process asks next."""
    while True:
        try:
            yield tasks.get_nowait()
        except queue.Empty:
            return


def _start_worker():
    """A worker process (None where none can be started: this process then compiles its share too)."""
    try:
        return subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return None


def _feed(worker, tasks, progress, failed):
    """Hand `worker` one kernel at a time until none is left; a kernel it could not compile goes to `failed`."""
    try:
        for name in _left(tasks):
            worker.stdin.write(name + "\n")
            worker.stdin.flush()
            if worker.stdout.readline().strip() != "ok":
                failed.append(name)
                return
            progress.step()
    except OSError:                   # the worker died: what it had is compiled on first use instead
        return
    finally:
        try:
            worker.stdin.close()
        except OSError:
            pass


def compile_ahead(cores=None):
    """Compile SIGNATURES' kernels unless this machine's cache has them (marker()), or GLASSTORCH_COMPILE_AHEAD=0
    says to compile each on first use instead; True when it compiled."""
    if numba.config.DISABLE_JIT or os.environ.get("GLASSTORCH_COMPILE_AHEAD", "1") == "0":
        return False
    done = marker()
    if done.exists() or not _writable(done.parent):
        return False
    with _Lock(done.parent / "glasstorch-ahead.lock"):
        if done.exists():               # another process compiled them while this one waited
            return False
        tasks = queue.Queue()
        for name in SIGNATURES:
            tasks.put(name)
        workers = [worker for worker in (_start_worker() for _ in range(min(cores or _cores(), len(SIGNATURES)) - 1))
                   if worker]
        progress, failed = _ProgressLine(len(SIGNATURES), len(workers) + 1), []
        feeders = [threading.Thread(target=_feed, args=(worker, tasks, progress, failed), daemon=True)
                   for worker in workers]
        for feeder in feeders:
            feeder.start()
        with compiled.compiling_ahead():
            for name in _left(tasks):
                try:
                    _compile(name)
                    progress.step()
                except Exception:       # noqa: BLE001 (compiled on first use instead, where it can say why)
                    failed.append(name)
        for feeder, worker in zip(feeders, workers):
            feeder.join()
            worker.wait()
        progress.close()
        if not failed and progress.done == len(SIGNATURES):
            partial = done.with_suffix(".partial")
            try:
                partial.write_text(numba.__version__ + "\n")
                os.replace(partial, done)
            except OSError:         # (a full disk): the next process compiles ahead again, from Numba's cache
                pass
        return True


def _worker():
    """A worker: compile each kernel named on stdin, answering 'ok' (or the error) on stdout."""
    with compiled.compiling_ahead():
        for line in sys.stdin:
            try:
                _compile(line.strip())
                answer = "ok"
            except Exception as error:              # noqa: BLE001 (the main process compiles it on first use)
                answer = f"error {type(error).__name__}: {error}".replace("\n", " ")
            print(answer, flush=True)


if __name__ == "__main__":
    _worker()
