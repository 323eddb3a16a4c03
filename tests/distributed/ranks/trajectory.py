"""DDP's training trajectory is, bit for bit, one process that adds up the same shards' gradients and averages.

Why exact and not close: each rank computes its shard's mean loss and gradient with the same kernels, at the same
thread count, on the same weights as this process does for that shard; the all_reduce adds the ranks' gradients
(a + b is the same float whatever the order of two operands) and divides by the world size, a power of two here, so
an exact scaling. Gradient clipping and SGD then see the same numbers. The Inception Net's ReLUs and max pools are
where a difference of one rounding would later flip a tie and grow, so any drift at all fails this test.

A whole batch in one process is another sum order (one GEMM over all samples); that equivalence is to rounding,
and tests/distributed/test_ddp.py bounds it after one step.
"""
import copy

import numpy as np

import glasstorch as gt
from glasstorch import distributed as dist
from glasstorch.models import create_model
from glasstorch.nn.parallel import DistributedDataParallel as DDP
from glasstorch.nn.utils import clip_grad_norm_

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert world & (world - 1) == 0, "the division by the world size is exact only for a power of two"
F = gt.nn.functional
STEPS, PER_RANK, LR, CLIP = 8, 8, 0.05, 0.5

gt.manual_seed(0)
model = create_model("inception-net")
alone = copy.deepcopy(model)                    # this process, on every rank's shard in turn
replica = DDP(model)
sgd, sgd_alone = gt.optim.SGD(model.parameters(), lr=LR), gt.optim.SGD(alone.parameters(), lr=LR)

rng = np.random.default_rng(0)
for step in range(STEPS):
    # digits-like images: a zero background gives exact ties in the max pools, as MNIST does
    images = np.maximum(rng.standard_normal((world * PER_RANK, 1, 28, 28)), 0).astype(np.float32)
    labels = rng.integers(0, 10, world * PER_RANK)
    shard = [slice(r, None, world) for r in range(world)]      # DistributedSampler's interleaved shards

    sgd.zero_grad()
    F.cross_entropy(replica(gt.tensor(images[shard[rank]])), gt.tensor(labels[shard[rank]])).backward()
    clip_grad_norm_(model.parameters(), CLIP)
    sgd.step()

    sgd_alone.zero_grad()
    for r in range(world):
        F.cross_entropy(alone(gt.tensor(images[shard[r]])), gt.tensor(labels[shard[r]])).backward()
    with gt.no_grad():
        for p in alone.parameters():
            p.grad /= world
    clip_grad_norm_(alone.parameters(), CLIP)
    sgd_alone.step()

    for (name, p), q in zip(model.named_parameters(), alone.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=f"step {step}: {name}")
dist.destroy_process_group()
print(f"rank {rank} ok")
