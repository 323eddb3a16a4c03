"""glasstorch.vision against torchvision itself: datasets, every transform on PIL images and tensors, make_grid."""
import gzip
import shutil

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision_import import import_torchvision

torchvision = import_torchvision()
from torchvision import transforms as T  # noqa: E402
from torchvision.transforms import functional as TF  # noqa: E402

import glasstorch as gt  # noqa: E402
from glasstorch.vision import datasets as gdatasets  # noqa: E402
from glasstorch.vision import transforms as G  # noqa: E402
from glasstorch.vision import utils as gutils  # noqa: E402
from glasstorch.vision.transforms import functional as GF  # noqa: E402


def _rng(seed=0):
    return np.random.default_rng(seed)


def pil_images():
    rng = _rng()
    grey = Image.fromarray(rng.integers(0, 256, (13, 17), dtype=np.uint8), mode="L")
    rgb = Image.fromarray(rng.integers(0, 256, (11, 9, 3), dtype=np.uint8), mode="RGB")
    return {"L": grey, "RGB": rgb}


def tensor_images():
    rng = _rng(1)
    return {"float": rng.random((3, 12, 15), dtype=np.float32), "grey": rng.random((1, 10, 8), dtype=np.float32),
            "batch": rng.random((2, 3, 9, 7), dtype=np.float32)}


def same_image(ours, ref, atol=0):
    if isinstance(ref, Image.Image):
        assert isinstance(ours, Image.Image) and ours.mode == ref.mode and ours.size == ref.size
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(ref))
    else:
        assert tuple(ours.shape) == tuple(ref.shape), (tuple(ours.shape), tuple(ref.shape))
        assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), atol=atol, rtol=0)


def both(transform_name, *args, kinds=("pil", "tensor"), atol=0, **kwargs):
    ours, ref = getattr(G, transform_name)(*args, **kwargs), getattr(T, transform_name)(*args, **kwargs)
    if "pil" in kinds:
        for image in pil_images().values():
            same_image(ours(image), ref(image))
    if "tensor" in kinds:
        for array in tensor_images().values():
            same_image(ours(gt.tensor(array)), ref(torch.tensor(array)), atol=atol)


def test_to_tensor_pil_to_tensor_and_to_pil_image():
    for image in list(pil_images().values()) + [pil_images()["L"].convert("1")]:
        same_image(G.ToTensor()(image), T.ToTensor()(image))
        same_image(G.PILToTensor()(image), T.PILToTensor()(image))
    for array in (np.arange(24, dtype=np.uint8).reshape(2, 4, 3), _rng().random((4, 5)),
                  _rng().random((4, 5, 2)).astype(np.float32)):
        same_image(G.ToTensor()(array), T.ToTensor()(array))
    for array in tensor_images().values():
        if array.ndim == 3:
            same_image(G.ToPILImage()(gt.tensor(array)), T.ToPILImage()(torch.tensor(array)))


def test_normalize_and_its_errors():
    x = tensor_images()["float"]
    same_image(G.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))(gt.tensor(x)),
               T.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))(torch.tensor(x)), atol=1e-6)
    same_image(G.Normalize((0.1307,), (0.3081,))(gt.tensor(x)), T.Normalize((0.1307,), (0.3081,))(torch.tensor(x)),
               atol=1e-6)
    for lib_t, lib in ((G, gt), (T, torch)):
        with pytest.raises(ValueError, match="std evaluated to zero"):
            lib_t.Normalize((0.5,), (0.0,))(lib.tensor(x))
        with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
            lib_t.Normalize((0.5,), (1.0,))(lib.zeros(1, 2, 2, dtype=lib.uint8))


@pytest.mark.parametrize("size", [7, [7], (6, 10), 20])
def test_resize_matches_on_pil_exactly_and_on_tensors_closely(size):
    both("Resize", size, kinds=("pil",))
    both("Resize", size, kinds=("tensor",), atol=2e-5)
    both("Resize", size, interpolation=T.InterpolationMode.NEAREST, kinds=("pil",))
    both("Resize", 5, max_size=8, kinds=("pil",))


@pytest.mark.parametrize("size", [5, (4, 7), (20, 3), 30])
def test_center_crop_matches(size):
    both("CenterCrop", size)


