"""save / load without pickle: tensors in the safetensors format, everything else as JSON in its metadata.

A flat dict of tensors (a state_dict) is stored under its own keys, so `safetensors.torch.load_file(path)`
returns a dict that PyTorch's `load_state_dict` accepts, and a file PyTorch saved with safetensors loads
here. Nested objects (checkpoints holding a model, an optimizer, numbers and strings) are stored as a
JSON tree in the metadata whose leaves point at the tensors. Writes are atomic: a temporary file in the
same folder, flushed to disk, then renamed over the target. A file that cannot be read gets a
`CheckpointError` that says why: a pickle (PyTorch's .pt), an empty or torn file, a dtype NumPy lacks.
"""
import json
import os
import struct
import tempfile

import numpy as np

from .creation import from_numpy
from .errors import MissingFile, UnwritablePath, UserError
from .i18n import t
from .tensor import Tensor

_TREE_KEY = "__glasstorch__"
_TEMPORARY_PREFIX = ".tmp-"
_READABLE_DTYPES = {"BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64", "F16", "F32", "F64"}
_DTYPE_ADVICE = {"BF16": "bfloat16", "F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2", "C64": "complex64"}


class CheckpointError(UserError, RuntimeError):
    """A file that glasstorch.load cannot read; the message names the file and the reason."""


def _contiguous(array):
    """A C-ordered array, keeping 0-dim arrays 0-dim (np.ascontiguousarray would make them 1-dim)."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def _encode(obj, path, tensors):
    """JSON-able tree of `obj`; tensors are moved into `tensors` and replaced by {"__tensor__": key}."""
    if isinstance(obj, Tensor):
        key = path or "tensor"
        tensors[key] = _contiguous(obj.array)
        return {"__tensor__": key}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": [[k, _encode(v, f"{path}/{k}" if path else k, tensors)] for k, v in obj.items()]}
        return {"__items__": [[_encode(k, "", {}), _encode(v, f"{path}/{k}", tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, f"{path}/{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, f"{path}/{i}", tensors) for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"glasstorch.save: cannot store a {type(obj).__name__} (only tensors, dicts, lists, tuples, "
                    "numbers, strings and None; pickle is never used)")


def _decode(node, tensors):
    if isinstance(node, list):
        return [_decode(v, tensors) for v in node]
    if isinstance(node, dict):
        if "__tensor__" in node:
            return from_numpy(tensors[node["__tensor__"]])
        if "__dict__" in node:
            return {k: _decode(v, tensors) for k, v in node["__dict__"]}
        if "__items__" in node:
            return {_decode(k, tensors): _decode(v, tensors) for k, v in node["__items__"]}
        if "__tuple__" in node:
            return tuple(_decode(v, tensors) for v in node["__tuple__"])
    return node


def _is_flat_tensor_dict(obj):
    return isinstance(obj, dict) and obj and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items())


def save(obj, f):
    """Write `obj` (a state_dict, or nested dicts/lists of tensors, numbers and strings) to path `f` atomically."""
    from safetensors.numpy import save as to_bytes

    path = os.fspath(f)
    tensors = {}
    if _is_flat_tensor_dict(obj):
        tensors = {k: _contiguous(v.array) for k, v in obj.items()}
        metadata = {"format": "pt"}
    else:
        tree = _encode(obj, "", tensors)
        metadata = {"format": "pt", _TREE_KEY: json.dumps(tree)}
    payload = to_bytes(tensors, metadata=metadata)
    write_atomic(path, payload)


def make_folder(path, option):
    """Create the folder `path` (and its parents) for the command-line option `option`, or raise UnwritablePath
    naming both."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise UnwritablePath(error.errno, f"{option} {path}: cannot create the folder: "
                                          f"{error.strerror or error}") from None


def write_atomic(path, payload):
    """Write bytes to `path` so that a crash leaves either the old file or the new one, never a torn one.
    The file gets the permissions the user's umask gives a new file; a failed write names the path."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=_TEMPORARY_PREFIX, suffix=os.path.basename(path))
    except OSError as error:
        raise UnwritablePath(error.errno, f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, path)
    except BaseException as error:
        if os.path.exists(temporary):
            os.remove(temporary)
        if isinstance(error, OSError):
            raise UnwritablePath(error.errno, f"cannot write {path}: {error.strerror or error}") from None
        raise


def remove_stale_temporaries(folder):
    """Delete what an interrupted write_atomic left in `folder` (a process killed mid-write leaves its temp file)."""
    for leftover in os.scandir(folder) if os.path.isdir(folder) else ():
        if leftover.name.startswith(_TEMPORARY_PREFIX) and leftover.is_file():
            os.remove(leftover.path)


def _json_or_none(raw):
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None


def _current_umask():
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def _check_readable(path):
    """Raise CheckpointError when `path` is not a safetensors file NumPy can read, saying why."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(8)
        (header_size,) = struct.unpack("<Q", head) if len(head) == 8 else (None,)
        header = _json_or_none(f.read(header_size)) if header_size is not None and header_size <= size - 8 else None
    if header is None:
        if size == 0:
            raise CheckpointError(t("error.checkpoint_empty", path=path))
        if head[:4] == b"PK\x03\x04" or (head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")):
            raise CheckpointError(t("error.checkpoint_pickle", path=path))
        if header_size is None:
            raise CheckpointError(t("error.checkpoint_short", path=path, size=size))
        if header_size > size - 8:
            raise CheckpointError(t("error.checkpoint_truncated", path=path, claimed=header_size, size=size))
        raise CheckpointError(t("error.checkpoint_not_json", path=path))
    for key, entry in header.items() if isinstance(header, dict) else ():
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if key != "__metadata__" and dtype is not None and dtype not in _READABLE_DTYPES:
            name = _DTYPE_ADVICE.get(dtype, dtype)
            raise CheckpointError(t("error.checkpoint_dtype", path=path, dtype=name, key=key))


def load(f, map_location=None, weights_only=True):
    """Read what `save` wrote (or any safetensors file, e.g. one PyTorch wrote) from path `f`."""
    from safetensors import safe_open

    path = os.fspath(f)
    if not os.path.exists(path):
        raise MissingFile(t("error.checkpoint_missing", path=path))
    if os.path.isdir(path):
        raise CheckpointError(t("error.checkpoint_folder", path=path))
    _check_readable(path)
    try:
        with safe_open(path, framework="np") as reader:
            metadata = reader.metadata() or {}
            tensors = {key: reader.get_tensor(key) for key in reader.keys()}
    except Exception as error:  # safetensors raises its own error types for torn or foreign files
        raise CheckpointError(t("error.checkpoint_damaged", path=path, error=error)) from None
    if _TREE_KEY not in metadata:
        return {key: from_numpy(array) for key, array in tensors.items()}
    try:
        return _decode(json.loads(metadata[_TREE_KEY]), tensors)
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"glasstorch.load: '{path}' has a damaged object tree: {error}") from None
