"""glasstorch.vision without torchvision: the datasets' layout and samples, transform semantics checked against
Pillow and NumPy, grids. The sample-for-sample comparison with torchvision itself is
test_against_torchvision.py."""
import gzip
import shutil

import numpy as np
import pytest
from PIL import Image

import glasstorch as gt
import glasstorch.vision as torchvision
from glasstorch.vision import datasets, transforms
from glasstorch.vision.transforms import functional as F


@pytest.fixture
def grey():
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, (9, 12), dtype=np.uint8), mode="L")


@pytest.fixture
def rgb():
    return Image.fromarray(np.random.default_rng(1).integers(0, 256, (6, 5, 3), dtype=np.uint8), mode="RGB")


def test_to_tensor_scales_and_moves_channels_first(grey, rgb):
    out = transforms.ToTensor()(rgb)
    assert tuple(out.shape) == (3, 6, 5) and out.dtype == gt.float32
    np.testing.assert_allclose(out.numpy(), np.asarray(rgb).transpose(2, 0, 1) / 255, rtol=1e-6)
    assert tuple(transforms.ToTensor()(grey).shape) == (1, 9, 12)
    doubles = np.random.default_rng(2).random((4, 3))
    kept = transforms.ToTensor()(doubles)
    assert kept.dtype == gt.float64 and np.array_equal(kept.numpy()[0], doubles)     # only uint8 is scaled
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()([1, 2])


def test_normalize_per_channel_and_its_errors(rgb):
    x = transforms.ToTensor()(rgb)
    out = transforms.Normalize((0.5, 0.25, 0.0), (0.5, 0.25, 1.0))(x).numpy()
    expected = (x.numpy() - np.array([0.5, 0.25, 0.0])[:, None, None]) / np.array([0.5, 0.25, 1.0])[:, None, None]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0.5,), (0.0,))(x)
    with pytest.raises(ValueError, match="has 3 channels"):
        transforms.Normalize((0.5, 0.5), (1.0, 1.0))(x)


def test_resize_keeps_the_aspect_ratio_and_matches_pillow(grey):
    out = transforms.Resize(6)(grey)
    assert out.size == (8, 6)                      # the shorter edge (9) -> 6, the other 12 * 6 / 9
    np.testing.assert_array_equal(np.asarray(out), np.asarray(grey.resize((8, 6), Image.BILINEAR)))
    tensor = transforms.ToTensor()(grey)
    resized = transforms.Resize((5, 7))(tensor)
    assert tuple(resized.shape) == (1, 5, 7)
    reference = np.asarray(Image.fromarray(tensor.numpy()[0], mode="F").resize((7, 5), Image.BILINEAR))
    np.testing.assert_allclose(resized.numpy()[0], reference, rtol=1e-6)


def test_center_crop_pad_and_flip_on_both_kinds(grey):
    array = np.asarray(grey)
    np.testing.assert_array_equal(np.asarray(transforms.CenterCrop(4)(grey)), array[2:6, 4:8])
    tensor = gt.tensor(array[None])
    np.testing.assert_array_equal(transforms.CenterCrop((3, 5))(tensor).numpy()[0], array[3:6, 4:9])
    big = transforms.CenterCrop(14)(tensor).numpy()[0]          # larger than the image: zero border
    assert big.shape == (14, 14) and big[:2].sum() == 0 and np.array_equal(big[2:11, 1:13], array)
    for mode, numpy_mode in (("edge", "edge"), ("reflect", "reflect"), ("symmetric", "symmetric")):
        padded = transforms.Pad((1, 2, 3, 4), padding_mode=mode)(grey)
        np.testing.assert_array_equal(np.asarray(padded), np.pad(array, ((2, 4), (1, 3)), mode=numpy_mode))
    np.testing.assert_array_equal(transforms.Pad(2, fill=7)(tensor).numpy()[0],
                                  np.pad(array, 2, constant_values=7))
    np.testing.assert_array_equal(np.asarray(F.hflip(grey)), array[:, ::-1])
    np.testing.assert_array_equal(F.vflip(tensor).numpy()[0], array[::-1])


def test_rotation_by_right_angles_and_random_rotation():
    square = np.random.default_rng(3).random((1, 6, 6)).astype(np.float32)
    np.testing.assert_array_equal(F.rotate(gt.tensor(square), 90).numpy()[0], np.rot90(square[0]))
    image = Image.fromarray((square[0] * 255).astype(np.uint8))
    np.testing.assert_array_equal(np.asarray(F.rotate(image, 180)), np.rot90(np.asarray(image), 2))
    gt.manual_seed(0)
    angles = [transforms.RandomRotation.get_params(transforms.RandomRotation((10, 20)).degrees) for _ in range(100)]
    assert 10 <= min(angles) < 11 and 19 < max(angles) <= 20


def test_grayscale_weights(rgb):
    tensor = transforms.ToTensor()(rgb)
    grey = transforms.Grayscale(3)(tensor).numpy()
    r, g, b = tensor.numpy()
    np.testing.assert_allclose(grey[1], 0.2989 * r + 0.587 * g + 0.114 * b, rtol=1e-5)
    assert transforms.Grayscale()(rgb).mode == "L"