@pytest.mark.parametrize("padding", [2, (1, 3), (1, 2, 3, 4)])
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_matches(padding, mode):
    both("Pad", padding, fill=0 if mode != "constant" else 7 / 255 * 255, padding_mode=mode, kinds=("pil",))
    both("Pad", padding, padding_mode=mode, kinds=("tensor",))


@pytest.mark.parametrize("channels", [1, 3])
def test_grayscale_matches(channels):
    both("Grayscale", channels, kinds=("pil",))
    rgb = gt.tensor(tensor_images()["float"]), torch.tensor(tensor_images()["float"])
    same_image(G.Grayscale(channels)(rgb[0]), T.Grayscale(channels)(rgb[1]), atol=1e-6)


@pytest.mark.parametrize("angle", [0, 30, -45, 90, 180])
@pytest.mark.parametrize("expand", [False, True])
def test_rotate_matches_on_pil(angle, expand):
    for image in pil_images().values():
        same_image(GF.rotate(image, angle, expand=expand), TF.rotate(image, angle, expand=expand))
        same_image(GF.rotate(image, angle, G.InterpolationMode.BILINEAR, expand, fill=3),
                   TF.rotate(image, angle, T.InterpolationMode.BILINEAR, expand, fill=3))


@pytest.mark.parametrize("angle", [0, 90, 180, -90, 33.3])
@pytest.mark.parametrize("expand", [False, True])
def test_rotate_matches_on_tensors(angle, expand):
    for x in tensor_images().values():
        for mode in (T.InterpolationMode.NEAREST, T.InterpolationMode.BILINEAR):
            for fill, center in ((None, None), ([0.25], None), (None, [3, 4])):
                same_image(GF.rotate(gt.tensor(x), angle, mode, expand, center, fill),
                           TF.rotate(torch.tensor(x), angle, mode, expand, center, fill), atol=1e-5)


def test_flips_and_functional_crops_match():
    for image in pil_images().values():
        same_image(GF.hflip(image), TF.hflip(image))
        same_image(GF.vflip(image), TF.vflip(image))
        same_image(GF.crop(image, 2, 3, 5, 4), TF.crop(image, 2, 3, 5, 4))
    x = tensor_images()["batch"]
    same_image(GF.hflip(gt.tensor(x)), TF.hflip(torch.tensor(x)))
    same_image(GF.crop(gt.tensor(x), 1, 2, 4, 3), TF.crop(torch.tensor(x), 1, 2, 4, 3))
    same_image(GF.crop(gt.tensor(x), -1, 5, 4, 4), TF.crop(torch.tensor(x), -1, 5, 4, 4))


def test_random_transforms_draw_valid_results():
    image = pil_images()["L"]
    gt.manual_seed(0)
    crops = {np.asarray(G.RandomCrop(8, padding=2)(image)).tobytes() for _ in range(30)}
    assert len(crops) > 5
    padded = np.asarray(TF.pad(image, 2))
    windows = {padded[i:i + 8, j:j + 8].tobytes() for i in range(padded.shape[0] - 7) for j in range(padded.shape[1] - 7)}
    assert crops <= windows
    assert G.RandomCrop((20, 20), pad_if_needed=True)(image).size == T.RandomCrop((20, 20), pad_if_needed=True)(image).size
    flips = [np.array_equal(np.asarray(G.RandomHorizontalFlip()(image)), np.asarray(TF.hflip(image))) for _ in range(400)]
    assert 0.4 < np.mean(flips) < 0.6
    rotations = {np.asarray(G.RandomRotation(10)(image)).tobytes() for _ in range(20)}
    assert len(rotations) > 5
    angles = [G.RandomRotation.get_params(G.RandomRotation(10).degrees) for _ in range(200)]
    assert -10 <= min(angles) < -8 and 8 < max(angles) <= 10


def test_compose_and_lambda():
    pipeline = [lambda L: L.Resize(8), lambda L: L.CenterCrop(6), lambda L: L.ToTensor(),
                lambda L: L.Lambda(lambda x: x * 2), lambda L: L.Normalize((0.5,), (0.5,))]
    ours, ref = G.Compose([p(G) for p in pipeline]), T.Compose([p(T) for p in pipeline])
    same_image(ours(pil_images()["L"]), ref(pil_images()["L"]), atol=1e-6)


