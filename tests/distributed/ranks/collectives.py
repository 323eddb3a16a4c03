"""Every collective on every rank against the NumPy result each rank can compute itself; exits 0 when all agree."""
import numpy as np

import glasstorch as gt
from glasstorch import distributed as dist

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "mpi"


def values(r, shape=(3, 4)):
    return np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * (r + 1) - r


everyone = np.stack([values(r) for r in range(world)])
expected = {dist.ReduceOp.SUM: everyone.sum(0), dist.ReduceOp.AVG: everyone.mean(0), dist.ReduceOp.MAX: everyone.max(0),
            dist.ReduceOp.MIN: everyone.min(0), dist.ReduceOp.PRODUCT: everyone.prod(0)}
for op, want in expected.items():
    t = gt.tensor(values(rank))
    dist.all_reduce(t, op=op)
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-6, err_msg=str(op))

strided = gt.tensor(values(rank, (4, 3))).t()         # not contiguous: reduced through a copy, written back
dist.all_reduce(strided)
np.testing.assert_allclose(strided.numpy(), np.stack([values(r, (4, 3)) for r in range(world)]).sum(0).T)

t = gt.tensor(values(rank))
work = dist.all_reduce(t, async_op=True)
work.wait()
np.testing.assert_allclose(t.numpy(), expected[dist.ReduceOp.SUM])

for src in range(world):
    t = gt.tensor(values(rank))
    dist.broadcast(t, src=src)
    np.testing.assert_array_equal(t.numpy(), values(src))

t = gt.tensor(values(rank))
dist.reduce(t, dst=world - 1, op=dist.ReduceOp.MAX)
np.testing.assert_array_equal(t.numpy(), everyone.max(0) if rank == world - 1 else values(rank))

gathered = [gt.zeros(3, 4) for _ in range(world)]
dist.all_gather(gathered, gt.tensor(values(rank)))
for r, g in enumerate(gathered):
    np.testing.assert_array_equal(g.numpy(), values(r))

into = [gt.zeros(3, 4) for _ in range(world)] if rank == 0 else None
dist.gather(gt.tensor(values(rank)), into, dst=0)
if rank == 0:
    for r, g in enumerate(into):
        np.testing.assert_array_equal(g.numpy(), values(r))

mine = gt.zeros(3, 4)
dist.scatter(mine, [gt.tensor(values(10 + r)) for r in range(world)] if rank == 0 else None, src=0)
np.testing.assert_array_equal(mine.numpy(), values(10 + rank))

ints = gt.tensor([rank + 1, 2 * rank], dtype=gt.int64)
dist.all_reduce(ints)
np.testing.assert_array_equal(ints.numpy(), [sum(r + 1 for r in range(world)), sum(2 * r for r in range(world))])

try:
    dist.all_reduce(gt.tensor([1, 2]), op=dist.ReduceOp.AVG)
except dist.DistributedError as error:
    assert "AVG needs a floating-point tensor" in str(error)
else:
    raise AssertionError("AVG of integers did not raise")

try:
    dist.broadcast(gt.zeros(2), src=world)
except dist.DistributedError as error:
    assert f"src={world} is not a rank" in str(error)
else:
    raise AssertionError("a bad src did not raise")

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {rank} ok")
