"""DistributedDataParallel: one model per process, gradients averaged over the processes during backward.

Each rank runs the same model on its own share of the batch. With L the mean loss over a rank's b samples and
N ranks, the mean over the global batch of N b samples is L_global = (1/N) sum_r L_r, so
dL_global/dW = (1/N) sum_r dL_r/dW: averaging the ranks' gradients (one all_reduce and a division) gives every
rank the gradient of the global batch, and the same optimizer step keeps the replicas identical.

The parameters are laid out in buckets (flat arrays, in the reverse order of registration, which is about the
order backward finishes them; the first bucket holds at most 1 MiB, the others bucket_cap_mb, as PyTorch's).
A hook on every parameter copies its gradient into its bucket once backward has accumulated it; a bucket whose
gradients are all in starts a non-blocking all_reduce at once, while backward goes on with the layers below.
Buckets start in index order on every rank (MPI matches collectives by order). The hook of the last gradient
waits for every bucket, divides by N and writes the averages back into `.grad`.
"""
import contextlib

import numpy as np

from ... import distributed
from ...autograd.function import AccumulateGrad
from ...creation import from_numpy
from ...tensor import Tensor
from ..module import Module

FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    """A flat array for the gradients of some parameters (one dtype) and how many of them are still missing."""

    def __init__(self, params):
        self.params = params
        self.array = np.zeros(sum(p.numel() for p in params), dtype=params[0].array.dtype)
        self.views, start = [], 0
        for p in params:
            self.views.append(self.array[start:start + p.numel()].reshape(p.array.shape))
            start += p.numel()
        self.missing = len(params)
        self.work = None
        self.unused = set()     # positions of parameters this backward will not reach (find_unused_parameters)


