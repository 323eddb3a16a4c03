"""DistributedSampler hands each rank the indices PyTorch's does (same seed, epoch, padding and drop_last)."""
import pytest
import torch
from torch.utils.data.distributed import DistributedSampler as TorchSampler

from glasstorch.utils.data import DistributedSampler
from glasstorch.utils.data.distributed import torch_randperm


@pytest.mark.parametrize("n", [1, 7, 10, 97, 1000])
@pytest.mark.parametrize("replicas", [1, 2, 3, 8])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shards_are_pytorchs(n, replicas, shuffle, drop_last):
    for epoch in (0, 5):
        for rank in range(replicas):
            ours = DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=3, drop_last=drop_last)
            theirs = TorchSampler(range(n), replicas, rank, shuffle=shuffle, seed=3, drop_last=drop_last)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs)


def test_randperm_is_pytorchs_for_a_seeded_generator():
    for n, seed in [(2, 0), (50, 1), (60000, 2 ** 32 + 5)]:
        generator = torch.Generator().manual_seed(seed)
        assert torch_randperm(n, seed) == torch.randperm(n, generator=generator).tolist()


def test_a_rank_outside_the_group_is_refused():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
