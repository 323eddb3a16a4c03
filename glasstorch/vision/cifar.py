"""torchvision.datasets.CIFAR10 and CIFAR100, reading the official Python batches without trusting them.

The batches are Python pickles: a dict per file holding `data` (an N x 3072 uint8 array: 1024 red, 1024 green,
1024 blue values of each 32x32 image, row by row), `labels` (CIFAR-10) or `fine_labels` (CIFAR-100), and a few
strings. Unpickling runs whatever functions a file names, so these files are read by an unpickler that admits only
what such a batch holds (NumPy's array rebuilder, ndarray, dtype, and the codec Python 3 uses for bytes); a pickle
naming anything else is refused with its file and the name. After loading, the shapes and labels are checked, and
a wrong file gets one line that names it (instead of torchvision's MD5 check of each batch, which only the
download's archive gets here).

Layout as torchvision's: root/cifar-10-batches-py/data_batch_1..5, test_batch, batches.meta (root/cifar-100-python/
train, test, meta); `.data` is (N, 32, 32, 3) uint8 (HWC), `.targets` a list of ints, a sample (PIL RGB image, int).
"""
import io
import os
import pickle
import tarfile

import numpy as np
from PIL import Image

from ..datasets.mnist import DatasetNotFoundError, fetch_verified
from ..errors import UserError
from .vision_dataset import VisionDataset, transformed


class UnsafePickleError(UserError, pickle.UnpicklingError):
    """A dataset pickle names a function or class a CIFAR batch never holds."""


class CorruptDatasetError(UserError, RuntimeError):
    """A dataset file loaded but does not hold what its format promises."""


_NUMPY_CORE = getattr(np, "_core", None) or np.core
# (module, name) -> the object: everything a CIFAR batch written by Python 2 or 3 refers to
ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _NUMPY_CORE.multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _NUMPY_CORE.multiarray._reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): __import__("codecs").encode,
}


class _BatchUnpickler(pickle.Unpickler):
    def __init__(self, file, path):
        super().__init__(file, encoding="latin1")
        self.path = path

    def find_class(self, module, name):
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise UnsafePickleError(f"{self.path}: refusing to unpickle {module}.{name}: a CIFAR batch holds only "
                                    "NumPy arrays, lists, numbers and strings") from None


def load_batch(path):
    """The dict a CIFAR pickle holds, unpickled by the restricted unpickler (keys as str)."""
    with open(path, "rb") as f:
        try:
            entry = _BatchUnpickler(f, path).load()
        except UnsafePickleError:
            raise
        except Exception as error:      # a torn or foreign file fails in many ways inside pickle
            raise CorruptDatasetError(f"{path}: not a CIFAR batch ({type(error).__name__}: {error})") from None
    if not isinstance(entry, dict):
        raise CorruptDatasetError(f"{path}: not a CIFAR batch (holds a {type(entry).__name__}, not a dict)")
    return {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in entry.items()}


class CIFAR10(VisionDataset):
    """CIFAR10(root, train=True, transform=None, target_transform=None, download=False): 50,000 training and
    10,000 test 32x32 colour images of 10 classes."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}
    labels_key = "labels"

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(os.path.expanduser(os.fspath(root)), transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        folder = os.path.join(self.root, self.base_folder)
        missing = [name for name in self.train_list + self.test_list + [self.meta["filename"]]
                   if not os.path.isfile(os.path.join(folder, name))]
        if missing:
            raise DatasetNotFoundError(f"{type(self).__name__}: {', '.join(missing)} not found in {folder}; use "
                                       f"download=True, or unpack {self.filename} ({self.url}) into {self.root}")
        data, self.targets = [], []
        for name in self.train_list if train else self.test_list:
            images, labels = self._read_batch(os.path.join(folder, name))
            data.append(images)
            self.targets.extend(labels)
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)     # (N, 32, 32, 3), HWC
        meta_path = os.path.join(folder, self.meta["filename"])
        names = load_batch(meta_path).get(self.meta["key"])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise CorruptDatasetError(f"{meta_path}: no list of class names under '{self.meta['key']}'")
        self.classes = names
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _read_batch(self, path):
        entry = load_batch(path)
        images, labels = entry.get("data"), entry.get(self.labels_key)
        if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 2 \
                or images.shape[1] != 3 * 32 * 32:
            shape = getattr(images, "shape", None)
            raise CorruptDatasetError(f"{path}: 'data' must be an N x 3072 uint8 array, got "
                                      f"{type(images).__name__} {shape or ''}".rstrip())
        if not isinstance(labels, list) or len(labels) != len(images) \
                or not all(isinstance(label, int) for label in labels):
            raise CorruptDatasetError(f"{path}: '{self.labels_key}' must be a list of {len(images)} ints")
        return images, labels

    def download(self):
        """Fetch the archive (MD5-checked) and unpack it into root, unless the batches are already there."""
        folder = os.path.join(self.root, self.base_folder)
        if all(os.path.isfile(os.path.join(folder, n)) for n in self.train_list + self.test_list):
            return
        payload = fetch_verified([self.url], self.tgz_md5, f"{type(self).__name__}: could not download {self.url}")
        os.makedirs(self.root, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as archive:
            archive.extractall(self.root, filter="data")

    def __getitem__(self, index):
        return transformed(self, Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR100(root, train=True, ...): the same images' layout, 100 classes (`fine_labels`)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}
    labels_key = "fine_labels"
