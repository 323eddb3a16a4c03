"""DistributedDataParallel on every rank against what one process computes on the whole batch."""
import copy

import numpy as np

import glasstorch as gt
from glasstorch import distributed as dist
from glasstorch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
F = gt.nn.functional


def make_model(seed):
    gt.manual_seed(seed)
    return gt.nn.Sequential(gt.nn.Conv2d(1, 4, 3), gt.nn.BatchNorm2d(4), gt.nn.ReLU(), gt.nn.Flatten(),
                            gt.nn.Linear(4 * 6 * 6, 10))


model = make_model(seed=rank)                   # every rank starts differently ...
reference = copy.deepcopy(make_model(seed=0))   # ... and DDP must give them rank 0's weights
ddp = DDP(model, bucket_cap_mb=0.001)           # tiny buckets: several all_reduces, started during backward
assert len(ddp._buckets) > 1, len(ddp._buckets)
for (name, p), q in zip(model.named_parameters(), reference.parameters()):
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
assert list(ddp.state_dict())[0] == "module.0.weight" and ddp.module is model

rng = np.random.default_rng(0)
x = rng.standard_normal((12, 1, 8, 8)).astype(np.float32)
y = rng.integers(0, 10, 12)
mine = slice(rank * 12 // world, (rank + 1) * 12 // world)     # 12 splits evenly over 1-4 ranks


def gradients(m):
    return {name: p.grad.numpy().copy() for name, p in m.named_parameters()}


# one backward: the average of the ranks' gradients is the gradient of the whole batch
F.cross_entropy(ddp(gt.tensor(x[mine])), gt.tensor(y[mine])).backward()
whole = copy.deepcopy(reference)
F.cross_entropy(whole(gt.tensor(x)), gt.tensor(y)).backward()
# BatchNorm's batch statistics are each rank's own, so compare a model without it for exactness
# and check here only that the gradients are the same on every rank and finite
got = gradients(model)
for name, grad in got.items():
    everyone = [gt.zeros(*grad.shape) for _ in range(world)]
    dist.all_gather(everyone, gt.tensor(grad))
    for other in everyone:
        np.testing.assert_array_equal(other.numpy(), grad, err_msg=name)

# without BatchNorm the averaged gradient equals the whole batch's
gt.manual_seed(1)
linear = gt.nn.Sequential(gt.nn.Linear(64, 16), gt.nn.Tanh(), gt.nn.Linear(16, 10))
linear_whole = copy.deepcopy(linear)
net = DDP(linear, bucket_cap_mb=0.002)
flat = x.reshape(12, 64)
F.cross_entropy(net(gt.tensor(flat[mine])), gt.tensor(y[mine])).backward()
F.cross_entropy(linear_whole(gt.tensor(flat)), gt.tensor(y)).backward()
for (name, grad), want in zip(gradients(linear).items(), gradients(linear_whole).values()):
    np.testing.assert_allclose(grad, want, rtol=1e-5, atol=1e-7, err_msg=name)

# no_sync: two local micro-batches accumulate, the next synchronised backward averages the sums
for p in linear.parameters():
    p.grad = None
half = (mine.stop - mine.start) // 2
first, second = slice(mine.start, mine.start + half), slice(mine.start + half, mine.stop)
with net.no_sync():
    (F.cross_entropy(net(gt.tensor(flat[first])), gt.tensor(y[first]), reduction="sum") / 12).backward()
local = gradients(linear)
(F.cross_entropy(net(gt.tensor(flat[second])), gt.tensor(y[second]), reduction="sum") / 12).backward()
# the sum over micro-batches of sum-losses / 12, averaged over ranks, is the whole batch's mean loss / world
for (name, grad), want in zip(gradients(linear).items(), gradients(linear_whole).values()):
    np.testing.assert_allclose(grad, want / world, rtol=1e-5, atol=1e-7, err_msg=name)
assert any(np.abs(g).sum() > 0 for g in local.values())

# broadcast_buffers: rank 0's running statistics reach every rank before each training forward
model.train()
model[1].momentum = 0.0         # the forward leaves the running statistics as it finds them
for buffer in model[1].buffers():
    buffer._data[...] = rank + 7
ddp(gt.tensor(x[mine]))
np.testing.assert_array_equal(model[1].running_var.numpy(), np.full(4, 7.0))
for p in model.parameters():
    p.grad = None

# a parameter that gets no gradient: the next forward says what to do; find_unused_parameters handles it
class UsesOne(gt.nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = gt.nn.ModuleDict({"used": gt.nn.Linear(4, 2), "unused": gt.nn.Linear(4, 2)})

    def forward(self, v):
        return self.heads["used"](v)


strict = DDP(UsesOne())
strict(gt.ones(2, 4)).sum().backward()
try:
    strict(gt.ones(2, 4))
except RuntimeError as error:
    assert "find_unused_parameters=True" in str(error)
else:
    raise AssertionError("an unfinished reduction was not reported")
lenient = DDP(UsesOne(), find_unused_parameters=True)
two_heads = lenient.module.heads
for _ in range(2):      # d(sum of outputs)/dW[i, :] = the sum of the 2 inputs, 2 (r + 1), averaged, twice
    lenient(gt.ones(2, 4) * (rank + 1)).sum().backward()
np.testing.assert_allclose(two_heads["used"].weight.grad.numpy(), np.full((2, 4), 4 * np.mean(np.arange(world) + 1)))
assert two_heads["unused"].weight.grad is None      # unused on every rank: left alone, as in PyTorch


# each rank uses another head: the buckets fill in another order on every rank (the unused ones at forward), yet
# every bucket must be summed with the same bucket of the other ranks; head 0's output is scaled by 0 on rank 0
class HeadPerRank(gt.nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = gt.nn.ModuleList([gt.nn.Linear(4, 2) for _ in range(world + 1)])

    def forward(self, v):
        out = self.heads[rank + 1](v)
        return out + 0 * self.heads[0](v) if rank == 0 else out


per_rank = DDP(HeadPerRank(), find_unused_parameters=True, bucket_cap_mb=1e-5)   # a bucket per parameter
assert len(per_rank._buckets) == 2 * (world + 1)
per_rank(gt.ones(3, 4) * (rank + 1)).sum().backward()
for index, head in enumerate(per_rank.module.heads):
    if index == 0:      # used (with a zero gradient) on rank 0 only: every rank gets the zero average
        np.testing.assert_array_equal(head.weight.grad.numpy(), np.zeros((2, 4)))
        continue
    user = index - 1    # d(sum)/dW[i, :] = 3 (user + 1) on the rank that used it, 0 elsewhere
    np.testing.assert_allclose(head.weight.grad.numpy(), np.full((2, 4), 3 * (user + 1) / world), err_msg=str(index))
    np.testing.assert_allclose(head.bias.grad.numpy(), np.full(2, 3 / world), err_msg=str(index))
dist.destroy_process_group()
print(f"rank {rank} ok")
