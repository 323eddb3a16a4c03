"""Processes that train together over MPI, with torch.distributed's names and semantics.

Start N copies of a program with `mpiexec -n N python prog.py` (or `glasstorch train --nproc N`); each calls
`init_process_group("mpi")` and learns its rank (0 .. N-1) and the world size from MPI. The collectives work in
place on glasstorch tensors, whose memory is a NumPy array handed to MPI as it is (contiguous tensors are not
copied):

    all_reduce(t, op)      t = t_0 op t_1 op ... op t_{N-1} on every rank (op: ReduceOp.SUM/AVG/PRODUCT/MIN/MAX)
    broadcast(t, src)      t = t_src on every rank
    reduce(t, dst, op)     as all_reduce, but only rank dst receives the result
    all_gather(list, t)    list[r] = t_r on every rank
    gather(t, list, dst)   list[r] = t_r on rank dst
    scatter(t, list, src)  t = list_src[r] on rank r
    barrier()              every rank waits for the others

A collective checks first that every rank called the same one with the same shape and dtype (a small exchange
of descriptions), so a mismatch raises a clear error on every rank instead of hanging or mixing up bytes.

Faults: once a process group exists, an exception that nobody catches prints one line naming the rank and the
error, and aborts every rank of the job (MPI_Abort), so no rank is left waiting in a collective. A rank that is
killed is noticed by mpiexec, which ends the others.

MPI comes from mpi4py (`pip install "glasstorch[distributed]"`: mpi4py and PyPI's Open MPI). Open MPI refuses to
start as root unless OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 are set (glasstorch's launcher
sets them when it runs as root).
"""
import enum
import sys

import numpy as np

from ..tensor import Tensor

_group = {"comm": None, "previous_excepthook": None}


class ReduceOp(enum.Enum):
    """How all_reduce and reduce combine the ranks' values (AVG: the sum divided by the world size)."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class DistributedError(RuntimeError):
    """A collective that cannot run as called (not initialized, mismatched across ranks, a bad rank)."""


def is_available():
    """Whether MPI (mpi4py) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError:
        raise DistributedError('glasstorch.distributed needs mpi4py and an MPI runtime: pip install '
                               '"glasstorch[distributed]" (mpi4py and Open MPI from PyPI)') from None
    return MPI


