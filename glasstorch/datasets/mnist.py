"""The files of MNIST and Fashion-MNIST: where their four standard IDX files are, how they are downloaded and read.

MNISTFiles and FashionMNISTFiles are the one reader under glasstorch.vision.datasets.MNIST and FashionMNIST
(torchvision's API, the public classes, also reachable as glasstorch.datasets.MNIST); their own samples are the
raw uint8 arrays, which the lessons read directly.

Files are looked for, in order, in: `root` (the files themselves, or root/<name>/, or torchvision's
root/<Class>/raw/); $GLASSTORCH_DATA/<name>; ~/.cache/glasstorch/datasets/<name>; /usr/share/datasets/<name>
(Debian's dataset-fashion-mnist package installs there); last, for MNIST, the real subset the package ships
(glasstorch/datasets/data/mnist: 5,000 training and 2,000 test digits, so everything runs offline). With download=True the files are fetched from
the standard mirrors into root (or the cache), checked against their official MD5 and written atomically
($GLASSTORCH_OFFLINE set: never).
"""
import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np

from ..creation import from_numpy
from ..errors import UserError
from ..serialization import write_atomic
from ..utils.data import Dataset
from .idx import IDXError, read_idx

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

SYSTEM_DATASETS = Path("/usr/share/datasets")    # where Debian's dataset-* packages put their files


class DatasetNotFoundError(UserError, FileNotFoundError):
    """No folder holds the dataset's files; the message lists every place tried and how to get them."""


class MNISTFiles(Dataset):
    """Handwritten digits 0-9, 28x28 grey. Sample i is (transform(image), label); without a transform the
    image is the raw uint8 28x28 array."""

    name = "mnist"
    torchvision_folder = "MNIST"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
    md5 = {"train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
           "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
           "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
           "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    mean, std = 0.1307, 0.3081
    embedded = Path(__file__).resolve().parent / "data" / "mnist"
    embedded_note = ("the subset shipped with glasstorch: 5,000 training and 2,000 test digits of the real MNIST; "
                     "for all 60,000 + 10,000 use --download or put the files in $GLASSTORCH_DATA/mnist")
    how_to_get = "download it with download=True (or `glasstorch train --download`), or put the four IDX files in a folder and pass it as root / --data-dir"

    def __init__(self, root=None, train=True, download=False, transform=None, target_transform=None):
        self.train, self.transform, self.target_transform = train, transform, target_transform
        image_file, label_file = FILES["train" if train else "test"]
        if root is not None and not download and not Path(root).expanduser().is_dir():
            raise DatasetNotFoundError(f"{type(self).__name__}: the data folder {root} does not exist")
        folder = self.locate(root, (image_file, label_file), embedded=not download)   # --download wants the full set
        if folder is None:
            if not download:
                raise DatasetNotFoundError(self._not_found_message(root))
            folder = self.download(root)
        self.folder = folder
        self.data = read_idx(_find(folder, image_file))
        self.targets = read_idx(_find(folder, label_file)).astype(np.int64)
        if self.data.ndim != 3 or self.targets.ndim != 1 or len(self.data) != len(self.targets):
            raise IDXError(f"{folder}: images {self.data.shape} and labels {self.targets.shape} do not match "
                           f"(expected N x H x W images and N labels)")

    # ------------------------------------------------------------ where the files are
    @classmethod
    def search_paths(cls, root=None, embedded=True):
        paths = []
        if root is not None:
            root = Path(root).expanduser()
            paths += [root, root / cls.name, root / cls.torchvision_folder / "raw"]
        if os.environ.get("GLASSTORCH_DATA"):
            paths.append(Path(os.environ["GLASSTORCH_DATA"]).expanduser() / cls.name)
        paths.append(default_cache() / cls.name)
        paths.append(SYSTEM_DATASETS / cls.name)
        if embedded and cls.embedded is not None:
            paths.append(cls.embedded)
        return paths

    @classmethod
    def locate(cls, root=None, files=None, embedded=True):
        """The first search path holding `files` (raw or .gz), or None."""
        files = files or FILES["train"] + FILES["test"]
        for folder in cls.search_paths(root, embedded):
            if all(_find(folder, f) for f in files):
                return folder
        return None

    @classmethod
    def _not_found_message(cls, root):
        tried = "\n".join(f"  - {p}" for p in cls.search_paths(root))
        return (f"{cls.__name__}: dataset files not found. Looked for {', '.join(FILES['train'] + FILES['test'])} "
                f"in:\n{tried}\nTo get them: {cls.how_to_get}.")

    # ------------------------------------------------------------ download
    @classmethod
    def download(cls, root=None, mirrors=None):
        """Fetch the four files from the first mirror that answers, verify each MD5, write atomically."""
        target = Path(root).expanduser() if root is not None else default_cache() / cls.name
        target.mkdir(parents=True, exist_ok=True)
        if os.environ.get("GLASSTORCH_OFFLINE"):
            raise DatasetNotFoundError(f"{cls.__name__}: not downloading: GLASSTORCH_OFFLINE is set")
        for filename, expected in cls.md5.items():
            path = target / filename
            if path.exists() and _md5(path.read_bytes()) == expected:
                continue
            payload = fetch_verified([mirror + filename for mirror in mirrors or cls.mirrors], expected,
                                     f"{cls.__name__}: could not download {filename}")
            write_atomic(str(path), payload)
        return target

    # ------------------------------------------------------------ samples
    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        image, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __getitems__(self, indices):
        """A collated batch; one vectorised transform call when every transform handles batches."""
        if self.target_transform is not None or (self.transform is not None and
                                                 not getattr(self.transform, "batched", False)):
            return [self[i] for i in indices]
        images, labels = self._arrays()
        images = self._transform_batch(images[indices]) if self.transform is not None else from_numpy(images[indices])
        return images, from_numpy(labels[indices])

    def _arrays(self):
        """(images, labels) as NumPy arrays."""
        return self.data, self.targets

    def _transform_batch(self, images):
        """The transform (glasstorch.vision.transforms, `batched`) applied to a whole batch of uint8 images at once."""
        return self.transform.batch(images)

    def __repr__(self):
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n    Root location: "
                f"{self.folder}\n    Split: {'Train' if self.train else 'Test'}")


