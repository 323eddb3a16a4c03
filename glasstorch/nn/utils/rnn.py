"""Batches of sequences of different lengths: padding and packing (PyTorch's torch.nn.utils.rnn).

A PackedSequence stores the steps time-major with the batch sorted by length, longest first:
data = [x_0 of every sequence, x_1 of every sequence still running, ...], and batch_sizes[t] says how many
sequences are still running at step t. Packing and unpacking are indexing ops, so gradients flow through them.
"""
import collections

from ...backend import xp
from ...creation import from_numpy
from ...ops.shape import cat, getitem, pad, stack
from ...tensor import Tensor

_PackedSequence = collections.namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                                            "unsorted_indices"])


class PackedSequence(_PackedSequence):
    """(data (N, *), batch_sizes (T,) int64, sorted_indices, unsorted_indices): see the module docstring."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                         self.unsorted_indices)

    def cpu(self):
        return self

    @property
    def is_cuda(self):
        return False

    def lengths(self):
        """Each sequence's length, in sorted order."""
        sizes = self.batch_sizes.array
        return (xp.arange(sizes[0])[:, None] < sizes[None, :]).sum(axis=1)


def _invert(permutation):
    order = permutation.array
    inverse = xp.empty_like(order)
    inverse[order] = xp.arange(len(order))
    return from_numpy(inverse)


def _lengths_array(lengths):
    array = lengths.array if isinstance(lengths, Tensor) else xp.asarray(lengths)
    if array.ndim != 1:
        raise ValueError(f"pack_padded_sequence: lengths must be a 1-D sequence, got shape {array.shape}")
    return array.astype(xp.int64)


def pack_order(lengths_sorted):
    """batch_sizes[t] and, for every packed row, the (step, sequence) it comes from (time-major)."""
    steps = int(lengths_sorted[0])
    batch_sizes = (lengths_sorted[None, :] > xp.arange(steps)[:, None]).sum(axis=1)
    step_index = xp.repeat(xp.arange(steps), batch_sizes)
    sequence_index = xp.concatenate([xp.arange(n) for n in batch_sizes])
    return batch_sizes.astype(xp.int64), step_index, sequence_index


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    lengths = _lengths_array(lengths)
    batch_axis = 0 if batch_first else 1
    if input.dim() < 2 or len(lengths) != input.shape[batch_axis]:
        raise ValueError(f"pack_padded_sequence: expected {len(lengths)} sequences (one length each) along dim "
                         f"{batch_axis} of the input (batch_first={batch_first}), got input of shape "
                         f"{tuple(input.shape)}")
    if (lengths <= 0).any():
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if enforce_sorted:
        if (xp.diff(lengths) > 0).any():
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                               "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
        order = xp.arange(len(lengths))
    else:
        order = xp.argsort(-lengths, kind="stable")
        sorted_indices = from_numpy(order.astype(xp.int64))
    longest = input.shape[1 - batch_axis]
    if lengths.max() > longest:
        raise RuntimeError(f"pack_padded_sequence: a length of {int(lengths.max())} is longer than the {longest} steps "
                           f"of the input (shape {tuple(input.shape)}, batch_first={batch_first})")
    batch_sizes, step_index, sequence_index = pack_order(lengths[order])
    rows = order[sequence_index]
    index = (rows, step_index) if batch_first else (step_index, rows)
    return PackedSequence(getitem(input, index), from_numpy(batch_sizes), sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """(padded (T, B, *) or (B, T, *), lengths) in the original batch order."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.array
    lengths_sorted = sequence.lengths()
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    _, step_index, sequence_index = pack_order(lengths_sorted)
    where = xp.full((steps, batch), len(step_index), dtype=xp.int64)    # the padding row, after the data
    where[step_index, sequence_index] = xp.arange(len(step_index))
    if sequence.unsorted_indices is not None:
        where = where[:, sequence.unsorted_indices.array]
        lengths = lengths_sorted[sequence.unsorted_indices.array]
    else:
        lengths = lengths_sorted
    filler = from_numpy(xp.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.array.dtype))
    padded = getitem(cat([data, filler]), where.T if batch_first else where)
    return padded, from_numpy(lengths.astype(xp.int64))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into (L_max, B, *) (or (B, L_max, *)), padded with padding_value."""
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        widths = [0, 0] * (s.dim() - 1) + ([0, missing] if padding_side == "right" else [missing, 0])
        padded.append(pad(s, widths, value=padding_value) if missing else s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    lengths = _lengths_array(lengths)
    sequences = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [sequences[k, :int(n)] for k, n in enumerate(lengths)]


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