class DistributedDataParallel(Module):
    """Wrap `module` so that backward averages its gradients over the process group's ranks (see the module
    docstring). Rank 0's parameters and buffers are broadcast at construction, so every replica starts alike;
    with broadcast_buffers (default), rank 0's buffers are broadcast again before every training forward
    (BatchNorm's batch statistics stay each rank's own, as in PyTorch)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not distributed.is_initialized():
            raise RuntimeError("DistributedDataParallel: the default process group has not been initialized; call "
                               "glasstorch.distributed.init_process_group(\"mpi\") first")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.world_size = distributed.get_world_size()
        params = [p for p in module.parameters() if p.requires_grad]
        names = [name for name, p in module.named_parameters() if p.requires_grad]
        distributed._agree(distributed.communicator(), ("DistributedDataParallel", [
            (name, tuple(p.shape), str(p.array.dtype)) for name, p in zip(names, params)]))
        self._sync_module_states()
        self._buckets = self._make_buckets(params, (bucket_cap_mb or 25) * 1024 * 1024)
        self._place = {id(p): (bucket, index) for bucket in self._buckets for index, p in enumerate(bucket.params)}
        self._syncing = False       # whether the backward of the latest forward averages gradients
        self._next_bucket = 0       # the first bucket whose all_reduce has not started
        self._hooks = [p.register_post_accumulate_grad_hook(self._gradient_ready) for p in params]

    @staticmethod
    def _make_buckets(params, cap_bytes):
        buckets, current, size, cap = [], [], 0, min(FIRST_BUCKET_BYTES, cap_bytes)
        for p in reversed(params):
            nbytes = p.array.nbytes
            if current and (size + nbytes > cap or p.array.dtype != current[0].array.dtype):
                buckets.append(_Bucket(current))
                current, size, cap = [], 0, cap_bytes
            current.append(p)
            size += nbytes
        if current:
            buckets.append(_Bucket(current))
        return buckets

    def _sync_module_states(self):
        _broadcast_from_rank_0([*self.module.parameters(), *self.module.buffers()])

    # ------------------------------------------------------------ forward and the gradient hooks
    def forward(self, *inputs, **kwargs):
        if self._syncing and any(bucket.missing != len(bucket.params) for bucket in self._buckets):
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior iteration before "
                "starting a new one: some parameters received no gradient in the last backward (pass "
                "find_unused_parameters=True when the model does not use all its parameters every step)")
        if self.broadcast_buffers and self.training and self.world_size > 1:
            _broadcast_from_rank_0(list(self.module.buffers()))
        output = self.module(*inputs, **kwargs)
        self._syncing = self.require_backward_grad_sync and self.training
        if self._syncing and self.find_unused_parameters:
            self._mark_unused(output)
        return output

    def _mark_unused(self, output):
        """Parameters the output does not depend on count as ready now (their bucket slots stay zero)."""
        reached, stack = set(), [t.grad_fn for t in _tensors_in(output) if t.grad_fn is not None]
        while stack:
            node = stack.pop()
            if id(node) in reached:
                continue
            reached.add(id(node))
            if isinstance(node, AccumulateGrad) and node.variable is not None:
                reached.add(("leaf", id(node.variable)))
            stack.extend(edge for edge in getattr(node, "next_edges", ()) if edge is not None)
        for bucket in self._buckets:
            for index, p in enumerate(bucket.params):
                if ("leaf", id(p)) not in reached:
                    bucket.views[index][...] = 0 if p.grad is None else p.grad.array
                    bucket.unused.add(index)
                    self._count_ready(bucket)

    def _gradient_ready(self, param):
        if not self._syncing:
            return
        bucket, index = self._place[id(param)]
        bucket.views[index][...] = param.grad.array
        self._count_ready(bucket)

    def _count_ready(self, bucket):
        """One more gradient of `bucket` is in. Buckets start their all_reduce in index order, as PyTorch's
        reducer does: MPI matches non-blocking collectives by the order each rank starts them, and the order
        buckets fill in can differ between ranks (find_unused_parameters marks a rank's unused ones ready at
        forward), which would sum one rank's bucket with another bucket of the other rank."""
        bucket.missing -= 1
        while self._next_bucket < len(self._buckets) and not self._buckets[self._next_bucket].missing:
            ready = self._buckets[self._next_bucket]
            ready.work = distributed.all_reduce_unchecked(ready.array, distributed.ReduceOp.SUM, async_op=True)
            self._next_bucket += 1
        if self._next_bucket == len(self._buckets):
            self._finish()
            return
        # MPI moves a non-blocking collective's messages only inside MPI calls: a test at every gradient lets
        # the buckets under way travel while backward computes the layers below (benchmarks/bench_hosts.py, two
        # hosts on a 1 Gb/s link, 8 buckets: the network added 5.4 ms to a step without these tests, 3.7 with)
        for started in self._buckets[:self._next_bucket]:
            started.work.is_completed()

    def _finish(self):
        """Wait for every bucket and write the averaged gradients into .grad. With find_unused_parameters, a
        parameter no rank used keeps its .grad as it was (PyTorch's rule); one that some rank used gets the
        average, zeros from the ranks that did not use it included."""
        used_anywhere = iter(self._used_anywhere()) if self.find_unused_parameters else None
        for bucket in self._buckets:
            bucket.work.wait()
            bucket.array /= self.world_size
            for p, view in zip(bucket.params, bucket.views):
                if used_anywhere is not None and not next(used_anywhere):
                    continue
                if p.grad is not None:
                    p.grad.write_(view)
                else:
                    p.grad = from_numpy(view.copy())
            bucket.work, bucket.missing, bucket.unused = None, len(bucket.params), set()
        self._next_bucket = 0
        self._syncing = False

    def _used_anywhere(self):
        """Per parameter (in bucket order), whether any rank's backward reached it: one small all_reduce."""
        used = np.array([index not in bucket.unused for bucket in self._buckets for index in range(len(bucket.params))],
                        dtype=np.int32)
        distributed.all_reduce_unchecked(used)
        return used

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes of forwards run inside this block keep their gradients local (accumulating in .grad);
        the first backward after it averages the accumulated sums."""
        previous, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _broadcast_from_rank_0(tensors):
    """Every tensor = rank 0's, in place (the ranks are known to hold the same shapes)."""
    comm = distributed.communicator()
    for tensor in tensors:
        buffer = distributed._Buffer(tensor)
        comm.Bcast(buffer.array, root=0)
        buffer.write_back()


def _tensors_in(output):
    if isinstance(output, Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (list, tuple)):
        return [t for item in output for t in _tensors_in(item)]
    return []
