import numpy as np
import pytest

import glasstorch as gt
from glasstorch.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split


def dataset(n=10):
    return TensorDataset(gt.arange(n).float().reshape(n, 1), gt.arange(n))


def labels_of(loader):
    return [batch[1].tolist() for batch in loader]


def test_batch_sizes_cover_full_batch_stochastic_and_mini_batch():
    data = dataset(10)
    assert labels_of(DataLoader(data, batch_size=10)) == [list(range(10))]           # batch gradient descent
    assert len(DataLoader(data, batch_size=1)) == 10                                   # stochastic
    assert labels_of(DataLoader(data, batch_size=4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert labels_of(DataLoader(data, batch_size=4, drop_last=True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(data, batch_size=4, drop_last=True)) == 2 and len(DataLoader(data, batch_size=4)) == 3


def test_shuffle_is_seeded_reproducible_and_new_each_epoch():
    data = dataset(20)
    a = DataLoader(data, batch_size=5, shuffle=True, generator=gt.Generator().manual_seed(3))
    b = DataLoader(data, batch_size=5, shuffle=True, generator=gt.Generator().manual_seed(3))
    first, again = labels_of(a), labels_of(b)
    assert first == again
    assert sorted(sum(first, [])) == list(range(20)) and sum(first, []) != list(range(20))
    assert labels_of(a) != first   # the next epoch draws a new permutation


def test_batched_fetch_equals_per_item_collate():
    data = dataset(7)
    fast = list(DataLoader(data, batch_size=3))
    slow = list(DataLoader(data, batch_size=3, collate_fn=gt.utils.data.default_collate))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.equal(sx) and fy.equal(sy)
    assert fast[0][0].shape == (3, 1) and fast[0][1].dtype == gt.int64


def test_custom_dataset_with_tuples_and_numbers():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i * i

    x, y = next(iter(DataLoader(Squares(), batch_size=5)))
    assert x.shape == (5, 2) and y.tolist() == [0, 1, 4, 9, 16]


def test_subset_and_random_split():
    data = dataset(10)
    sub = Subset(data, [9, 3])
    assert len(sub) == 2 and sub[0][1].item() == 9
    train, test = random_split(data, [0.8, 0.2], generator=gt.Generator().manual_seed(0))
    assert len(train) == 8 and len(test) == 2
    assert sorted(train.indices + test.indices) == list(range(10))
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(data, [3, 3])


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(dataset(), batch_size=0)
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(gt.zeros(3), gt.zeros(4))


def _as_plain(value):
    """Batches of either library as nested lists/tuples/dicts of (dtype name, values) for comparison."""
    if hasattr(value, "numpy") and hasattr(value, "dtype"):
        return (str(value.dtype).replace("torch.", "").replace("glasstorch.", ""), value.numpy().tolist())
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [_as_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_as_plain(v) for v in value])
    return value


def test_default_collate_matches_torch_for_every_kind_of_sample():
    import collections

    import torch
    from torch.utils.data import default_collate as torch_collate

    Point = collections.namedtuple("Point", "x label")
    cases = {
        "(str, int)": [("Ada", 3), ("Bo", 1)],
        "floats": [0.5, 1.5],
        "bools": [True, False],
        "numpy scalars": [np.float32(1), np.float32(2)],
        "numpy arrays": [np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)],
        "strings": ["x", "y"],
        "dict": [{"a": 1, "b": "s", "c": [1.0, 2.0]}, {"a": 2, "b": "t", "c": [3.0, 4.0]}],
        "named tuple": [Point(1, 2.0), Point(3, 4.0)],
        "lists": [[1, 2], [3, 4]],
    }
    for name, batch in cases.items():
        assert _as_plain(gt.utils.data.default_collate(batch)) == _as_plain(torch_collate(batch)), name
    ours = gt.utils.data.default_collate([gt.zeros(2), gt.ones(2)])
    assert _as_plain(ours) == _as_plain(torch_collate([torch.zeros(2), torch.ones(2)]))
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        gt.utils.data.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="equal size"):
        gt.utils.data.default_collate([gt.zeros(2), gt.zeros(3)])


def test_dataloader_over_string_label_samples_gives_a_tuple_of_strings():
    class Names(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return ["Ann", "Bob", "Cy"][i], i

    names, labels = next(iter(DataLoader(Names(), batch_size=3)))
    assert names == ("Ann", "Bob", "Cy") and labels.tolist() == [0, 1, 2]