class FashionMNISTFiles(MNISTFiles):
    """Zalando's clothing images, same format as MNIST: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal,
    Shirt, Sneaker, Bag, Ankle boot."""

    name = "fashion-mnist"
    torchvision_folder = "FashionMNIST"
    embedded = None
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    md5 = {"train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
           "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
           "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
           "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310"}
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    mean, std = 0.2860, 0.3530
    how_to_get = ("on Debian/Ubuntu `apt-get install dataset-fashion-mnist` (installs to "
                  "/usr/share/datasets/fashion-mnist), or download=True (`glasstorch train --download`), or pass "
                  "a folder with the four IDX files as root / --data-dir")


def default_cache():
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "glasstorch" / "datasets"


def _find(folder, filename):
    for candidate in (folder / filename, folder / filename.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    return None


def fetch_verified(urls, expected_md5, failure):
    """The bytes of the first URL that answers with the expected MD5; else DatasetNotFoundError(failure + why)."""
    if os.environ.get("GLASSTORCH_OFFLINE"):
        raise DatasetNotFoundError(f"{failure}: not downloading: GLASSTORCH_OFFLINE is set")
    errors = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                payload = response.read()
        except OSError as error:
            errors.append(f"{url}: {error}")
            continue
        if _md5(payload) == expected_md5:
            return payload
        errors.append(f"{url}: MD5 {_md5(payload)} does not match the official {expected_md5}")
    raise DatasetNotFoundError(f"{failure}:\n  " + "\n  ".join(errors))


def _md5(payload):
    return hashlib.md5(payload).hexdigest()
