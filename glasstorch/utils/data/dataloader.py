"""DataLoader: batches of a dataset, optionally shuffled by a seeded generator.

Full-batch, stochastic and mini-batch gradient descent from the notes are the same loop with
batch_size = len(dataset), 1, or something in between.
"""
import numbers

from ... import random
from ...backend import xp
from ...tensor import Tensor


def default_collate(samples):
    """Stack a list of samples: tensors -> stacked tensor, numbers -> 1-D tensor, tuples -> tuple per field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return Tensor._make(xp.stack([s._data for s in samples]))
    if isinstance(first, xp.ndarray):
        return Tensor._make(xp.stack(samples))
    if isinstance(first, bool):
        return Tensor._make(xp.asarray(samples, dtype=bool))
    if isinstance(first, numbers.Integral):
        return Tensor._make(xp.asarray(samples, dtype=xp.int64))
    if isinstance(first, numbers.Real):
        return Tensor._make(xp.asarray(samples, dtype=xp.float32 if not isinstance(first, xp.float64) else xp.float64))
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate([s[i] for s in samples]) for i in range(len(first))) \
            if isinstance(first, tuple) else [default_collate([s[i] for s in samples]) for i in range(len(first))]
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    raise TypeError(f"default_collate: batch must contain tensors, arrays, numbers, dicts or lists; found "
                    f"{type(first).__name__}")


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size`; with shuffle=True a new permutation is drawn from
    `generator` (or the default generator) at the start of every epoch."""

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 generator=None, **kwargs):
        if batch_size is None or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, int(batch_size), shuffle, drop_last
        self.sampler = sampler
        self.collate_fn = collate_fn
        self.generator = generator
        self.num_workers = num_workers

    def _indices(self):
        if self.sampler is not None:
            return list(iter(self.sampler))
        if self.shuffle:
            return random.generator(self.generator).permutation(len(self.dataset))
        return xp.arange(len(self.dataset))

    def __iter__(self):
        order = self._indices()
        size = self.batch_size
        stop = len(order) - (len(order) % size if self.drop_last else 0)
        batched = self.collate_fn is None and hasattr(self.dataset, "__getitems__")
        for start in range(0, stop, size):
            indices = [int(i) for i in order[start:start + size]]
            if batched:
                batch = self.dataset.__getitems__(indices)
                yield batch if not isinstance(batch, list) else default_collate(batch)
            else:
                yield (self.collate_fn or default_collate)([self.dataset[i] for i in indices])

    def __len__(self):
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