def init_process_group(backend="mpi", init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the job's process group. The rank and world size come from MPI (the launcher decides them); a given
    world_size or rank must agree with MPI's."""
    if backend not in (None, "mpi"):
        raise ValueError(f"init_process_group: backend {backend!r} is not available in glasstorch; it runs on MPI "
                         "only: use backend=\"mpi\" and start the ranks with mpiexec (or glasstorch train --nproc N)")
    if _group["comm"] is not None:
        raise DistributedError("trying to initialize the default process group twice!")
    MPI = _mpi()
    comm = MPI.COMM_WORLD.Dup()
    for name, given, actual in (("world_size", world_size, comm.Get_size()), ("rank", rank, comm.Get_rank())):
        if given not in (-1, None) and int(given) != actual:
            comm.Free()
            raise DistributedError(f"init_process_group: {name}={given}, but MPI started this process with "
                                   f"{name} {actual} (mpiexec decides both)")
    _group["comm"] = comm
    _group["previous_excepthook"] = sys.excepthook
    sys.excepthook = _abort_on_uncaught


def _abort_on_uncaught(kind, error, traceback):
    """One line naming the rank and the error, the traceback, then MPI_Abort: no rank waits forever."""
    (_group["previous_excepthook"] or sys.__excepthook__)(kind, error, traceback)
    if _group["comm"] is not None and not issubclass(kind, KeyboardInterrupt):
        _abort(f"failed with {kind.__name__}: {error}")


def abort(message, code=1):
    """Print `message` (naming this rank) and end every rank of the job at once."""
    _abort(f": {message}", code)


def _abort(what, code=1):
    comm = _comm()
    separator = "" if what.startswith(":") else " "
    sys.stderr.write(f"glasstorch.distributed: rank {comm.Get_rank()} of {comm.Get_size()}{separator}{what}; "
                     "aborting every rank\n")
    sys.stderr.flush()
    comm.Abort(code)


def is_initialized():
    return _group["comm"] is not None


def get_backend(group=None):
    _comm()
    return "mpi"


def _comm():
    if _group["comm"] is None:
        raise DistributedError("Default process group has not been initialized, please make sure to call "
                               "init_process_group.")
    return _group["comm"]


def get_rank(group=None):
    return _comm().Get_rank()


def get_world_size(group=None):
    return _comm().Get_size()


def destroy_process_group(group=None):
    """Leave the process group (every rank calls it); the uncaught-error hook is removed."""
    comm = _comm()
    _group["comm"] = None
    sys.excepthook = _group["previous_excepthook"] or sys.__excepthook__
    comm.Free()


def barrier(group=None, async_op=False, device_ids=None):
    _comm().Barrier()


class Work:
    """A collective started with async_op=True; wait() finishes it (and writes its result into the tensor)."""

    def __init__(self, request, finish=None):
        self._request, self._finish = request, finish

    def is_completed(self):
        return self._request is None or self._request.Test()

    def wait(self, timeout=None):
        if self._request is not None:
            self._request.Wait()
            self._request = None
            if self._finish is not None:
                self._finish()
        return True


# ---------------------------------------------------------------- checks and buffers
def _agree(comm, description):
    """Every rank's `description` of its call (collective, shapes, dtype, root); raises on every rank when they
    differ, naming the first two that disagree."""
    everyone = comm.allgather(description)
    if any(d != everyone[0] for d in everyone):
        first = next(r for r, d in enumerate(everyone) if d != everyone[0])
        raise DistributedError(f"{description[0]}: the ranks called it differently: rank 0 with {everyone[0][1:]}, "
                               f"rank {first} with {everyone[first][1:]} (every rank must pass tensors of one shape "
                               "and dtype, and the same src/dst)")


def _check_tensor(tensor, op):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a glasstorch tensor, got {type(tensor).__name__}")
    return tensor


def _check_rank(comm, rank, op, role):
    if not 0 <= int(rank) < comm.Get_size():
        raise DistributedError(f"{op}: {role}={rank} is not a rank of this group (0..{comm.Get_size() - 1})")
    return int(rank)


class _Buffer:
    """A tensor's (or an array's) memory as a contiguous array MPI can read and write: the memory itself when it
    is contiguous, else a copy that `write_back` returns into it."""

    def __init__(self, target):
        self.tensor = target if isinstance(target, Tensor) else None
        self.target = target.array if isinstance(target, Tensor) else target
        self.array = self.target if self.target.flags.c_contiguous else np.ascontiguousarray(self.target)

    def write_back(self):
        """The result into the target's memory; a tensor's storage counts one more version (an in-place change)."""
        if self.tensor is None:
            if self.array is not self.target:
                self.target[...] = self.array
            return
        with self.tensor.modify() as memory:
            if self.array is not memory:
                memory[...] = self.array


def _mpi_op(op, dtype):
    MPI = _mpi()
    if not isinstance(op, ReduceOp):
        raise TypeError(f"expected a ReduceOp, got {op!r}")
    if op is ReduceOp.AVG and dtype.kind not in "fc":
        raise DistributedError(f"ReduceOp.AVG needs a floating-point tensor, not {dtype}")
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN,
            ReduceOp.MAX: MPI.MAX}[op]


def _describe(tensor):
    return tuple(tensor.shape), str(tensor.array.dtype)


# ---------------------------------------------------------------- collectives
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """tensor = the reduction of every rank's tensor, on every rank, in place."""
    comm = _comm()
    _check_tensor(tensor, "all_reduce")
    _agree(comm, ("all_reduce", *_describe(tensor), op.name if isinstance(op, ReduceOp) else repr(op)))
    return all_reduce_unchecked(tensor.array, op, async_op)


def all_reduce_unchecked(array, op=ReduceOp.SUM, async_op=False):
    """all_reduce of an array whose shape every rank is known to share (DistributedDataParallel's buckets,
    checked once when they are built). Returns a Work when async_op, else None."""
    MPI = _mpi()
    comm = _comm()
    buffer = _Buffer(array)
    mpi_op = _mpi_op(op, buffer.array.dtype)
    size = comm.Get_size()

    def finish():
        if op is ReduceOp.AVG:
            buffer.array /= size
        buffer.write_back()

    if async_op:
        return Work(comm.Iallreduce(MPI.IN_PLACE, buffer.array, op=mpi_op), finish)
    comm.Allreduce(MPI.IN_PLACE, buffer.array, op=mpi_op)
    finish()
    return None