def test_random_crop_and_flip_are_seeded_and_valid(grey):
    array = np.pad(np.asarray(grey), 1)
    gt.manual_seed(5)
    first = [np.asarray(transforms.RandomCrop(5, padding=1)(grey)) for _ in range(10)]
    gt.manual_seed(5)
    again = [np.asarray(transforms.RandomCrop(5, padding=1)(grey)) for _ in range(10)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    windows = {array[i:i + 5, j:j + 5].tobytes() for i in range(array.shape[0] - 4) for j in range(array.shape[1] - 4)}
    assert all(a.tobytes() in windows for a in first) and len({a.tobytes() for a in first}) > 3
    assert transforms.RandomCrop(20, pad_if_needed=True)(grey).size == (20, 20)
    with pytest.raises(ValueError, match="larger than input image size"):
        transforms.RandomCrop(20)(grey)
    flipped = [np.array_equal(np.asarray(transforms.RandomHorizontalFlip()(grey)), np.asarray(grey)[:, ::-1])
               for _ in range(400)]
    assert 0.4 < np.mean(flipped) < 0.6


@pytest.fixture
def torchvision_root(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for packed in gt.datasets.MNIST.embedded.glob("*.gz"):
        with gzip.open(packed) as source, open(raw / packed.name[:-3], "wb") as target:
            shutil.copyfileobj(source, target)
    return tmp_path


def test_mnist_reads_torchvision_layout_and_gives_pil_samples(torchvision_root):
    plain = datasets.MNIST(torchvision_root, train=False)
    image, label = plain[3]
    assert isinstance(image, Image.Image) and image.mode == "L" and image.size == (28, 28)
    assert isinstance(label, int) and label == plain.targets[3].item()
    assert plain.data.dtype == gt.uint8 and tuple(plain.data.shape) == (2000, 28, 28)
    assert plain.class_to_idx["3 - three"] == 3 and plain.raw_folder.endswith("MNIST/raw")
    np.testing.assert_array_equal(np.asarray(image), plain.data[3].numpy())
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    assert transform.batched
    data = datasets.MNIST(torchvision_root, train=True, transform=transform, target_transform=None)
    batch, labels = next(iter(gt.utils.data.DataLoader(data, batch_size=16)))     # the vectorised path
    one_by_one = np.stack([transform(Image.fromarray(data.data[i].numpy(), mode="L")).numpy() for i in range(16)])
    np.testing.assert_allclose(batch.numpy(), one_by_one, rtol=1e-6)
    assert labels.tolist() == data.targets[:16].tolist()


def test_mnist_download_without_network_falls_back_to_the_shipped_subset(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GLASSTORCH_DATA", raising=False)
    monkeypatch.setattr(gt.datasets.mnist, "SYSTEM_DATASETS", tmp_path / "no-system-datasets")   # Debian's copies
    monkeypatch.setattr(datasets.MNIST, "mirrors", ("http://127.0.0.1:9/",))
    data = datasets.MNIST(tmp_path / "data", train=True, download=True)
    assert len(data) == 5000 and (tmp_path / "data" / "MNIST" / "raw").is_dir()
    assert "could not be downloaded" in capsys.readouterr().err
    with pytest.raises(gt.datasets.DatasetNotFoundError, match="FashionMNIST: could not download"):
        monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ("http://127.0.0.1:9/",))
        datasets.FashionMNIST(tmp_path / "data", download=True)


def test_image_folder_classes_samples_and_errors(tmp_path):
    for cls, count in (("b_dog", 2), ("a_cat", 3)):
        (tmp_path / cls).mkdir()
        for k in range(count):
            Image.fromarray(np.full((4, 4, 3), k * 40, np.uint8)).save(tmp_path / cls / f"{k}.png")
    (tmp_path / "a_cat" / "readme.txt").write_text("not an image")
    folder = datasets.ImageFolder(tmp_path, transform=transforms.ToTensor())
    assert folder.classes == ["a_cat", "b_dog"] and folder.targets == [0, 0, 0, 1, 1]
    assert [p.rsplit("/", 2)[-2:] for p, _ in folder.samples][:2] == [["a_cat", "0.png"], ["a_cat", "1.png"]]
    image, label = folder[4]
    assert tuple(image.shape) == (3, 4, 4) and label == 1 and abs(image.numpy().max() - 40 / 255) < 1e-6
    (tmp_path / "c_empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes c_empty"):
        datasets.ImageFolder(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        datasets.ImageFolder(tmp_path / "missing")


def test_make_grid_layout_and_save_image(tmp_path):
    images = gt.tensor(np.arange(5 * 1 * 2 * 3, dtype=np.float32).reshape(5, 1, 2, 3) / 30)
    grid = torchvision.utils.make_grid(images, nrow=3, padding=1, pad_value=1.0)
    assert tuple(grid.shape) == (3, 1 + 2 * 3, 1 + 3 * 4)     # grey -> 3 channels, 2 rows of 3
    np.testing.assert_array_equal(grid.numpy()[0, 1:3, 5:8], images.numpy()[1, 0])
    assert grid.numpy()[:, 0].min() == 1.0
    torchvision.utils.save_image(images, tmp_path / "grid.png", nrow=3, padding=1)
    saved = np.asarray(Image.open(tmp_path / "grid.png"))
    assert saved.shape == (7, 13, 3) and saved[1, 1, 0] == 0 and saved[4:6, 5:8, 0].max() == int(29 / 30 * 255 + 0.5)
