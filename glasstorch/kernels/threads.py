"""Split a batch across CPU cores.

Each worker thread takes a contiguous slice of the batch and runs NumPy on it; NumPy releases the GIL
inside BLAS, copies and ufuncs, so the slices run truly in parallel. BLAS itself is then kept at one
thread: on the skinny matrix products of small convolutions, two single-threaded products on half
batches beat one two-threaded product on the whole batch (see PERFORMANCE.md), and switching BLAS
between one and two threads costs more than it saves (its idle workers spin, stealing a core from
ours). `set_num_threads(1)` hands BLAS its threads back and stops the splitting.

Large temporary arrays (im2col buffers) are allocated and freed every step; by default glibc returns
them to the OS and takes page faults to get them back. `tune_allocator()` turns off glibc's mmap and raises
its trim threshold so they are reused from the heap instead (set GLASSTORCH_TUNE_MALLOC=0 to leave malloc alone).
Results do not depend on the number of threads except through the summation order of dL/dW.

map_slices waits for every slice before it returns, so a kernel's results are finished when it returns and
nothing outside the fast kernel set knows about threads. (An asynchronous mode that left slices in flight across
ops bought 0-12% at two threads but spread joins through the engine, the tensors and the modules; it was removed,
see the README's kernel section. Two processes, glasstorch.distributed, are the way to use more cores.)
"""
import ctypes
import ctypes.util
import functools
import os
import queue
import threading

from ..backend import xp

_lock = threading.Lock()
_state = {"threads": None, "pool": None, "blas": None}
_local = threading.local()


def get_num_threads():
    if _state["threads"] is None:
        _state["threads"] = max(1, int(os.environ.get("GLASSTORCH_NUM_THREADS", os.cpu_count() or 1)))
    return _state["threads"]


def set_num_threads(count):
    """How many slices a batch is split into (like torch.set_num_threads); 1 turns splitting off."""
    if int(count) < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {count}")
    with _lock:
        _state["threads"] = int(count)
        if _state["pool"] is not None:
            _state["pool"].shutdown()
            _state["pool"] = None
        _configure_blas(_state["threads"])


def use_cores(count):
    """Use `count` cores in all, as one rank of several on a host does: `count` glasstorch threads, each with a
    single-threaded BLAS (also after a later set_num_threads(1), which hands BLAS back this count of 1)."""
    set_num_threads(count)
    for lib in _blas_libraries():
        lib.set_num_threads(1)
    _state["blas_threads"] = [1 for _ in _state["blas"]]


def batch_slices(n, min_per_slice=2):
    """Contiguous slices covering range(n), one per thread (fewer when the batch is small); slice t goes to
    thread t, the calling thread taking slice 0."""
    return _batch_slices(n, min_per_slice, get_num_threads())