def broadcast(tensor, src, group=None, async_op=False):
    """tensor = rank src's tensor, on every rank, in place."""
    comm = _comm()
    _check_tensor(tensor, "broadcast")
    src = _check_rank(comm, src, "broadcast", "src")
    _agree(comm, ("broadcast", *_describe(tensor), src))
    buffer = _Buffer(tensor)
    comm.Bcast(buffer.array, root=src)
    buffer.write_back()
    return Work(None) if async_op else None


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank dst's tensor = the reduction of every rank's tensor (the others' tensors are left as they were)."""
    MPI = _mpi()
    comm = _comm()
    _check_tensor(tensor, "reduce")
    dst = _check_rank(comm, dst, "reduce", "dst")
    _agree(comm, ("reduce", *_describe(tensor), dst, op.name if isinstance(op, ReduceOp) else repr(op)))
    buffer = _Buffer(tensor)
    mpi_op = _mpi_op(op, buffer.array.dtype)
    if comm.Get_rank() == dst:
        comm.Reduce(MPI.IN_PLACE, buffer.array, op=mpi_op, root=dst)
        if op is ReduceOp.AVG:
            buffer.array /= comm.Get_size()
        buffer.write_back()
    else:
        comm.Reduce(buffer.array, None, op=mpi_op, root=dst)
    return Work(None) if async_op else None


def _check_list(tensors, count, like, op, name):
    if not isinstance(tensors, (list, tuple)) or len(tensors) != count:
        raise DistributedError(f"{op}: {name} must be a list of {count} tensors (one per rank), got "
                               f"{len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__}")
    for index, t in enumerate(tensors):
        _check_tensor(t, op)
        if _describe(t) != _describe(like):
            raise DistributedError(f"{op}: {name}[{index}] has shape {tuple(t.shape)} and dtype {t.array.dtype}, "
                                   f"but the tensor has shape {tuple(like.shape)} and dtype {like.array.dtype}")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[r] = rank r's tensor, on every rank."""
    comm = _comm()
    _check_tensor(tensor, "all_gather")
    _check_list(tensor_list, comm.Get_size(), tensor, "all_gather", "tensor_list")
    _agree(comm, ("all_gather", *_describe(tensor)))
    received = np.empty((comm.Get_size(), *tensor.array.shape), dtype=tensor.array.dtype)
    comm.Allgather(np.ascontiguousarray(tensor.array), received)
    for target, values in zip(tensor_list, received):
        target.write_(values)
    return Work(None) if async_op else None


def _check_root_list(comm, tensors, root, like, op, name, role):
    """Whether this rank is the root; the root's list must hold one tensor like `like` per rank, and the other
    ranks pass none."""
    _check_tensor(like, op)
    root = _check_rank(comm, root, op, role)
    if comm.Get_rank() == root:
        _check_list(tensors, comm.Get_size(), like, op, name)
        return root, True
    if tensors:
        raise DistributedError(f"{op}: only the {'destination' if role == 'dst' else 'source'} rank {root} passes "
                               f"a {name} (rank {comm.Get_rank()} passed one)")
    return root, False


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False):
    """gather_list[r] = rank r's tensor, on rank dst (the others pass no list)."""
    comm = _comm()
    dst, is_root = _check_root_list(comm, gather_list, dst, tensor, "gather", "gather_list", "dst")
    _agree(comm, ("gather", *_describe(tensor), dst))
    received = np.empty((comm.Get_size(), *tensor.array.shape), dtype=tensor.array.dtype) if is_root else None
    comm.Gather(np.ascontiguousarray(tensor.array), received, root=dst)
    if is_root:
        for target, values in zip(gather_list, received):
            target.write_(values)
    return Work(None) if async_op else None


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False):
    """tensor = rank src's scatter_list[r], on rank r (only src passes a list)."""
    comm = _comm()
    src, is_root = _check_root_list(comm, scatter_list, src, tensor, "scatter", "scatter_list", "src")
    _agree(comm, ("scatter", *_describe(tensor), src))
    sent = np.stack([t.array for t in scatter_list]) if is_root else None
    buffer = _Buffer(tensor)
    comm.Scatter(sent, buffer.array, root=src)
    buffer.write_back()
    return Work(None) if async_op else None


def communicator():
    """The process group's MPI communicator (an mpi4py Comm), for what torch.distributed has no name for."""
    return _comm()


__all__ = ["DistributedError", "ReduceOp", "Work", "abort", "all_gather", "all_reduce", "all_reduce_unchecked", "barrier", "broadcast",
           "communicator", "destroy_process_group", "gather", "get_backend", "get_rank", "get_world_size",
           "init_process_group", "is_available", "is_initialized", "reduce", "scatter"]
