"""CIFAR10/CIFAR100 against torchvision on batches in the official format, the restricted unpickler, bad files, the
download path (from a file:// URL), and FakeData against torchvision's."""
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest
from torchvision_import import import_torchvision

import glasstorch as gt
from glasstorch.vision import datasets, transforms
from glasstorch.vision.cifar import CorruptDatasetError, UnsafePickleError
from glasstorch.datasets.mnist import DatasetNotFoundError

torchvision = import_torchvision()


def _write_pickle(path, obj):
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)       # the official batches are protocol-2 pickles


def make_cifar(root, kind="cifar10", per_batch=6):
    """Batches in the official layout and format, with random pixels and labels."""
    rng = np.random.default_rng(0)
    cls = datasets.CIFAR10 if kind == "cifar10" else datasets.CIFAR100
    folder = root / cls.base_folder
    folder.mkdir(parents=True)
    classes = 10 if kind == "cifar10" else 100
    for name in cls.train_list + cls.test_list:
        _write_pickle(folder / name, {
            "batch_label": f"{name} of 1", cls.labels_key: [int(v) for v in rng.integers(0, classes, per_batch)],
            "data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
            "filenames": [f"img_{i}.png" for i in range(per_batch)]})
    _write_pickle(folder / cls.meta["filename"], {cls.meta["key"]: [f"class_{i}" for i in range(classes)],
                                                  "num_cases_per_batch": per_batch})
    return root


@pytest.fixture
def torchvision_without_md5(monkeypatch):
    """torchvision checks each batch against the official MD5s; ours are made here, so only their presence."""
    for cls in (torchvision.datasets.CIFAR10, torchvision.datasets.CIFAR100):
        monkeypatch.setattr(cls, "train_list", [[name, None] for name, _ in cls.train_list])
        monkeypatch.setattr(cls, "test_list", [[name, None] for name, _ in cls.test_list])
        monkeypatch.setattr(cls, "meta", {**cls.meta, "md5": None})
    return torchvision


@pytest.mark.parametrize("kind", ["cifar10", "cifar100"])
@pytest.mark.parametrize("train", [True, False])
def test_cifar_reads_the_official_format_as_torchvision(tmp_path, torchvision_without_md5, kind, train):
    root = make_cifar(tmp_path, kind)
    name = "CIFAR10" if kind == "cifar10" else "CIFAR100"
    ours = getattr(datasets, name)(root, train=train, transform=transforms.ToTensor())
    theirs = getattr(torchvision.datasets, name)(str(root), train=train,
                                                 transform=torchvision.transforms.ToTensor())
    assert len(ours) == len(theirs) == (30 if train and kind == "cifar10" else 6)
    np.testing.assert_array_equal(ours.data, theirs.data)
    assert ours.data.shape == theirs.data.shape and ours.data.dtype == theirs.data.dtype
    assert ours.targets == theirs.targets and ours.classes == theirs.classes
    assert ours.class_to_idx == theirs.class_to_idx
    for index in (0, len(ours) - 1):
        (image, target), (their_image, their_target) = ours[index], theirs[index]
        np.testing.assert_array_equal(image.numpy(), their_image.numpy())
        assert target == their_target and type(target) is int
    plain, their_plain = getattr(datasets, name)(root, train=train)[1][0], theirs.__class__(str(root), train)[1][0]
    assert plain.mode == their_plain.mode == "RGB" and plain.tobytes() == their_plain.tobytes()
    split = f"Split: {'Train' if train else 'Test'}"
    assert split in repr(ours) and split in repr(theirs)


class _RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_naming_anything_else_is_refused_before_it_runs(tmp_path):
    root = make_cifar(tmp_path / "data")
    marker = tmp_path / "it-ran"
    batch = root / "cifar-10-batches-py" / "data_batch_3"
    _write_pickle(batch, {"data": np.zeros((1, 3072), np.uint8), "labels": [_RunsACommand(marker)]})
    with pytest.raises(UnsafePickleError) as caught:
        datasets.CIFAR10(root)
    assert str(batch) in str(caught.value) and "system" in str(caught.value) and "refusing" in str(caught.value)
    assert not marker.exists()
    assert isinstance(caught.value, pickle.UnpicklingError)


