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
