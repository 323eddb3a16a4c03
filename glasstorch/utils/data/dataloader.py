"""DataLoader: batches of a dataset, optionally shuffled by a seeded generator.

Full-batch, stochastic and mini-batch gradient descent from the notes are the same loop with
batch_size = len(dataset), 1, or something in between.
"""
import collections.abc
import numbers

from ... import random
from ...backend import xp
from ...creation import from_numpy
from ...tensor import Tensor


def default_collate(batch):
    """Merge a list of samples into a batch, field by field, as PyTorch does:
    tensors and arrays are stacked; Python ints -> int64, floats -> float64, bools -> bool tensors;
    NumPy scalars keep their dtype; strings stay a sequence of strings; a tuple of fields becomes a list,
    a named tuple, dict or list keeps its type."""
    first = batch[0]
    if isinstance(first, Tensor):
        shapes = {tuple(s.shape) for s in batch}
        if len(shapes) > 1:
            raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, but the batch holds "
                               f"tensors of shapes {sorted(shapes)}")
        return from_numpy(xp.stack([s.array for s in batch]))
    if isinstance(first, xp.ndarray):
        if first.dtype.kind in "OSUa":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            f"found an array of {first.dtype}")
        return from_numpy(xp.stack(batch))
    if isinstance(first, xp.generic):
        return from_numpy(xp.asarray(batch))
    if isinstance(first, bool):
        return from_numpy(xp.asarray(batch, dtype=bool))
    if isinstance(first, numbers.Integral):
        return from_numpy(xp.asarray(batch, dtype=xp.int64))
    if isinstance(first, numbers.Real):
        return from_numpy(xp.asarray(batch, dtype=xp.float64))
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, collections.abc.Mapping):
        return type(first)({key: default_collate([s[key] for s in batch]) for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(s) != len(first) for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(field)) if not isinstance(field[0], (str, bytes)) else field
                  for field in zip(*batch)]
        if isinstance(first, tuple):
            return fields
        try:
            return type(first)(fields)
        except TypeError:
            return fields
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found "
                    f"{type(first).__module__}.{type(first).__name__}")


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