@pytest.fixture(scope="module")
def torchvision_root(tmp_path_factory):
    """The embedded MNIST, unpacked into torchvision's root/MNIST/raw layout."""
    root = tmp_path_factory.mktemp("vision")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for packed in gt.datasets.MNIST.embedded.glob("*.gz"):
        with gzip.open(packed) as source, open(raw / packed.name[:-3], "wb") as target:
            shutil.copyfileobj(source, target)
    return root


@pytest.mark.parametrize("train", [True, False])
def test_mnist_matches_torchvision_sample_for_sample(torchvision_root, train):
    transform = [lambda L: L.ToTensor(), lambda L: L.Normalize((0.1307,), (0.3081,))]
    ours = gdatasets.MNIST(torchvision_root, train=train, transform=G.Compose([t(G) for t in transform]))
    ref = torchvision.datasets.MNIST(torchvision_root, train=train, transform=T.Compose([t(T) for t in transform]))
    assert len(ours) == len(ref) and ours.classes == ref.classes and ours.class_to_idx == ref.class_to_idx
    np.testing.assert_array_equal(ours.data.numpy(), ref.data.numpy())
    np.testing.assert_array_equal(ours.targets.numpy(), ref.targets.numpy())
    assert str(ours.data.dtype).split(".")[-1] == str(ref.data.dtype).split(".")[-1]
    for index in (0, 7, len(ref) - 1):
        same_image(ours[index][0], ref[index][0], atol=1e-6)
        assert ours[index][1] == ref[index][1]
    plain = gdatasets.MNIST(torchvision_root, train=train), torchvision.datasets.MNIST(torchvision_root, train=train)
    same_image(plain[0][3][0], plain[1][3][0])
    batch_ours = next(iter(gt.utils.data.DataLoader(ours, batch_size=50)))
    batch_ref = next(iter(torch.utils.data.DataLoader(ref, batch_size=50)))
    same_image(batch_ours[0], batch_ref[0], atol=1e-6)
    np.testing.assert_array_equal(batch_ours[1].numpy(), batch_ref[1].numpy())


def test_image_folder_matches(tmp_path):
    rng = _rng(3)
    for cls, count in (("cat", 3), ("dog", 2), ("zebra", 1)):
        (tmp_path / cls / "inner").mkdir(parents=True)
        for k in range(count):
            Image.fromarray(rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)).save(tmp_path / cls / f"{k}.png")
        Image.fromarray(rng.integers(0, 256, (6, 5), dtype=np.uint8)).save(tmp_path / cls / "inner" / "g.bmp")
        (tmp_path / cls / "notes.txt").write_text("not an image")
    ours, ref = gdatasets.ImageFolder(tmp_path, transform=G.ToTensor()), torchvision.datasets.ImageFolder(
        tmp_path, transform=T.ToTensor())
    assert ours.classes == ref.classes and ours.class_to_idx == ref.class_to_idx
    assert [(str(p), c) for p, c in ours.samples] == [(str(p), c) for p, c in ref.samples]
    assert ours.targets == ref.targets
    for index in range(len(ref)):
        same_image(ours[index][0], ref[index][0])
    empty = tmp_path / "empty_root"
    (empty / "nothing").mkdir(parents=True)
    for lib in (gdatasets, torchvision.datasets):
        with pytest.raises(FileNotFoundError, match="Found no valid file for the classes nothing"):
            lib.ImageFolder(empty)


def test_make_grid_and_save_image(tmp_path):
    x = _rng(4).random((5, 1, 6, 7), dtype=np.float32)
    for kwargs in (dict(), dict(nrow=2, padding=1, pad_value=0.5), dict(normalize=True), dict(normalize=True,
                                                                                              scale_each=True)):
        same_image(gutils.make_grid(gt.tensor(x), **kwargs), torchvision.utils.make_grid(torch.tensor(x), **kwargs),
                   atol=1e-6)
    gutils.save_image(gt.tensor(x), tmp_path / "ours.png", nrow=3)
    torchvision.utils.save_image(torch.tensor(x), tmp_path / "ref.png", nrow=3)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "ours.png")),
                                  np.asarray(Image.open(tmp_path / "ref.png")))