@pytest.mark.parametrize("content,message", [
    ({"data": np.zeros((2, 3072), np.float32), "labels": [0, 1]}, "'data' must be an N x 3072 uint8 array"),
    ({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, "'data' must be an N x 3072 uint8 array"),
    ({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, "'labels' must be a list of 2 ints"),
    ([1, 2, 3], "not a CIFAR batch (holds a list, not a dict)"),
])
def test_a_wrong_batch_gets_one_line_naming_the_file(tmp_path, content, message):
    root = make_cifar(tmp_path)
    batch = root / "cifar-10-batches-py" / "test_batch"
    _write_pickle(batch, content)
    with pytest.raises(CorruptDatasetError) as caught:
        datasets.CIFAR10(root, train=False)
    assert str(caught.value).startswith(f"{batch}: ") and message in str(caught.value) and "\n" not in str(caught.value)


def test_a_torn_batch_and_missing_files_are_named(tmp_path):
    root = make_cifar(tmp_path)
    batch = root / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(batch.read_bytes()[:100])
    with pytest.raises(CorruptDatasetError, match="not a CIFAR batch"):
        datasets.CIFAR10(root, train=False)
    batch.unlink()
    with pytest.raises(DatasetNotFoundError, match="test_batch not found in .*download=True"):
        datasets.CIFAR10(root)


def test_download_fetches_checks_and_unpacks_the_archive(tmp_path, monkeypatch):
    source = make_cifar(tmp_path / "source")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(source / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    (tmp_path / "cifar.tar.gz").write_bytes(buffer.getvalue())
    monkeypatch.delenv("GLASSTORCH_OFFLINE", raising=False)
    monkeypatch.setattr(datasets.CIFAR10, "url", (tmp_path / "cifar.tar.gz").as_uri())
    with pytest.raises(DatasetNotFoundError, match="MD5 .* does not match"):
        datasets.CIFAR10(tmp_path / "wrong", download=True)
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", hashlib.md5(buffer.getvalue()).hexdigest())
    data = datasets.CIFAR10(tmp_path / "downloaded", train=False, download=True)
    assert len(data) == 6 and data.classes[3] == "class_3"
    monkeypatch.setenv("GLASSTORCH_OFFLINE", "1")
    with pytest.raises(DatasetNotFoundError, match="GLASSTORCH_OFFLINE"):
        datasets.CIFAR10(tmp_path / "offline", download=True)


@pytest.mark.parametrize("image_size", [(3, 24, 20), (1, 8, 9)])
def test_fake_data_has_torchvisions_shapes_types_and_transforms(image_size):
    kwargs = dict(size=5, image_size=image_size, num_classes=4, random_offset=3)
    ours = datasets.FakeData(**kwargs, transform=transforms.ToTensor(), target_transform=lambda t: t + 100)
    theirs = torchvision.datasets.FakeData(**kwargs, transform=torchvision.transforms.ToTensor(),
                                           target_transform=lambda t: t + 100)
    assert len(ours) == len(theirs) == 5
    for index in range(5):
        (image, target), (their_image, their_target) = ours[index], theirs[index]
        assert tuple(image.shape) == tuple(their_image.shape) and image.dtype == gt.float32
        assert type(target) is type(their_target) and 100 <= target < 104
    plain, their_plain = datasets.FakeData(**kwargs)[2][0], torchvision.datasets.FakeData(**kwargs)[2][0]
    assert plain.mode == their_plain.mode and plain.size == their_plain.size
    assert datasets.FakeData(**kwargs)[2][0].tobytes() == plain.tobytes()       # the same image for the same index
    for data in (ours, theirs):
        with pytest.raises(IndexError, match="FakeData index out of range"):
            data[5]


def test_vision_dataset_takes_transforms_or_transform_and_prints_as_torchvisions():
    from glasstorch.vision.vision_dataset import transformed

    made = {}
    for library, base in (("ours", datasets.VisionDataset), ("theirs", torchvision.datasets.VisionDataset)):
        pairs = type("Pairs", (base,), {"__len__": lambda self: 2})
        with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
            pairs(root="r", transforms=abs, transform=abs)
        made[library] = pairs(root="data")
    assert repr(made["ours"]) == repr(made["theirs"])
    joint = type("Pairs", (datasets.VisionDataset,), {"__len__": lambda self: 2})(transforms=lambda s, t: (s * 2, t + 1))
    assert transformed(joint, 3, 4) == (6, 5)
