import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.datasets import DatasetNotFoundError, FashionMNISTFiles, IDXError, MNISTFiles, read_idx, write_idx
from glasstorch.vision.transforms import Compose, Normalize, ToTensor



def test_idx_round_trip_raw_and_gzip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (3, 4, 5)).astype(np.uint8)
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        write_idx(tmp_path / name, images)
        np.testing.assert_array_equal(read_idx(tmp_path / name), images)
    floats = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    write_idx(tmp_path / "f.idx", floats)
    np.testing.assert_array_equal(read_idx(tmp_path / "f.idx"), floats)


def test_corrupt_idx_files_name_the_file_and_problem(tmp_path):
    good = tmp_path / "good-idx1-ubyte"
    write_idx(good, np.arange(10, dtype=np.uint8))
    raw = good.read_bytes()
    cases = {
        "truncated": (raw[:-3], r"truncated or corrupt: dimensions \(10,\) need 10 data bytes, found 7"),
        "magic": (b"\x12\x34" + raw[2:], "bad magic number 0x1234"),
        "short": (raw[:3], "too short"),
        "gzip": (b"\x1f\x8b" + b"garbage", "cannot read or decompress"),
    }
    for name, (payload, message) in cases.items():
        path = tmp_path / f"{name}-idx1-ubyte"
        path.write_bytes(payload)
        with pytest.raises(IDXError, match=message) as error:
            read_idx(path)
        assert str(path) in str(error.value)


def test_the_embedded_subset_is_found_last_balanced_and_interleaved(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GLASSTORCH_DATA", raising=False)
    train, test = MNISTFiles(train=True), MNISTFiles(train=False)
    assert train.folder == test.folder == MNISTFiles.embedded == MNISTFiles.search_paths(tmp_path)[-1]
    assert len(train) == 5000 and len(test) == 2000
    assert train.data.shape == (5000, 28, 28) and train.data.dtype == np.uint8
    assert np.bincount(train.targets).tolist() == [500] * 10
    assert np.bincount(test.targets).tolist() == [200] * 10
    assert len(set(train.targets[:50].tolist())) == 10 and len(set(test.targets[:50].tolist())) == 10
    sizes = [path.stat().st_size for path in MNISTFiles.embedded.glob("*.gz")]
    assert len(sizes) == 4 and sum(sizes) <= 2 * 2**20 and max(sizes) <= 2**20
    assert "CC BY-SA 3.0" in (MNISTFiles.embedded / "README.md").read_text()
    assert FashionMNISTFiles.embedded is None and FashionMNISTFiles.search_paths()[-1] == Path("/usr/share/datasets/fashion-mnist")


def test_reads_real_digits_exactly_as_stored(mnist_dir):
    test = MNISTFiles(mnist_dir, train=False)
    images = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    assert hashlib.md5(images[16:]).hexdigest() == hashlib.md5(test.data.tobytes()).hexdigest()
    np.testing.assert_array_equal(test.data.reshape(-1), np.frombuffer(images, np.uint8, offset=16))
    mean = test.data.mean() / 255
    assert 0.12 < mean < 0.14          # real MNIST: 0.1307 over the training set


def test_transforms_and_batched_fetch(mnist_dir):
    transform = Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    data = MNISTFiles(mnist_dir, train=False, transform=transform)
    image, label = data[0]
    assert image.shape == (1, 28, 28) and image.dtype == gt.float32 and label == data.targets[0]
    np.testing.assert_allclose(image.numpy()[0], (data.data[0] / 255.0 - 0.1307) / 0.3081, rtol=1e-5)
    batch_images, batch_labels = data.__getitems__([0, 1, 2])
    assert batch_images.shape == (3, 1, 28, 28) and batch_labels.tolist() == data.targets[:3].tolist()
    np.testing.assert_allclose(batch_images.numpy()[0], image.numpy())


def test_search_order_and_not_found_message(tmp_path, monkeypatch, mnist_dir):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GLASSTORCH_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(MNISTFiles, "embedded", None)      # as for a dataset the package does not ship
    with pytest.raises(DatasetNotFoundError, match="the data folder .*nowhere does not exist"):
        MNISTFiles(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError) as error:
        MNISTFiles(tmp_path / "empty")
    message = str(error.value)
    for place in ["empty", str(tmp_path / "data" / "mnist"), str(tmp_path / "cache" / "glasstorch" / "datasets"),
                  "/usr/share/datasets/mnist", "download=True"]:
        assert place in message
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mnist").symlink_to(mnist_dir)
    assert MNISTFiles(train=False).folder == tmp_path / "data" / "mnist"       # found through $GLASSTORCH_DATA
    assert "apt-get install dataset-fashion-mnist" in FashionMNISTFiles._not_found_message(tmp_path)


def test_download_verifies_md5_and_writes_atomically(tmp_path, monkeypatch, mnist_dir):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    checksums = {}
    for path in mnist_dir.glob("*.gz"):
        (mirror / path.name).write_bytes(path.read_bytes())
        checksums[path.name] = hashlib.md5(path.read_bytes()).hexdigest()
    monkeypatch.setattr(MNISTFiles, "md5", checksums)
    monkeypatch.setattr(MNISTFiles, "mirrors", ("file:///nonexistent/", mirror.as_uri() + "/"))
    data = MNISTFiles(tmp_path / "downloaded", train=False, download=True)
    assert len(data) == 2000 and sorted(p.name for p in (tmp_path / "downloaded").iterdir()) == sorted(checksums)
    monkeypatch.setattr(MNISTFiles, "md5", {**checksums, "t10k-labels-idx1-ubyte.gz": "0" * 32})
    with pytest.raises(DatasetNotFoundError, match="does not match the official 0000"):
        MNISTFiles.download(tmp_path / "again")