@functools.lru_cache(maxsize=256)
def _batch_slices(n, min_per_slice, threads):
    parts = max(1, min(threads, n // min_per_slice))
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return tuple(slice(bounds[i], bounds[i + 1]) for i in range(parts))


def _blas_libraries():
    if _state["blas"] is None:
        try:
            from threadpoolctl import ThreadpoolController

            _state["blas"] = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
        except Exception:   # threadpoolctl missing or unable to inspect: run with BLAS as configured
            _state["blas"] = []
        _state["blas_threads"] = [lib.num_threads for lib in _state["blas"]]
    return _state["blas"]


def claim_cores_from_blas():
    """Called when a kernel set first runs its own threads (the fast set's pool, the compiled set's Numba
    threads): BLAS at one thread from then on, unless glasstorch runs on one. Left at its own count, OpenBLAS's
    idle workers spin against ours (the compiled set's Inception Net step at batch 128: 126 -> 58 ms)."""
    _configure_blas(get_num_threads())


def _configure_blas(threads):
    """One BLAS thread while glasstorch splits batches itself; BLAS's own count when it does not."""
    libraries = _blas_libraries()
    for lib, original in zip(libraries, _state["blas_threads"]):
        lib.set_num_threads(1 if threads > 1 else original)


def tune_allocator():
    """Keep freed large buffers in glibc's heap: no mmap for any size (M_MMAP_MAX 0; an mmap'd buffer costs a
    page fault per page on every first write, e.g. a 50 MB channel concatenation at batch 1000: ~30 -> ~13 ms) and
    up to 1 GiB of free heap kept rather than returned to the OS (M_TRIM_THRESHOLD)."""
    if _state.get("malloc_tuned") or os.environ.get("GLASSTORCH_TUNE_MALLOC", "1") == "0":
        return
    _state["malloc_tuned"] = True
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        mallopt = None
    if mallopt is not None:
        m_trim_threshold, m_mmap_max = -1, -4
        mallopt(m_mmap_max, 0)
        mallopt(m_trim_threshold, 1024 * 1024 * 1024)


def _run_group(fn, slices, per_slice, indices):
    return [(i, fn(slices[i], *(args[i] for args in per_slice))) for i in indices]


def _hand_out(fn, slices, per_slice, threads):
    """Queue slices t, t + T, ... on worker t - 1 for t = 1 .. T - 1; returns their wait() functions. Each worker
    runs them under the caller's floating-point error settings (NumPy keeps them per thread: the ops' "1/0 = inf is
    a result, not a warning" would not reach the workers otherwise)."""
    workers = _state["pool"] or _start_pool()
    errors = xp.geterr()
    return [workers.submit(t - 1, _run_group_under, errors, fn, slices, per_slice, range(t, len(slices), threads))
            for t in range(1, threads)]


def _run_group_under(errors, *group):
    with xp.errstate(**errors):
        return _run_group(*group)


def map_slices(fn, slices, *per_slice):
    """[fn(slice_i, *args_i)] in order. Thread t runs slices t, t + T, t + 2T, ... (T threads, the first being
    the calling thread), so results do not depend on timing. Called from inside a worker, it runs serially."""
    threads = min(get_num_threads(), len(slices))
    if threads == 1 or getattr(_local, "in_worker", False):
        return [result for _, result in _run_group(fn, slices, per_slice, range(len(slices)))]
    pending = _hand_out(fn, slices, per_slice, threads)
    try:
        results = dict(_run_group(fn, slices, per_slice, range(0, len(slices), threads)))
    finally:
        outcomes = [wait() for wait in pending]    # workers finish before an error leaves this call
    for outcome in outcomes:
        results.update(outcome)
    return [results[i] for i in range(len(slices))]


class _Workers:
    """Daemon threads, each serving its own queue. A hand-off is one queue put and one lock release (about
    17 us here, against about 60 us for concurrent.futures), which matters at ~40 parallel ops per step."""

    def __init__(self, count):
        self.queues = [queue.SimpleQueue() for _ in range(count)]
        for tasks in self.queues:
            threading.Thread(target=self._serve, args=(tasks,), daemon=True, name="glasstorch").start()

    @staticmethod
    def _serve(tasks):
        _local.in_worker = True
        while (task := tasks.get()) is not None:
            job, args, outcome, done = task
            try:
                outcome.append((True, job(*args)))
            except BaseException as error:  # handed to the calling thread, which raises it
                outcome.append((False, error))
            finally:
                done.release()

    def submit(self, worker, job, *args):
        """Queue job(*args) on one worker; returns a function that waits for it and returns (or raises) its result."""
        done, outcome = threading.Lock(), []
        done.acquire()
        self.queues[worker].put((job, args, outcome, done))

        def wait():
            done.acquire()
            ok, value = outcome[0]
            if not ok:
                raise value
            return value
        return wait

    def shutdown(self):
        for tasks in self.queues:
            tasks.put(None)


def _start_pool():
    with _lock:
        if _state["pool"] is None:
            claim_cores_from_blas()
            _state["pool"] = _Workers(get_num_threads() - 1)
        return _state["pool"]


def _forget_pool_after_fork():
    """A forked child has none of its parent's threads: start a fresh pool there on first use."""
    _state["pool"] = None


if hasattr(os, "register_at_fork"):     # POSIX
    os.register_at_fork(after_in_child=_forget_pool_after_fork)
