"""DistributedSampler: each rank's share of a dataset's indices, as PyTorch assigns them."""
import math

import numpy as np

from ... import distributed


def torch_randperm(n, seed):
    """PyTorch's CPU randperm(n) from a generator seeded with `seed`: a Fisher-Yates shuffle whose i-th swap
    partner is i + (x_i mod (n - i)), x_i the i-th 32-bit output of the Mersenne Twister MT19937 seeded with seed
    (the same stream as NumPy's legacy RandomState(seed)). The same seed gives PyTorch's permutation."""
    draws = np.random.RandomState(seed % 2 ** 32)._bit_generator.random_raw(max(n - 1, 0))
    order = list(range(n))
    for i, draw in enumerate(draws.tolist()):
        j = i + draw % (n - i)
        order[i], order[j] = order[j], order[i]
    return order


class DistributedSampler:
    """The indices of rank `rank` of `num_replicas`: the (shuffled, when shuffle) index list is padded by
    repeating its start to a multiple of num_replicas (or cut to one, with drop_last), and rank r takes every
    num_replicas-th index from position r. Shuffled with seed + epoch: call set_epoch(e) before each epoch so that
    the order changes (every rank must use the same seed)."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        if drop_last and len(dataset) % num_replicas:
            self.num_samples = math.ceil((len(dataset) - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(len(dataset) / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        n = len(self.dataset)
        indices = torch_randperm(n, self.seed + self.epoch) if self.shuffle else list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding] if padding else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        self.epoch = epoch
