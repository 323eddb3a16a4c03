"""The IDX file format of MNIST and Fashion-MNIST (raw or gzip-compressed).

Header: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
0x0E float64), the number of dimensions, then each dimension as a big-endian uint32; the data follow.
"""
import gzip
import os

import numpy as np

from ..errors import UserError

_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class IDXError(UserError, ValueError):
    """A file that is not a well-formed IDX file; the message names the file and the problem."""


def read_idx(path):
    """The array stored in an IDX file (gzip detected by its magic bytes)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as error:
        raise IDXError(f"{path}: cannot read or decompress ({error})") from None
    if len(raw) < 4:
        raise IDXError(f"{path}: too short to be an IDX file ({len(raw)} bytes)")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise IDXError(f"{path}: bad magic number 0x{raw[:4].hex()} (expected 0x0000 followed by a type code "
                       f"and the number of dimensions)")
    dtype, ndim = _TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise IDXError(f"{path}: header declares {ndim} dimensions but the file holds {len(raw)} bytes")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise IDXError(f"{path}: truncated or corrupt: dimensions {shape} need {expected} data bytes, "
                       f"found {len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Write `array` as an uncompressed (or, for a .gz path, gzip-compressed) IDX file; the same array always
    gives the same bytes (no time stamp in the gzip header)."""
    codes = {v.newbyteorder("=") if v.byteorder != "|" else v: k for k, v in _TYPES.items()}
    array = np.asarray(array)
    code = codes[array.dtype.newbyteorder("=") if array.dtype.byteorder not in "|" else array.dtype]
    big_endian = array.astype(_TYPES[code])
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + big_endian.tobytes()
    with open(path, "wb") as f:
        if os.fspath(path).endswith(".gz"):
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as compressed:
                compressed.write(payload)
        else:
            f.write(payload)
